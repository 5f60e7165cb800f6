/**
 * A real RFC 3161 Time-Stamp Authority for tests: `openssl ts -reply` behind a tiny node:http server on
 * 127.0.0.1:0. It can also misbehave on demand (modes) and sign with other certificates (signers):
 *
 *   modes    ok · down (HTTP 503) · reset (socket destroyed) · slow (answers after slowMs) · garbage (random bytes)
 *            wrong-content-type · reject (openssl refuses: SHA-512-only policy) · wrong-nonce (query's nonce altered)
 *   signers  tsa (EC, ESSCertIDv2) · rsa · ess-v1 (ESSCertID/SHA-1) · untrusted (other CA) · expired (2020)
 *            no-eku (cert without timeStamping) · no-ess (no signing-certificate attribute)
 *            sm2 · sm2-ours · sm2-no-id · sm2-cert-no-id · sm2-untrusted · sm2-expired · sm2-impostor (SM2 TSAs, see sm2-tsa.ts;
 *            their root is sm2TestPki().rootDer)
 *
 * openssl refuses to sign with a certificate lacking the critical timeStamping EKU, so the no-eku and no-ess tokens
 * are made the way such a broken TSA would: the TSTInfo of a real reply, re-signed with `openssl cms -sign`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { TimeStampReq } from 'pkijs';
import { openssl, type TestPki, testPki } from './pki.js';
import { isSm2Signer, type Sm2TsaSigner, stampSm2Query } from './sm2-tsa.js';

export type TsaMode = 'ok' | 'down' | 'reset' | 'slow' | 'garbage' | 'wrong-content-type' | 'reject' | 'wrong-nonce';
export type TsaSigner = 'tsa' | 'rsa' | 'ess-v1' | 'untrusted' | 'expired' | 'no-eku' | 'no-ess' | Sm2TsaSigner;

export interface TestTsaOptions {
  mode?: TsaMode;
  signer?: TsaSigner;
  /** Delay of the `slow` mode (default 2000 ms). */
  slowMs?: number;
}

export interface TestTsa {
  url: string;
  /** The trusted test root, PEM and DER, and its file (for `openssl ts -verify -CAfile`). */
  caPem: string;
  caDer: Uint8Array;
  caFile: string;
  pki: TestPki;
  /** Number of requests received. */
  readonly requests: number;
  setMode(mode: TsaMode): void;
  setSigner(signer: TsaSigner): void;
  close(): Promise<void>;
}

export { testPki, type TestPki } from './pki.js';
export { type Sm2Pki, sm2TestPki } from './sm2-pki.js';

// One openssl reply at a time per process: the TSA serial-number file is shared.
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

let workCounter = 0;

/** Stamps a DER TimeStampReq with openssl as `signer`; returns the DER TimeStampResp. No HTTP involved. */
export async function stampQuery(query: Uint8Array, signer: TsaSigner = 'tsa', section = 'tsa_sha256'): Promise<Uint8Array> {
  if (isSm2Signer(signer)) return stampSm2Query(query, signer, { section: section === 'tsa_sha512_only' ? section : 'tsa_sm2' });
  const pki = await testPki();
  return serialized(async () => {
    const work = mkdtempSync(join(pki.dir, `q${++workCounter}-`));
    try {
      writeFileSync(join(work, 'q.tsq'), query);
      const files =
        signer === 'rsa' ? pki.signers.rsa
        : signer === 'untrusted' ? pki.signers.untrusted
        : signer === 'expired' ? pki.signers.expired
        : pki.signers.tsa;
      const useSection = signer === 'ess-v1' ? 'tsa_sha1_ess' : section;
      await openssl(
        ['ts', '-reply', '-config', pki.tsConfig, '-section', useSection, '-queryfile', 'q.tsq',
          '-signer', files.cert, '-inkey', files.key, '-chain', files.chain, '-out', 'r.tsr'],
        work,
      );
      if (signer !== 'no-eku' && signer !== 'no-ess') return new Uint8Array(readFileSync(join(work, 'r.tsr')));
      return await resign(work, signer === 'no-eku' ? pki.signers.noEku : pki.signers.tsa, signer === 'no-eku');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Takes the TSTInfo out of r.tsr and signs it again with `openssl cms` (with an ESS attribute only if `cades`). */
async function resign(work: string, files: { cert: string; key: string; chain: string }, cades: boolean): Promise<Uint8Array> {
  await openssl(['ts', '-reply', '-in', 'r.tsr', '-token_out', '-out', 'token.der'], work);
  await openssl(['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', 'token.der', '-out', 'tstinfo.der'], work);
  await openssl(
    ['cms', '-sign', '-binary', '-nodetach', '-nosmimecap', '-in', 'tstinfo.der', '-econtent_type', '1.2.840.113549.1.9.16.1.4',
      '-signer', files.cert, '-inkey', files.key, '-md', 'sha256', '-certfile', files.chain, '-outform', 'DER', '-out', 'resigned.der',
      ...(cades ? ['-cades'] : [])],
    work,
  );
  return grantedResponse(new Uint8Array(readFileSync(join(work, 'resigned.der'))));
}

/** TimeStampResp { status { granted }, token } around a token. */
export function grantedResponse(token: Uint8Array): Uint8Array {
  const parsed = asn1js.fromBER(token);
  if (parsed.offset === -1) throw new Error('grantedResponse: token is not DER');
  const resp = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] }), parsed.result],
  });
  return new Uint8Array(resp.toBER(false));
}

/** The query with its nonce changed (nonce + 1), as a TSA with a bug or a replaying middlebox would answer. */
function alterNonce(query: Uint8Array): Uint8Array {
  const req = new TimeStampReq({ schema: asn1js.fromBER(query).result });
  const nonce = req.nonce?.toBigInt() ?? 0n;
  req.nonce = asn1js.Integer.fromBigInt(nonce + 1n);
  return new Uint8Array(req.toSchema().toBER(false));
}

/** Runs `openssl ts -verify` on a token against the test root; returns exit status and output. */
export async function opensslVerify(token: Uint8Array, imprintHex: string, caFile?: string): Promise<{ ok: boolean; output: string }> {
  const pki = await testPki();
  const work = mkdtempSync(join(pki.dir, 'verify-'));
  try {
    writeFileSync(join(work, 'token.der'), token);
    const { stdout, stderr } = await openssl(
      ['ts', '-verify', '-digest', imprintHex, '-in', 'token.der', '-token_in', '-CAfile', caFile ?? pki.caFile],
      work,
    );
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function startTestTsa(options: TestTsaOptions = {}): Promise<TestTsa> {
  const pki = await testPki();
  let mode: TsaMode = options.mode ?? 'ok';
  let signer: TsaSigner = options.signer ?? 'tsa';
  const slowMs = options.slowMs ?? 2000;
  let requests = 0;
  const sleepers = new Map<NodeJS.Timeout, () => void>();

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 64 * 1024) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk);
    }
    const query = new Uint8Array(Buffer.concat(chunks));
    switch (mode) {
      case 'down':
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('unavailable');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(randomBytes(333));
        return;
      case 'wrong-content-type':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      case 'slow':
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            sleepers.delete(timer);
            resolve();
          }, slowMs);
          sleepers.set(timer, resolve);
        });
        if (res.destroyed || req.socket.destroyed) return;
        break;
      default:
        break;
    }
    const reply = await stampQuery(
      mode === 'wrong-nonce' ? alterNonce(query) : query,
      signer,
      mode === 'reject' ? 'tsa_sha512_only' : 'tsa_sha256',
    );
    res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': String(reply.length) }).end(reply);
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/tsr`,
    caPem: pki.caPem,
    caDer: pki.caDer,
    caFile: pki.caFile,
    pki,
    get requests() {
      return requests;
    },
    setMode(next) {
      mode = next;
    },
    setSigner(next) {
      signer = next;
    },
    async close() {
      server.closeAllConnections();
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
