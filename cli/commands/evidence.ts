/**
 * `cunzheng evidence PATH|ID… --out case.zip [--title 案由] [--policy FILE] [--tsa-roots PEM] [--key VKEY]…
 *                    [--trust FILE]… [--lang zh|en] [--threads N] [--url U] [--api-key K] [--json]`
 * The evidence package (证据包, src/evidence/README.md) of the chosen documents: PATH is a receipt file or a
 * folder searched for receipts (`X.receipt.json`, versions' `X.receipt.vN.json`, events'
 * `<file>.<kind>.<n>.receipt.json`), ID a deposit id (32 hex). For each document the service's history is
 * fetched (every version and event with its receipt: a folder is completed by it); a receipt held locally is
 * packaged in preference to the service's copy (it may carry an anchor nearer its time). Every receipt is
 * verified (under --key/--trust/--policy, else under the key GET /v1/log names, which the README then calls a
 * hint to check) before anything is written; one that fails → no package, exit 1 with its code. The newest
 * checkpoint, a consistency proof from every receipt's tree to it, the certificates (on worker threads), the
 * manifest; its two roots are deposited and that receipt closes the zip. Written to <out>.tmp, then renamed.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { CunzhengError } from '../../src/errors.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../exit-codes.js';
import { clean, clientOf, clientOptions } from '../client.js';

export interface EvidenceFlags {
  out: string;
  title?: string;
  policy?: string;
  tsaRoots?: string;
  key: string[];
  trust: string[];
  lang: string;
  threads?: string;
  url?: string;
  apiKey?: string;
  config?: string;
  json: boolean;
}

const ID_RE = /^[0-9a-f]{32}$/;
const RECEIPT_NAME = /\.receipt(\.v[0-9]+)?\.json$/;
const MAX_PAGES = 1000;

interface Held { bytes: Uint8Array; id: string; leafIndex: number; anchors: number; treeSize: number }

/** The receipt files under the paths given (files as given, folders searched), and the ids given. */
function targets(paths: readonly string[]): { files: string[]; ids: string[] } {
  const files: string[] = [];
  const ids: string[] = [];
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (d.name === '.git' || d.name === 'node_modules') continue;
      const full = join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else if (RECEIPT_NAME.test(d.name) && !d.name.startsWith('.')) files.push(full);
    }
  };
  for (const p of paths) {
    if (existsSync(p)) {
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    } else if (ID_RE.test(p)) ids.push(p);
    else throw new UsageError(`${p}: no such file or folder, and not a deposit id (32 lowercase hex)`);
  }
  return { files, ids };
}

export async function runEvidence(paths: string[], flags: EvidenceFlags, out: (s: string) => void): Promise<number> {
  if (paths.length === 0) throw new UsageError('nothing to package: cunzheng evidence PATH|ID… --out case.zip');
  const { CERTIFICATE_LANGS } = await import('../../src/certificate/index.js');
  if (!(CERTIFICATE_LANGS as readonly string[]).includes(flags.lang)) throw new UsageError(`--lang ${flags.lang}: expected zh or en`);
  const lang = flags.lang as 'zh' | 'en';
  if (existsSync(flags.out)) throw new UsageError(`--out ${flags.out}: the file exists (an evidence package is never overwritten)`);
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 64)) throw new UsageError(`--threads ${flags.threads}: expected 1 to 64`);
  if (flags.title !== undefined && (flags.title.length > 500 || /[\u0000-\u001f\u007f]/.test(flags.title))) throw new UsageError('--title: at most 500 characters, no control characters');
  const { base, apiKey } = clientOf(flags);
  const { MAX_RECEIPT_BYTES, parseReceipt, verifyReceipt, formatReceipt } = await import('../../src/receipt/index.js');
  const { parseCheckpoint, openCheckpoint } = await import('../../src/checkpoint/index.js');
  const { formatVerifierKey, parseVerifierKey } = await import('../../src/note/index.js');
  const { fromBase64, toBase64, utf8 } = await import('../../src/crypto/index.js');
  const { verifyConsistency } = await import('../../src/merkle/index.js');
  const { loadTrustedKeys, loadTsaRoots } = await import('../trust.js');
  const { loadPolicy } = await import('../policy-file.js');
  const { readUserFile, readUserText, MAX_TEXT_BYTES } = await import('../user-file.js');
  const { request } = await import('../http-client.js');
  const { callApi } = await import('./event.js');
  const evidence = await import('../../src/evidence/index.js');

  const treeSizeOf = (checkpoint: string): number => parseCheckpoint(checkpoint.slice(0, checkpoint.indexOf('\n\n') + 1)).treeSize;
  const held = (bytes: Uint8Array): Held => {
    const r = parseReceipt(bytes);
    return { bytes, id: r.id, leafIndex: r.index, anchors: r.anchors.length, treeSize: treeSizeOf(r.checkpoint) };
  };
  // The one that proves most of two receipts of an entry: more anchors, then the newer checkpoint.
  const better = (a: Held, b: Held): Held => (b.anchors > a.anchors || (b.anchors === a.anchors && b.treeSize > a.treeSize) ? b : a);

  // Local receipts, then each document's history from the service.
  const { files, ids } = targets(paths);
  const local = new Map<string, Held>();
  for (const file of files) {
    let h: Held;
    try {
      h = held(readUserFile(file, 'receipt', MAX_RECEIPT_BYTES));
    } catch (e) {
      if (e instanceof CunzhengError) throw new UsageError(`${file}: not a receipt (${e.code}: ${e.message})`);
      throw e;
    }
    local.set(h.id, local.has(h.id) ? better(local.get(h.id)!, h) : h);
  }
  const wanted = [...new Set([...local.keys(), ...ids])];
  if (wanted.length === 0) throw new UsageError(`no receipt found in ${paths.join(', ')}`);
  const docs = new Map<string, Held[]>();
  const covered = new Set<string>();
  for (const id of wanted) {
    if (covered.has(id)) continue;
    const items: Held[] = [];
    let doc: string | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const url = new URL(`v1/deposits/${id}/history?limit=100${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, base);
      const p = await callApi<{ doc?: unknown; items?: { receipt?: unknown }[]; cursor?: unknown }>(url, apiKey);
      if (typeof p !== 'object' || p === null || !Array.isArray(p.items) || typeof p.doc !== 'string') throw new UsageError(`${url}: the answer is not a history`);
      doc ??= p.doc;
      for (const item of p.items) {
        try {
          items.push(held(utf8(formatReceipt(parseReceipt(JSON.stringify(item.receipt))))));
        } catch (e) {
          if (e instanceof CunzhengError) throw new UsageError(`${url}: a receipt in the answer does not parse (${e.code})`);
          throw e;
        }
      }
      if (typeof p.cursor !== 'string' || p.items.length === 0) break;
      cursor = p.cursor;
    }
    if (doc === undefined) throw new UsageError(`no history for ${id}`);
    if (!items.some((i) => i.id === id)) throw new UsageError(`the history of ${id} does not hold it`);
    for (const i of items) covered.add(i.id);
    docs.set(doc, [...(docs.get(doc) ?? []), ...items]);
  }
  // By document (ledger order of its first entry), then ledger order; one receipt per entry, local first.
  const ordered = [...docs.values()].map((items) => [...new Map(items.map((i) => [i.id, i])).values()].sort((a, b) => a.leafIndex - b.leafIndex))
    .sort((a, b) => a[0]!.leafIndex - b[0]!.leafIndex).flat().map((i) => local.get(i.id) ?? i);

  // Trust: the user's keys, else the log's own (said so in the README).
  const log = (await callApi<{ key?: unknown; sm2Key?: unknown; checkpoint?: unknown }>(new URL('v1/log', base), apiKey));
  const policy = loadPolicy(flags.policy);
  let keys = loadTrustedKeys(flags.key, flags.trust);
  const keysFromLog = keys.length === 0 && (policy === undefined || policy.logs.length === 0);
  const logKeys = [log.key, log.sm2Key].filter((k): k is string => typeof k === 'string');
  if (keysFromLog) keys = logKeys.map((k) => parseVerifierKey(k));
  const tsaRoots = loadTsaRoots(flags.tsaRoots);
  const options = { tsaRoots, ...(policy === undefined ? {} : { policy }) };
  const failures: { id: string; code: string; message: string }[] = [];
  for (const r of ordered) {
    try {
      await verifyReceipt(r.bytes, keys, {}, options);
    } catch (e) {
      if (!(e instanceof CunzhengError)) throw e;
      failures.push({ id: r.id, code: e.code, message: e.message });
    }
  }
  if (failures.length > 0) {
    if (flags.json) out(JSON.stringify({ ok: false, written: null, failures }, null, 2));
    else for (const f of failures) out(`✘ ${f.id}: ${f.code}: ${clean(f.message)}`);
    if (!flags.json) out(`no package written: ${failures.length} of ${ordered.length} receipts do not verify`);
    return EXIT_FAILED;
  }

  // The newest checkpoint (the cosigned one or the log's own, whichever is larger), proofs to it.
  const publicCheckpoint = new TextDecoder().decode((await request(new URL('checkpoint', base))).body);
  const verifiers = [...keys, ...(policy?.logs.map((l) => l.verifier) ?? [])];
  const candidates = [publicCheckpoint, typeof log.checkpoint === 'string' ? log.checkpoint : ''].flatMap((c) => {
    try {
      return [{ note: c, cp: openCheckpoint(c, verifiers).checkpoint }];
    } catch {
      return [];
    }
  });
  if (candidates.length === 0) throw new UsageError(`${base}checkpoint: not a checkpoint signed by the trusted log key`);
  const newest = candidates.reduce((a, b) => (b.cp.treeSize > a.cp.treeSize ? b : a));
  const proofs = new Map<number, Uint8Array[]>();
  for (const r of ordered) {
    if (proofs.has(r.treeSize)) continue;
    if (r.treeSize > newest.cp.treeSize) throw new UsageError(`the receipt ${r.id} is of a newer tree (${r.treeSize}) than the log's checkpoint (${newest.cp.treeSize}): try again`);
    const { proof } = r.treeSize === newest.cp.treeSize ? { proof: [] as string[] } : await callApi<{ proof: string[] }>(new URL(`v1/proof/consistency?from=${r.treeSize}&to=${newest.cp.treeSize}`, base), apiKey);
    const hashes = proof.map((h) => fromBase64(h, 32));
    const root = fromBase64((await verifyReceipt(r.bytes, keys, {}, options)).rootHash, 32);
    try {
      verifyConsistency(r.treeSize, newest.cp.treeSize, hashes, root, newest.cp.rootHash);
    } catch (e) {
      throw new CunzhengError('EVIDENCE_INCONSISTENT', `the log's consistency proof from tree size ${r.treeSize} to ${newest.cp.treeSize} does not verify: ${(e as Error).message}`);
    }
    proofs.set(r.treeSize, hashes);
  }

  const verifierKeys = keysFromLog ? logKeys : [...new Set([...keys.map((k) => formatVerifierKey(k.name, k.publicKey, k.type)), ...(policy?.logs.map((l) => l.vkey) ?? [])])];
  const verifierPath = new URL('../../web/verifier.html', import.meta.url);
  const { makeCertificatesParallel } = await import('../../src/workers/certificates.js');
  const { stream, result } = evidence.buildEvidencePackage({
    title: flags.title ?? null, lang, receipts: ordered.map((r) => r.bytes), checkpoint: newest.note,
    consistency: { treeSize: newest.cp.treeSize, proofs }, verifierKeys, keysFromLog,
    ...(policy === undefined ? {} : { policy: policy.bytes }),
    ...(flags.tsaRoots === undefined ? {} : { tsaRoots: utf8(readUserText(flags.tsaRoots, '--tsa-roots', MAX_TEXT_BYTES)) }),
    ...(existsSync(verifierPath) ? { verifierHtml: readFileSync(verifierPath) } : {}),
    certificates: (items) => makeCertificatesParallel(items, threads === undefined ? {} : { threads }),
    async deposit(item) {
      const res = await request(new URL('v1/deposits', base), { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(item) });
      if (res.status >= 300) throw new UsageError(`POST ${base}v1/deposits: ${res.status}: ${clean(new TextDecoder().decode(res.body).slice(0, 300))}`);
      // The package's own receipt is held to the same keys, and must be of the two roots.
      await verifyReceipt(res.body, keys, { digest: { sha256: item.sha256, sm3: item.sm3 } }, options);
      return utf8(formatReceipt(parseReceipt(res.body)));
    },
  });
  const tmp = `${flags.out}.tmp`;
  try {
    await pipeline(stream, createWriteStream(tmp, { flags: 'wx' }));
    const made = await result;
    renameSync(tmp, flags.out);
    const size = statSync(flags.out).size;
    if (flags.json) out(JSON.stringify({ ok: true, written: flags.out, bytes: size, exhibits: made.exhibits, files: made.files, roots: made.roots, packageId: made.packageId, time: made.time, keysFromLog }, null, 2));
    else {
      out(`✔ ${flags.out}: ${made.exhibits} exhibits, ${made.files} files, ${(size / 1e6).toFixed(1)} MB`);
      out(`  roots: SHA-256 ${made.roots.sha256}, SM3 ${made.roots.sm3}; deposited as ${made.packageId} (package.receipt.json)`);
      if (keysFromLog) out('  receipts verified under the key the log itself names (GET /v1/log): check it against the key the operator publishes');
    }
    return EXIT_OK;
  } catch (e) {
    rmSync(tmp, { force: true });
    await result.catch(() => undefined);
    throw e;
  }
}

export function registerEvidenceCommand(program: Command, setExit: (code: number) => void, stdout: (s: string) => void): void {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  clientOptions(program
    .command('evidence')
    .description('the evidence package (证据包) of documents: every version\'s and event\'s receipt and certificate, the log\'s checkpoint and consistency proofs, a README, a manifest whose roots are deposited; one zip, verifiable offline with cunzheng verify case.zip')
    .argument('<path...>', 'receipt files, folders of receipts, or deposit ids (32 hex)')
    .requiredOption('--out <zip>', 'the package to write (never overwritten)')
    .option('--title <text>', 'the matter (案由), printed in the README and the manifest and deposited with the roots')
    .option('--policy <file>', 'a C2SP tlog-policy file: receipts must meet its witness quorum; packaged as log/policy.txt')
    .addOption(new Option('--tsa-roots <pem>', 'TSA root certificates: each anchor\'s token is checked; packaged as tsa-roots.pem').env('CUNZHENG_TSA_ROOTS'))
    .addOption(new Option('--key <vkey>', 'a trusted log verifier key (repeatable; default: the key GET /v1/log names)').argParser(collect).default([]))
    .addOption(new Option('--trust <file>', 'a file of trusted verifier keys (repeatable)').argParser(collect).default([]))
    .option('--lang <lang>', 'the certificates\' language: zh (default) or en', 'zh')
    .option('--threads <n>', 'worker threads for the certificates (default: one per core)'))
    .option('--json', 'print the machine-readable result on stdout', false)
    .action(async (paths: string[], flags: EvidenceFlags) => {
      setExit(await runEvidence(paths, flags, stdout));
    });
}
