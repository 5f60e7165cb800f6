/**
 * An in-test C2SP tlog-witness on a real `listen` (node:http), built on witness/protocol.ts: it checks the
 * log's signature, the old size (409 with text/x.tlog.size), the consistency proof (422) and cosigns with
 * cosignature/v1. `mode` makes it misbehave the ways a witness can: garbage, a forged line, slowness, a
 * status of its choosing, a size ahead of the log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openCheckpoint } from '../../src/checkpoint/index.js';
import { fromBase64, toBase64 } from '../../src/crypto/index.js';
import { EMPTY_ROOT, verifyConsistency } from '../../src/merkle/index.js';
import { addSignatures, cosignerFromSeed, formatVerifierKey, KEY_TYPE_COSIGNATURE_V1, parseNote, parseVerifierKey, type NoteSigner } from '../../src/note/index.js';
import { formatSizeBody, parseAddCheckpointRequest, WITNESS_CONTENT_TYPE_SIZE } from '../../src/witness/protocol.js';

export type WitnessMode =
  | { kind: 'honest' }
  | { kind: 'garbage' }
  | { kind: 'forged' } // a line with the witness's name and key ID whose signature is wrong
  | { kind: 'foreign' } // a valid cosignature by another key under the same name
  | { kind: 'slow'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'ahead'; size: number }
  | { kind: 'bad409' }; // 409 with another content type

export interface TestWitness {
  name: string;
  vkey: string;
  url: string;
  signer: NoteSigner;
  state: { size: number; root: Uint8Array };
  mode: WitnessMode;
  /** Every request's old size and answer status, in order. */
  seen: { oldSize: number; proofLines: number; status: number }[];
  close(): Promise<void>;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function cosignatureLine(note: string, signer: NoteSigner): string {
  const lines = parseNote(addSignatures(note, [signer])).signatures;
  return lines.find((s) => s.name === signer.name && s.keyId === signer.keyId)!.line;
}

/** Starts a witness; `seed` and `port` let a test restart the same witness (its state starts empty). */
export async function startTestWitness(
  name: string, logVkey: string, mode: WitnessMode = { kind: 'honest' }, at: { seed?: Uint8Array; port?: number } = {},
): Promise<TestWitness> {
  const signer = cosignerFromSeed(name, at.seed ?? randomBytes(32));
  const logVerifier = parseVerifierKey(logVkey);
  const w: TestWitness = {
    name, vkey: formatVerifierKey(name, signer.publicKey, KEY_TYPE_COSIGNATURE_V1), url: '', signer,
    state: { size: 0, root: EMPTY_ROOT }, mode, seen: [], close: async () => undefined,
  };
  const answer = (res: import('node:http').ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', old = -1, proofLines = 0): void => {
    w.seen.push({ oldSize: old, proofLines, status });
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/add-checkpoint') return answer(res, 404, 'not found\n');
      let r;
      try {
        r = parseAddCheckpointRequest(new Uint8Array(Buffer.concat(chunks)));
      } catch {
        return answer(res, 400, 'bad request\n');
      }
      const old = r.oldSize;
      const pl = r.proof.length;
      const m = w.mode;
      if (m.kind === 'slow') return void setTimeout(() => answer(res, 503, 'late\n', undefined, old, pl), m.ms);
      if (m.kind === 'status') return answer(res, m.status, 'no\n', undefined, old, pl);
      if (m.kind === 'garbage') return answer(res, 200, 'hello, world\n', undefined, old, pl);
      if (m.kind === 'ahead') return answer(res, 409, formatSizeBody(m.size), WITNESS_CONTENT_TYPE_SIZE, old, pl);
      let cp;
      try {
        cp = openCheckpoint(r.checkpoint, [logVerifier]).checkpoint;
      } catch {
        return answer(res, 403, 'not signed by the log\n', undefined, old, pl);
      }
      if (old > cp.treeSize) return answer(res, 400, 'old size beyond the checkpoint\n', undefined, old, pl);
      if (old !== w.state.size) {
        if (m.kind === 'bad409') return answer(res, 409, formatSizeBody(w.state.size), 'text/plain', old, pl);
        return answer(res, 409, formatSizeBody(w.state.size), WITNESS_CONTENT_TYPE_SIZE, old, pl);
      }
      if (old === 0 && pl > 0) return answer(res, 422, 'a proof from 0 must be empty\n', undefined, old, pl);
      try {
        verifyConsistency(old, cp.treeSize, r.proof, w.state.root, cp.rootHash);
      } catch {
        return answer(res, 422, 'not consistent\n', undefined, old, pl);
      }
      if (old === cp.treeSize && !equal(w.state.root, cp.rootHash)) return answer(res, 422, 'same size, other root\n', undefined, old, pl);
      w.state = { size: cp.treeSize, root: cp.rootHash };
      let line = cosignatureLine(r.checkpoint, signer);
      if (m.kind === 'forged') {
        const bytes = fromBase64(line.split(' ')[2]!);
        bytes[bytes.length - 1]! ^= 1;
        line = `— ${name} ${toBase64(bytes)}`;
      }
      if (m.kind === 'foreign') line = cosignatureLine(r.checkpoint, cosignerFromSeed(name, randomBytes(32)));
      answer(res, 200, `${line}\n`, undefined, old, pl);
    });
  });
  await new Promise<void>((resolve) => server.listen(at.port ?? 0, '127.0.0.1', resolve));
  w.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  w.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return w;
}

/** A policy text: the log, the witnesses (with their URLs), `group g <k>` of all of them, `quorum g`. */
export function policyText(logVkey: string, witnesses: readonly { name: string; vkey: string; url?: string }[], k: number): string {
  return [
    `log ${logVkey}`,
    ...witnesses.map((w) => `witness ${w.name} ${w.vkey}${w.url === undefined ? '' : ` ${w.url}`}`),
    `group g ${k} ${witnesses.map((w) => w.name).join(' ')}`,
    'quorum g',
    '',
  ].join('\n');
}
