/**
 * A minimal C2SP tlog-witness process for the witness benchmark when `cunzheng witness serve` is not built:
 * `node dist/bench/witness-process.js <name> <log vkey> <port>`. Honest and in memory (no persistence):
 * checks the log's signature (403), the old size (409, text/x.tlog.size), a proof from 0 (422), the
 * consistency proof (422) and cosigns with cosignature/v1. Prints `vkey <its verifier key>` when listening.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { openCheckpoint } from '../src/checkpoint/index.js';
import { EMPTY_ROOT, verifyConsistency } from '../src/merkle/index.js';
import { KEY_TYPE_COSIGNATURE_V1, addSignatures, cosignerFromSeed, formatVerifierKey, parseNote, parseVerifierKey } from '../src/note/index.js';
import { formatSizeBody, parseAddCheckpointRequest, WITNESS_CONTENT_TYPE_SIZE } from '../src/witness/protocol.js';

const [name, logVkey, port] = process.argv.slice(2) as [string, string, string];
const signer = cosignerFromSeed(name, randomBytes(32));
const log = parseVerifierKey(logVkey);
let state = { size: 0, root: EMPTY_ROOT };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const answer = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    };
    if (req.method !== 'POST' || req.url !== '/add-checkpoint') return answer(404, 'not found\n');
    let r;
    try {
      r = parseAddCheckpointRequest(new Uint8Array(Buffer.concat(chunks)));
    } catch {
      return answer(400, 'bad request\n');
    }
    let cp;
    try {
      cp = openCheckpoint(r.checkpoint, [log]).checkpoint;
    } catch {
      return answer(403, 'not signed by the log\n');
    }
    if (r.oldSize > cp.treeSize) return answer(400, 'old size beyond the checkpoint\n');
    if (r.oldSize !== state.size) return answer(409, formatSizeBody(state.size), WITNESS_CONTENT_TYPE_SIZE);
    if (r.oldSize === 0 && r.proof.length > 0) return answer(422, 'a proof from 0 must be empty\n');
    try {
      verifyConsistency(r.oldSize, cp.treeSize, r.proof, state.root, cp.rootHash);
    } catch {
      return answer(422, 'not consistent\n');
    }
    state = { size: cp.treeSize, root: cp.rootHash };
    const line = parseNote(addSignatures(r.checkpoint, [signer])).signatures.find((s) => s.name === name && s.keyId === signer.keyId)!.line;
    answer(200, `${line}\n`);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`vkey ${formatVerifierKey(name, signer.publicKey, KEY_TYPE_COSIGNATURE_V1)}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
