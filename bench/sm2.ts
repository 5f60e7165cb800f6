/**
 * SM2 signatures: what one costs, beside Ed25519 and beside OpenSSL's SM2 (through Node's crypto), and what a
 * second signature line costs the ledger, whose every group commit signs a checkpoint.
 *
 *   µs per operation (median of `runs` runs, each at least `minMs`), over a checkpoint-sized message (~100 B):
 *     SM2 sign, sm2Signer        the log's signer: ZA computed once for the key (what the ledger uses)
 *     SM2 sign, sm2Sign          one-shot: derives the public key and ZA on every call
 *     SM2 verify, known key      a key verified before (its wNAF table is built on the second use)
 *     SM2 verify, first use      each signature under a key never seen before (a fixed 100 keys per run)
 *     OpenSSL SM2 sign / verify  node:crypto sign('sm3') / verify with an SM2 key: EMPTY identifier, so not
 *                                standard (crypto/README.md) — a speed peer only, the C implementation
 *     Ed25519 sign / verify      node:crypto, the log's other key
 *     checkpoint signed, Ed25519 / Ed25519 + SM2   signCheckpoint as the ledger's CheckpointSigner calls it
 *     checkpoint opened, both keys                 openCheckpoint with both log keys (log-quorum all)
 *   appends/s: durable `Ledger.append`, one entry in flight (every append is its own group commit, so one
 *   checkpoint signature each — the worst case for a second signature), without and with `sm2KeyPath`;
 *   and 100 and 1,000 in flight (`maxGroup` the same: one checkpoint per 100 or 1,000 entries).
 *
 * Temp dirs under os.tmpdir(), removed at the end whatever happens.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openCheckpoint, signCheckpoint } from '../src/checkpoint/index.js';
import {
  ed25519Sign, ed25519Verify, generateKeyPair, sha256, sm2GenerateKeyPair, sm2PrivateKeyToPem, sm2PublicKeyToPem,
  sm2Sign, sm2Signer, sm2Verify, utf8,
} from '../src/crypto/index.js';
import { Ledger } from '../src/ledger/index.js';
import { formatVerifierKey, generateSigner, generateSm2Signer, parseSignerKey, parseVerifierKey } from '../src/note/index.js';
import { summarize, type BenchResult } from './harness.js';

const GROUP = 'sm2';
const ORIGIN = 'bench.example/sm2';

export interface Sm2BenchOptions {
  runs?: number;
  minMs?: number;
  /** Seconds per ledger run. */
  ledgerSeconds?: number;
}

function log(message: string): void {
  process.stderr.write(`[bench sm2] ${message}\n`);
}

/** µs per call of `fn`: `runs` runs, each of at least `minMs` after a short warm-up. */
function micros(name: string, fn: () => unknown, runs: number, minMs: number, note?: string): BenchResult {
  const warmEnd = performance.now() + 1000; // the bigint code of SM2 needs about a second to settle
  while (performance.now() < warmEnd) fn();
  const values: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) {
      fn();
      n++;
      t = performance.now();
    }
    values.push(((t - t0) * 1000) / n);
  }
  return summarize(GROUP, name, values, 'µs/op', note);
}

async function appendRate(name: string, sm2: boolean, inFlight: number, seconds: number, runs: number): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cunzheng-bench-sm2-'));
  try {
    const ledger = await Ledger.open({ dataDir: dir, origin: ORIGIN, maxGroup: inFlight, ...(sm2 ? { sm2KeyPath: join(dir, 'log-sm2.key') } : {}) });
    try {
      let i = 0;
      const rates: number[] = [];
      for (let r = 0; r < runs + 1; r++) {
        const t0 = performance.now();
        let n = 0;
        while (performance.now() - t0 < seconds * 1000) {
          const batch = [];
          for (let k = 0; k < inFlight; k++) batch.push(ledger.append(utf8(`entry ${i++}`)));
          await Promise.all(batch);
          n += inFlight;
        }
        if (r > 0) rates.push((n * 1000) / (performance.now() - t0)); // the first run warms up
      }
      return summarize(GROUP, name, rates, 'appends/s');
    } finally {
      await ledger.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchSm2(opts: Sm2BenchOptions = {}): Promise<BenchResult[]> {
  const runs = opts.runs ?? 5;
  const minMs = opts.minMs ?? 500;
  const seconds = opts.ledgerSeconds ?? 2;
  const out: BenchResult[] = [];
  const msg = utf8(`${ORIGIN}\n1234567\n${Buffer.from(sha256(utf8('root'))).toString('base64')}\n`);

  log('signatures');
  const { privateKey, publicKey } = sm2GenerateKeyPair();
  const signer = sm2Signer(privateKey);
  const sig = signer(msg);
  out.push(micros('SM2 sign, sm2Signer (ZA cached; the ledger\'s)', () => signer(msg), runs, minMs));
  out.push(micros('SM2 sign, sm2Sign (one-shot)', () => sm2Sign(privateKey, msg), runs, minMs));
  if (!sm2Verify(publicKey, msg, sig)) throw new Error('SM2 verify failed');
  out.push(micros('SM2 verify, known key', () => sm2Verify(publicKey, msg, sig), runs, minMs));
  // First use of a key: 100 keys per run, each verified once.
  const firstUse: number[] = [];
  for (let r = 0; r < runs; r++) {
    const pool = Array.from({ length: 100 }, () => {
      const k = sm2GenerateKeyPair();
      return { pub: k.publicKey, sig: sm2Sign(k.privateKey, msg) };
    });
    const t0 = performance.now();
    for (const k of pool) if (!sm2Verify(k.pub, msg, k.sig)) throw new Error('SM2 verify failed');
    firstUse.push(((performance.now() - t0) * 1000) / pool.length);
  }
  out.push(summarize(GROUP, 'SM2 verify, first use of a key', firstUse, 'µs/op'));
  const nodeKey = createPrivateKey(sm2PrivateKeyToPem(privateKey));
  const nodePub = createPublicKey(sm2PublicKeyToPem(publicKey));
  const nodeSig = nodeSign('sm3', msg, nodeKey);
  const peerNote = 'empty identifier: not standard, speed peer only';
  out.push(micros('OpenSSL SM2 sign (node:crypto)', () => nodeSign('sm3', msg, nodeKey), runs, minMs, peerNote));
  out.push(micros('OpenSSL SM2 verify (node:crypto)', () => nodeVerify('sm3', msg, nodePub, nodeSig), runs, minMs, peerNote));
  const ed = generateKeyPair();
  const edSig = ed25519Sign(ed.seed, msg);
  out.push(micros('Ed25519 sign', () => ed25519Sign(ed.seed, msg), runs, minMs));
  out.push(micros('Ed25519 verify', () => ed25519Verify(ed.publicKey, msg, edSig), runs, minMs));

  log('checkpoints');
  const edSigner = parseSignerKey(generateSigner(ORIGIN).signerKey);
  const sm2Note = generateSm2Signer(ORIGIN);
  const cp = { origin: ORIGIN, treeSize: 1234567, rootHash: sha256(utf8('root')).slice(), extensions: [] };
  out.push(micros('checkpoint signed, Ed25519', () => signCheckpoint(cp, edSigner), runs, minMs));
  out.push(micros('checkpoint signed, Ed25519 + SM2', () => signCheckpoint(cp, edSigner, [sm2Note.signer]), runs, minMs));
  const dual = signCheckpoint(cp, edSigner, [sm2Note.signer]);
  const verifiers = [parseVerifierKey(formatVerifierKey(ORIGIN, edSigner.publicKey)), parseVerifierKey(sm2Note.verifierKey)];
  if (openCheckpoint(dual, verifiers).logSignatures.length !== 2) throw new Error('dual checkpoint did not open with both keys');
  out.push(micros('checkpoint opened, both keys', () => openCheckpoint(dual, verifiers), runs, minMs));

  log('ledger appends');
  const ledgerRuns = Math.max(3, Math.min(runs, 5));
  out.push(await appendRate('durable appends, 1 in flight, Ed25519', false, 1, seconds, ledgerRuns));
  out.push(await appendRate('durable appends, 1 in flight, Ed25519 + SM2', true, 1, seconds, ledgerRuns));
  out.push(await appendRate('durable appends, 100 in flight, Ed25519', false, 100, seconds, ledgerRuns));
  out.push(await appendRate('durable appends, 100 in flight, Ed25519 + SM2', true, 100, seconds, ledgerRuns));
  out.push(await appendRate('durable appends, 1,000 in flight, Ed25519', false, 1000, seconds, ledgerRuns));
  out.push(await appendRate('durable appends, 1,000 in flight, Ed25519 + SM2', true, 1000, seconds, ledgerRuns));
  return out;
}
