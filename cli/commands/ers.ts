/**
 * `cunzheng ers verify RECORD (--data FILE | --receipt RECEIPT [--anchor N]) --tsa-roots PEM [--at DATE] [--json]`
 * `cunzheng ers renew RECORD (--data FILE | --receipt RECEIPT [--anchor N]) --tsa URL --tsa-roots PEM [--out FILE]`
 *
 * RFC 4998 evidence records held by their owner (from `receipt export --ers` or GET
 * /v1/checkpoints/<size>/evidence-record): verify one through its renewal chain at a date, and renew one — a
 * new timestamp over the last one (§5.2), verified with the roots before the record is rewritten atomically.
 * The data object is a file, or the checkpoint body of a receipt's anchor.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { requestTimestamp } from '../../src/anchor/index.js';
import { CunzhengError } from '../../src/errors.js';
import { checkpointBody, MAX_RECORD_BYTES, renewalImprint, renewEvidenceRecord, verifyEvidenceRecord, type EvidenceRecordVerification } from '../../src/ers/index.js';
import { beijingDateTime } from '../../src/lifecycle/time.js';
import { MAX_RECEIPT_BYTES, parseReceipt } from '../../src/receipt/index.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { loadTsaRoots } from '../trust.js';
import { readUserFile } from '../user-file.js';

export interface ErsDataFlags {
  data?: string;
  receipt?: string;
  anchor?: string;
  tsaRoots?: string;
}

/** The data object: a file's bytes, or the body of a receipt's anchored checkpoint. */
function dataObject(flags: ErsDataFlags): Uint8Array {
  if ((flags.data === undefined) === (flags.receipt === undefined)) throw new UsageError('give the data object: --data FILE or --receipt RECEIPT');
  if (flags.data !== undefined) {
    if (flags.anchor !== undefined) throw new UsageError('--anchor goes with --receipt');
    return readUserFile(flags.data, '--data');
  }
  const index = flags.anchor === undefined ? 0 : /^(0|[1-9]\d?)$/.test(flags.anchor) ? Number(flags.anchor) : undefined;
  if (index === undefined) throw new UsageError(`--anchor ${flags.anchor}: expected an anchor index 0, 1, …`);
  let anchors;
  try {
    anchors = parseReceipt(readUserFile(flags.receipt!, 'receipt', MAX_RECEIPT_BYTES)).anchors ?? [];
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    throw new UsageError(`--receipt ${flags.receipt}: ${e.code}: ${e.message}`);
  }
  const anchor = anchors[index];
  if (anchor === undefined) throw new UsageError(`--receipt ${flags.receipt}: ERS_NO_ANCHOR: the receipt has ${anchors.length} anchor(s), no anchor ${index}`);
  return checkpointBody(anchor.checkpoint);
}

function roots(flags: ErsDataFlags): Uint8Array[] {
  if (flags.tsaRoots === undefined) throw new UsageError('--tsa-roots PEM is required: the TSA roots you trust');
  const list = loadTsaRoots(flags.tsaRoots);
  if (list.length === 0) throw new UsageError(`--tsa-roots ${flags.tsaRoots}: no certificate in it`);
  return list;
}

/** `--at`: a date (YYYY-MM-DD, midnight Beijing time) or an ISO 8601 time with Z or an offset. */
export function parseAt(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00+08:00` : text;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--at ${text}: expected YYYY-MM-DD (Beijing time) or an ISO 8601 time with Z or an offset`);
  return new Date(ms);
}

function report(v: EvidenceRecordVerification): string[] {
  const lines = [`✔ evidence record verified: the data object existed at ${beijingDateTime(v.genTime.toISOString())}`];
  v.chains.forEach((c, i) => c.timeStamps.forEach((t, j) => lines.push(
    `  chain ${i} timestamp ${j} (${c.hash}): ${beijingDateTime(t.genTime.toISOString())} by ${t.tsa}, serial ${t.serialNumber}, TSA certificate until ${beijingDateTime(t.signerNotAfter.toISOString())}`)));
  lines.push(`  protected until ${beijingDateTime(v.protectedUntil.toISOString())}: renew before then`);
  return lines;
}

export async function runErsVerify(path: string, flags: ErsDataFlags & { at?: string; json?: boolean }, out: (s: string) => void): Promise<number> {
  const at = flags.at === undefined ? new Date() : parseAt(flags.at);
  const data = dataObject(flags);
  const trusted = roots(flags);
  const record = readUserFile(path, 'evidence record', MAX_RECORD_BYTES);
  try {
    const v = await verifyEvidenceRecord(record, data, { roots: trusted, at });
    if (flags.json === true) out(JSON.stringify({ ok: true, at: at.toISOString(), ...v }, null, 2));
    else for (const line of report(v)) out(line);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    if (flags.json === true) out(JSON.stringify({ ok: false, at: at.toISOString(), code: e.code, message: e.message }, null, 2));
    else out(`✘ ${path}: ${e.code}: ${e.message}`);
    return EXIT_FAILED;
  }
}

export async function runErsRenew(path: string, flags: ErsDataFlags & { tsa?: string; out?: string }, out: (s: string) => void): Promise<number> {
  if (flags.tsa === undefined) throw new UsageError('--tsa URL is required: the Time-Stamp Authority to renew at');
  const data = dataObject(flags);
  const trusted = roots(flags);
  const record = readUserFile(path, 'evidence record', MAX_RECORD_BYTES);
  const target = flags.out ?? path;
  try {
    // The record must hold before it is renewed: a renewal of broken evidence proves nothing.
    await verifyEvidenceRecord(record, data, { roots: trusted, at: new Date() });
    const { hash, imprint } = renewalImprint(record);
    if (hash !== 'SHA-256') throw new UsageError(`the record's last chain uses ${hash}; renewal asks TSAs for SHA-256 imprints only`);
    let token: Uint8Array;
    try {
      ({ token } = await requestTimestamp(flags.tsa, imprint, { roots: trusted }));
    } catch (e) {
      // A TSA that cannot be reached is exit 2, like every server that cannot be reached.
      if (e instanceof CunzhengError && ['TSA_BAD_URL', 'TSA_UNREACHABLE', 'TSA_TIMEOUT', 'TSA_HTTP_ERROR'].includes(e.code)) throw new UsageError(`--tsa ${flags.tsa}: ${e.code}: ${e.message}`);
      throw e;
    }
    const renewed = renewEvidenceRecord(record, data, token);
    const v = await verifyEvidenceRecord(renewed, data, { roots: trusted, at: new Date() });
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, renewed, { flag: 'wx' });
      renameSync(tmp, target);
    } catch (e) {
      throw new UsageError(`cannot write ${target}: ${(e as Error).message}`);
    }
    const last = v.chains.at(-1)!.timeStamps.at(-1)!;
    out(`✔ ${target}: renewed by ${last.tsa} at ${beijingDateTime(last.genTime.toISOString())}; protected until ${beijingDateTime(v.protectedUntil.toISOString())}`);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof CunzhengError)) throw e;
    out(`✘ ${path}: ${e.code}: ${e.message}`);
    return EXIT_FAILED;
  }
}

