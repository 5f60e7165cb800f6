/**
 * The witness's HTTP interface (node:http; the submission and monitoring prefixes are both the URL root):
 *
 *   POST /add-checkpoint            200 text/plain cosignature line(s); 409 text/x.tlog.size "<size>\n";
 *                                   400, 403, 404, 413, 422 text/plain "<CODE>: <message>\n"
 *   GET  /<origin hash>/checkpoint  200 text/plain the latest cosigned checkpoint; 404 if none
 *   anything else                   404 (unknown path), 405 (known path, other method; with Allow)
 *
 * Threat model: every byte is hostile. A body is refused with 413 as soon as its Content-Length, or the
 * bytes read, pass MAX_ADD_CHECKPOINT_BODY (the connection is then closed rather than drained); headers are
 * bounded (16 KiB), slow requests cut (headers 10 s, whole request 30 s), connections capped (256 by
 * default). Node answers a malformed request line or header itself (400/431/408). Nothing a client sends is answered with a 5xx:
 * every refusal is a coded CunzhengError mapped by WITNESS_STATUS; a 500 would be a bug, and is logged.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { CunzhengError } from '../errors.js';
import { MAX_ADD_CHECKPOINT_BODY, WITNESS_CONTENT_TYPE_SIZE, WITNESS_CONTENT_TYPE_TEXT, formatSizeBody } from './protocol.js';
import type { RequestFacts, Witness } from './witness.js';

/** The HTTP status of each code the witness answers with (tlog-witness.md, add-checkpoint). */
export const WITNESS_STATUS: Readonly<Record<string, number>> = {
  WITNESS_BAD_REQUEST: 400,
  WITNESS_NOT_SIGNED_BY_LOG: 403,
  WITNESS_BAD_LOG_SIGNATURE: 403,
  WITNESS_UNKNOWN_LOG: 404,
  WITNESS_NOT_FOUND: 404,
  WITNESS_METHOD_NOT_ALLOWED: 405,
  WITNESS_OLD_SIZE_MISMATCH: 409,
  WITNESS_REQUEST_TOO_LARGE: 413,
  WITNESS_BAD_EMPTY_ROOT: 422,
  WITNESS_BAD_PROOF: 422,
  WITNESS_FORK: 422,
};

export interface WitnessServerOptions {
  host: string;
  port: number;
  logger: Logger;
  maxConnections?: number;
}

export interface RunningWitnessServer {
  url: string;
  server: http.Server;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then waits for the state writes. */
  close(graceMs?: number): Promise<void>;
}

const CHECKPOINT_PATH = /^\/([0-9a-f]{64})\/checkpoint$/;
/** Refusals whose checkpoint verified under a trusted log key: evidence of misbehaviour, logged in full. */
const EVIDENCE = new Set(['WITNESS_FORK', 'WITNESS_BAD_PROOF', 'WITNESS_BAD_EMPTY_ROOT']);

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': WITNESS_CONTENT_TYPE_TEXT, 'content-length': String(bytes.length), 'cache-control': 'no-store', ...headers });
  res.end(bytes);
}

function sendError(res: http.ServerResponse, e: CunzhengError, headers: Record<string, string> = {}): void {
  const status = WITNESS_STATUS[e.code] ?? 500;
  if (status === 409) {
    send(res, 409, formatSizeBody((e.details as { size: number }).size), { 'content-type': WITNESS_CONTENT_TYPE_SIZE, ...headers });
    return;
  }
  send(res, status, `${e.code}: ${e.message.replace(/[\r\n]+/g, ' ')}\n`, headers);
}

function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  sendError(res, new CunzhengError('WITNESS_METHOD_NOT_ALLOWED', `only ${allow} here`), { allow });
}

/** Reads a body of at most `max` bytes; undefined (and a 413 sent, the connection closing) beyond. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, max: number): Promise<Uint8Array | undefined> {
  const tooLarge = (): undefined => {
    sendError(res, new CunzhengError('WITNESS_REQUEST_TOO_LARGE', `add-checkpoint: a body is at most ${max} bytes`), { connection: 'close' });
    res.once('finish', () => req.destroy());
    return undefined;
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return Promise.resolve(tooLarge());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Uint8Array | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        req.pause();
        finish(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => finish(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', () => finish(undefined));
    req.on('aborted', () => finish(undefined));
    req.on('close', () => finish(undefined));
  });
}

async function addCheckpoint(witness: Witness, req: http.IncomingMessage, res: http.ServerResponse, logger: Logger): Promise<void> {
  const t0 = performance.now();
  const body = await readBody(req, res, MAX_ADD_CHECKPOINT_BODY);
  if (body === undefined) {
    if (res.headersSent) logger.info({ status: 413 }, 'add-checkpoint refused: body too large');
    return;
  }
  const facts: RequestFacts = {};
  try {
    const r = await witness.addCheckpoint(body, facts);
    send(res, 200, r.lines.map((l) => `${l}\n`).join(''));
    logger.info({ ...facts, status: 200, ms: Math.round(performance.now() - t0) }, 'add-checkpoint cosigned');
  } catch (e) {
    if (!(e instanceof CunzhengError) || WITNESS_STATUS[e.code] === undefined) throw e;
    sendError(res, e);
    const status = WITNESS_STATUS[e.code];
    const entry = { ...facts, status, code: e.code, ...(status === 409 ? { witnessSize: (e.details as { size: number }).size } : {}) };
    if (EVIDENCE.has(e.code)) logger.warn({ ...entry, checkpoint: Buffer.from(body).toString('utf8').slice(0, 16_384) }, 'add-checkpoint refused: a validly signed checkpoint that does not extend the cosigned one');
    else logger.info(entry, `add-checkpoint refused: ${e.code}`);
  }
}

function route(witness: Witness, req: http.IncomingMessage, res: http.ServerResponse, logger: Logger): Promise<void> | void {
  const path = (req.url ?? '').split('?', 1)[0]!;
  if (path === '/add-checkpoint') {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    return addCheckpoint(witness, req, res, logger);
  }
  const m = CHECKPOINT_PATH.exec(path);
  if (m !== null) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    try {
      const note = witness.latestCheckpoint(m[1]!);
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-type': WITNESS_CONTENT_TYPE_TEXT, 'content-length': String(Buffer.byteLength(note)), 'cache-control': 'no-store' }).end();
      } else send(res, 200, note);
    } catch (e) {
      if (e instanceof CunzhengError) return sendError(res, e);
      throw e;
    }
    return;
  }
  sendError(res, new CunzhengError('WITNESS_NOT_FOUND', 'this witness serves POST /add-checkpoint and GET /<origin hash>/checkpoint'));
}

export async function startWitnessServer(witness: Witness, o: WitnessServerOptions): Promise<RunningWitnessServer> {
  const server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 65_000 }, (req, res) => {
    // Whatever the request read, nothing leaves the handler as an exception.
    Promise.resolve()
      .then(() => route(witness, req, res, o.logger))
      .catch((err: unknown) => {
        o.logger.error({ err: { message: (err as Error).message, code: (err as CunzhengError).code } }, 'witness: internal error');
        send(res, 500, 'INTERNAL: internal error\n');
      });
  });
  // 256 connections × a 1 MiB body at most: a bounded worst case of memory for bodies in flight.
  server.maxConnections = o.maxConnections ?? 256;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Node's own answer to a malformed request (400, 431 headers too large, 408 timeouts).
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    server,
    close(graceMs = 5_000): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        await witness.idle();
      })();
      return closing;
    },
  };
}
