/**
 * Revocation evidence for the test TSA certificate (test/tsa/pki.ts "Test TSA", serial 02, issued by the test
 * root), made by the openssl CLI from a CA database (index.txt) written for the status wanted:
 *
 *   good                          V  (not revoked)
 *   revoked-before                R  2025-01-01, superseded        — before any genTime of a test token
 *   revoked-after                 R  now + 1 h, superseded         — after genTime, a reason that keeps tokens
 *   revoked-after-key-compromise  R  now + 1 h, keyCompromise      — after genTime, voids every token (RFC 3161 §4)
 *
 * OCSP responses come from `openssl ocsp -index … -CA ca.crt -rsigner … -reqin … -respout …` (the responder, run
 * once per request), signed by the root itself, by a delegated responder (EKU OCSPSigning, issued by the root), by
 * an impostor root (same name, another key) or by a responder of another CA. CRLs come from `openssl ca -gencrl`.
 * startTestRevocation() serves both over node:http on 127.0.0.1:0, like the test TSA.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openssl, type TestPki, testPki } from './pki.js';

export type TsaCertStatus = 'good' | 'revoked-before' | 'revoked-after' | 'revoked-after-key-compromise';
export type OcspSigner = 'ca' | 'responder' | 'impostor' | 'other-responder';

export interface OcspOptions {
  signer?: OcspSigner;
  /** nextUpdate = thisUpdate + minutes (openssl -nmin); absent without it. */
  nextUpdateMinutes?: number;
  /** Ask about this certificate (file in the PKI dir) instead of the TSA's… */
  certFile?: string;
  /** …and give the status for this serial (uppercase hex, as in index.txt) instead of the TSA's 02. */
  serial?: string;
}

const CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ocsp_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[ca]
default_ca = crl_ca
[crl_ca]
database = ./index.txt
default_md = sha256
default_crl_days = 1
`;

interface Files {
  pki: TestPki;
  dir: string;
}

// Keyed by the test PKI's folder: test files share a module graph (vitest isolate: false), and the PKI of
// test/tsa/pki.ts is made again, in another folder with other keys, for each file.
let made: { dir: string; ready: Promise<Files> } | undefined;

async function files(): Promise<Files> {
  const pki = await testPki();
  if (made === undefined || made.dir !== pki.dir) made = { dir: pki.dir, ready: build(pki) };
  return made.ready;
}

async function build(pki: TestPki): Promise<Files> {
  const dir = pki.dir;
  const o = (args: string[]) => openssl(args, dir);
  writeFileSync(join(dir, 'rev.cnf'), CNF);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await Promise.all([
    o(['req', '-x509', ...ec, '-keyout', 'impostor.key', '-out', 'impostor.crt', '-days', '3650', '-subj', '/O=cunzheng test/CN=Cunzheng Test Root CA', '-config', 'rev.cnf', '-extensions', 'ca_ext']),
    (async () => {
      await o(['req', '-new', ...ec, '-keyout', 'ocsp.key', '-out', 'ocsp.csr', '-subj', '/O=cunzheng test/CN=Test OCSP Responder', '-config', 'rev.cnf']);
      await o(['x509', '-req', '-in', 'ocsp.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '70', '-days', '30', '-out', 'ocsp.crt', '-extfile', 'rev.cnf', '-extensions', 'ocsp_ext']);
      await o(['x509', '-req', '-in', 'ocsp.csr', '-CA', 'other-ca.crt', '-CAkey', 'other-ca.key', '-set_serial', '71', '-days', '30', '-out', 'other-ocsp.crt', '-extfile', 'rev.cnf', '-extensions', 'ocsp_ext']);
    })(),
  ]);
  return { pki, dir };
}

/** openssl's index.txt time: YYMMDDHHMMSSZ. */
function indexTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

function indexLine(status: TsaCertStatus, serial = '02', subject = '/O=cunzheng test/CN=Test TSA'): string {
  const later = indexTime(new Date(Date.now() + 3600_000));
  const revoked =
    status === 'good' ? ''
    : status === 'revoked-before' ? '250101000000Z,superseded'
    : status === 'revoked-after' ? `${later},superseded`
    : `${later},keyCompromise`;
  return `${status === 'good' ? 'V' : 'R'}\t491231235959Z\t${revoked}\t${serial}\tunknown\t${subject}\n`;
}

let counter = 0;

async function inWork<T>(fn: (work: string, f: Files) => Promise<T>): Promise<T> {
  const f = await files();
  const work = mkdtempSync(join(f.dir, `rev${++counter}-`));
  try {
    return await fn(work, f);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const SIGNERS: Record<OcspSigner, [string, string]> = {
  ca: ['ca.crt', 'ca.key'],
  responder: ['ocsp.crt', 'ocsp.key'],
  impostor: ['impostor.crt', 'impostor.key'],
  'other-responder': ['other-ocsp.crt', 'ocsp.key'],
};

/** An OCSPResponse answering `request` (DER OCSPRequest) by the real openssl responder. */
export async function answerOcsp(request: Uint8Array, status: TsaCertStatus, opts: OcspOptions = {}): Promise<Uint8Array> {
  return inWork(async (work, { dir }) => {
    writeFileSync(join(work, 'index.txt'), indexLine(status, opts.serial));
    writeFileSync(join(work, 'req.der'), request);
    const [cert, key] = SIGNERS[opts.signer ?? 'responder'];
    await openssl(
      ['ocsp', '-index', 'index.txt', '-CA', join(dir, 'ca.crt'), '-rsigner', join(dir, cert), '-rkey', join(dir, key),
        '-reqin', 'req.der', '-respout', 'resp.der', ...(opts.nextUpdateMinutes === undefined ? [] : ['-nmin', String(opts.nextUpdateMinutes)])],
      work,
    );
    return new Uint8Array(readFileSync(join(work, 'resp.der')));
  });
}

/** An OCSPResponse about the TSA certificate (request made by `openssl ocsp -reqout`, no nonce). */
export async function ocspFor(status: TsaCertStatus, opts: OcspOptions = {}): Promise<Uint8Array> {
  const request = await inWork(async (work, { dir }) => {
    await openssl(['ocsp', '-issuer', join(dir, 'ca.crt'), '-cert', join(dir, opts.certFile ?? 'tsa.crt'), '-no_nonce', '-reqout', 'req.der'], work);
    return new Uint8Array(readFileSync(join(work, 'req.der')));
  });
  return answerOcsp(request, status, opts);
}

/** A DER CRL of the test root (or of the impostor root: same name, another key) from `openssl ca -gencrl`. */
export async function crlFor(status: TsaCertStatus, signer: 'ca' | 'impostor' = 'ca'): Promise<Uint8Array> {
  return inWork(async (work, { dir }) => {
    writeFileSync(join(work, 'index.txt'), indexLine(status));
    await openssl(['ca', '-gencrl', '-config', join(dir, 'rev.cnf'), '-cert', join(dir, `${signer}.crt`), '-keyfile', join(dir, `${signer}.key`), '-out', 'crl.pem'], work);
    await openssl(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der'], work);
    return new Uint8Array(readFileSync(join(work, 'crl.der')));
  });
}

export interface TestRevocation {
  /** POST application/ocsp-request here. */
  ocspUrl: string;
  /** GET the CRL here. */
  crlUrl: string;
  readonly requests: number;
  setStatus(status: TsaCertStatus): void;
  /** down: every request answered 503. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** An OCSP responder and CRL distribution point for the test TSA certificate, on 127.0.0.1:0. */
export async function startTestRevocation(initial: TsaCertStatus = 'good'): Promise<TestRevocation> {
  await files();
  let status = initial;
  let down = false;
  let requests = 0;
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    if (down) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    if (req.method === 'GET' && req.url === '/crl') {
      const crl = await crlFor(status);
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': String(crl.length) }).end(crl);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/ocsp-request') {
      res.writeHead(400).end();
      return;
    }
    const reply = await answerOcsp(new Uint8Array(Buffer.concat(chunks)), status);
    res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': String(reply.length) }).end(reply);
  };
  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ocspUrl: `http://127.0.0.1:${port}/ocsp`,
    crlUrl: `http://127.0.0.1:${port}/crl`,
    get requests() {
      return requests;
    },
    setStatus(next) {
      status = next;
    },
    setDown(next) {
      down = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
