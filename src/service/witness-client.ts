/**
 * The log's side of C2SP tlog-witness for one witness: POST `<url>/add-checkpoint` and read the answer.
 *
 *   request   old <size>\n <consistency proof lines> \n <the log's signed checkpoint>
 *   200       cosignature lines: only those that verify under this witness's policy key (cosignature/v1,
 *             key name and key ID matching, timestamp not 0) are kept; a 200 with none is WITNESS_BAD_ANSWER
 *   409       text/x.tlog.size "<size>\n": the witness's latest cosigned size. Learned, then the request is
 *             sent ONCE more from that size with the ledger's consistency proof (from 0: no proof, as the
 *             spec asks). A size beyond our tree is WITNESS_AHEAD: a witness that saw a larger tree of this
 *             origin is evidence of a fork (or of another log under our name); nothing is retried
 *   other     WITNESS_HTTP_ERROR with the status (and the start of the body, as text)
 *
 * Everything a witness sends is hostile: the answer is bounded (MAX_ANSWER_BYTES, the whole exchange by a
 * deadline), parsed strictly (witness/protocol.ts) and verified before a line is kept. Connections are kept
 * alive (the spec asks clients to), one agent per witnesser. This module throws CunzhengErrors; the
 * witnesser catches each witness's failure, so none reaches a deposit.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CunzhengError } from '../errors.js';
import { fromUtf8, utf8 } from '../crypto/index.js';
import { cosignatureTime, parseNote, type NoteVerifier } from '../note/index.js';
import {
  MAX_COSIGNATURE_LINE, MAX_COSIGNATURE_LINES, WITNESS_CONTENT_TYPE_SIZE, formatAddCheckpointRequest, parseCosignatureLines, parseSizeBody,
} from '../witness/protocol.js';

/** Largest answer read from a witness: the cosignature lines' bound and some room (the rest is refused). */
export const MAX_ANSWER_BYTES = MAX_COSIGNATURE_LINES * (MAX_COSIGNATURE_LINE + 1) + 1024;
export const DEFAULT_WITNESS_TIMEOUT_MS = 5_000;

export interface WitnessEndpoint {
  /** The policy's name for the witness (for logs and errors). */
  name: string;
  /** The submission prefix: requests go to `<url>/add-checkpoint`. */
  url: string;
  /** The witness's cosignature/v1 key from the policy. */
  verifier: NoteVerifier;
}

export interface CosignRequest {
  /** The log's signed checkpoint note (no cosignatures) and its tree size. */
  checkpoint: string;
  treeSize: number;
  /** The size we believe the witness is at (0 when unknown). */
  oldSize: number;
  /** The ledger's consistency proof between two sizes. */
  consistencyProof: (from: number, to: number) => Promise<Uint8Array[]>;
}

export interface CosignResult {
  /** The verified cosignature lines (without newline). */
  lines: string[];
  /** Lines of the 200 that were not this witness's valid cosignature (ignored). */
  ignored: number;
  /** The size learned from a 409 on the way, if any. */
  learned?: number;
}

export interface WitnessClientOptions {
  /** Deadline for each exchange, answer included (default 5 s). */
  timeoutMs?: number;
  agents?: { http: http.Agent; https: https.Agent };
}

/** Keep-alive agents for a witnesser's requests (close them with destroy()). */
export function witnessAgents(): { http: http.Agent; https: https.Agent } {
  return { http: new http.Agent({ keepAlive: true, maxSockets: 4 }), https: new https.Agent({ keepAlive: true, maxSockets: 4 }) };
}

/** Checks a witness's submission prefix: http or https, no query or fragment. WITNESS_BAD_URL. */
export function checkWitnessUrl(name: string, url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CunzhengError('WITNESS_BAD_URL', `witness ${name}: ${JSON.stringify(url.slice(0, 200))} is not a URL`, { details: { witness: name } });
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
    throw new CunzhengError('WITNESS_BAD_URL', `witness ${name}: only http:// and https:// submission prefixes without query, fragment or credentials are supported`, {
      details: { witness: name },
    });
  }
  return u;
}

interface Answer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** One POST, bounded in time and size. WITNESS_TIMEOUT, WITNESS_UNREACHABLE, WITNESS_BAD_ANSWER (too large). */
function post(w: WitnessEndpoint, body: string, opts: WitnessClientOptions): Promise<Answer> {
  const base = checkWitnessUrl(w.name, w.url);
  const target = new URL(`${base.pathname.replace(/\/+$/, '')}/add-checkpoint`, base);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WITNESS_TIMEOUT_MS;
  const isHttps = target.protocol === 'https:';
  const agent = isHttps ? opts.agents?.https : opts.agents?.http;
  const payload = utf8(body);
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const finish = (e: CunzhengError | undefined, a?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e !== undefined) {
        req.destroy();
        reject(e);
      } else resolve(a!);
    };
    const req = (isHttps ? https : http).request(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(payload.length), accept: 'text/plain, text/x.tlog.size' },
      ...(agent === undefined ? {} : { agent }),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          finish(new CunzhengError('WITNESS_BAD_ANSWER', `witness ${w.name} answered more than ${MAX_ANSWER_BYTES} bytes`, { details: { witness: w.name, status: res.statusCode } }));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => finish(undefined, {
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
        body: new Uint8Array(Buffer.concat(chunks)),
      }));
      res.on('error', (err) => finish(unreachable(w, err)));
      res.on('aborted', () => finish(unreachable(w, new Error('the answer was cut off'))));
    });
    const timer = setTimeout(() => {
      finish(new CunzhengError('WITNESS_TIMEOUT', `witness ${w.name} did not answer within ${timeoutMs} ms`, { details: { witness: w.name, timeoutMs } }));
    }, timeoutMs);
    req.on('error', (err) => finish(unreachable(w, err)));
    req.end(payload);
  });
}

function unreachable(w: WitnessEndpoint, err: unknown): CunzhengError {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
  return new CunzhengError('WITNESS_UNREACHABLE', `cannot reach witness ${w.name}: ${String(why).slice(0, 200)}`, { details: { witness: w.name }, cause: err });
}

/** The start of a body as one line of printable text, for an error message. */
function snippet(body: Uint8Array): string {
  let text: string;
  try {
    text = fromUtf8(body.subarray(0, 200));
  } catch {
    return `(${body.length} bytes, not UTF-8)`;
  }
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ').trim();
}

/**
 * The lines of a 200 that are valid cosignatures of `checkpoint`'s body by `verifier`: same key name and
 * key ID, signature verifies, timestamp not zero (the spec forbids 0 on add-checkpoint answers).
 */
export function verifiedCosignatures(checkpoint: string, lines: readonly string[], verifier: NoteVerifier): { kept: string[]; ignored: number } {
  const { text } = parseNote(checkpoint);
  const body = utf8(text);
  const kept: string[] = [];
  let ignored = 0;
  for (const line of lines) {
    let ok = false;
    try {
      const [sig] = parseNote(`${text}\n${line}\n`).signatures;
      ok = sig !== undefined && sig.name === verifier.name && sig.keyId === verifier.keyId &&
        verifier.verify(body, sig.signature) && cosignatureTime(sig.signature) > 0;
    } catch {
      ok = false;
    }
    if (ok && !kept.includes(line)) kept.push(line);
    else ignored++;
  }
  return { kept, ignored };
}

async function proofFrom(r: CosignRequest, from: number): Promise<Uint8Array[]> {
  // The empty tree is consistent with every tree: from 0 the proof MUST be empty (a witness answers 422 otherwise).
  return from === 0 || from === r.treeSize ? [] : r.consistencyProof(from, r.treeSize);
}

/**
 * Asks witness `w` to cosign `r.checkpoint`. Resolves with the verified lines; rejects with a WITNESS_*
 * CunzhengError (details.witness, details.status when there was one, details.size when a 409 told it).
 */
export async function requestCosignature(w: WitnessEndpoint, r: CosignRequest, opts: WitnessClientOptions = {}): Promise<CosignResult> {
  let oldSize = r.oldSize > r.treeSize ? 0 : r.oldSize;
  let learned: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const body = formatAddCheckpointRequest({ oldSize, proof: await proofFrom(r, oldSize), checkpoint: r.checkpoint });
    const a = await post(w, body, opts);
    if (a.status === 200) {
      let lines: string[];
      try {
        lines = parseCosignatureLines(a.body);
      } catch (cause) {
        throw new CunzhengError('WITNESS_BAD_ANSWER', `witness ${w.name} answered 200 without readable cosignature lines (${(cause as CunzhengError).message})`, {
          details: { witness: w.name, status: 200 }, cause,
        });
      }
      const { kept, ignored } = verifiedCosignatures(r.checkpoint, lines, w.verifier);
      if (kept.length === 0) {
        throw new CunzhengError('WITNESS_BAD_ANSWER', `witness ${w.name} answered 200 with no valid cosignature by its key ${w.verifier.name} (${lines.length} line(s) ignored)`, {
          details: { witness: w.name, status: 200, ignored },
        });
      }
      return { lines: kept, ignored, ...(learned === undefined ? {} : { learned }) };
    }
    if (a.status === 409) {
      if (a.contentType !== WITNESS_CONTENT_TYPE_SIZE) {
        throw new CunzhengError('WITNESS_BAD_ANSWER', `witness ${w.name} answered 409 with content type ${JSON.stringify(a.contentType.slice(0, 60))}, not ${WITNESS_CONTENT_TYPE_SIZE}`, {
          details: { witness: w.name, status: 409 },
        });
      }
      let size: number;
      try {
        size = parseSizeBody(a.body);
      } catch (cause) {
        throw new CunzhengError('WITNESS_BAD_ANSWER', `witness ${w.name} answered 409 with an unreadable size`, { details: { witness: w.name, status: 409 }, cause });
      }
      learned = size;
      if (size > r.treeSize) {
        throw new CunzhengError('WITNESS_AHEAD', `witness ${w.name} has cosigned a tree of size ${size} for this origin, beyond this log's ${r.treeSize}: a fork, or another log under this origin`, {
          details: { witness: w.name, status: 409, size, treeSize: r.treeSize },
        });
      }
      if (attempt > 0) {
        throw new CunzhengError('WITNESS_CONFLICT', `witness ${w.name} answered 409 twice (now at size ${size}, asked from ${oldSize})`, {
          details: { witness: w.name, status: 409, size },
        });
      }
      oldSize = size;
      continue;
    }
    throw new CunzhengError('WITNESS_HTTP_ERROR', `witness ${w.name} answered HTTP ${a.status}: ${snippet(a.body)}`.slice(0, 400), {
      details: { witness: w.name, status: a.status, ...(learned === undefined ? {} : { size: learned }) },
    });
  }
}
