// A child process for the document index crash test: opens the ledger and appends, concurrently and without
// end, runs of new root deposits and runs of one event or new version on a document it reads back first (its
// state from the index, the next one by the lifecycle's rules), each with its document writes. Prints one JSON
// line per acknowledged run: {"i": first leaf, "ids": [entry ids]}. The parent kills it with SIGKILL.
import { Ledger } from '../../dist/src/ledger/index.js';
import { buildEntry, completeUscc } from '../../dist/src/entry/index.js';
import { applyEntry } from '../../dist/src/lifecycle/index.js';
import { hashLeaf } from '../../dist/src/merkle/index.js';
import { randomBytes } from 'node:crypto';

const [dataDir, tenant] = process.argv.slice(2);
const subject = { name: '甲方科技有限公司', uscc: completeUscc('91430100MA4L16JJ') };
const operator = 'u_0123456789abcdef';
const ledger = await Ledger.open({ dataDir, maxGroup: 64 });
const hex = (b) => Buffer.from(b).toString('hex');
const idOf = (bytes) => hex(hashLeaf(bytes).subarray(0, 16));
const docs = (await ledger.documents.roots(tenant, undefined, 100_000)).map((r) => r.doc);
const busy = new Set();
process.stdout.write(JSON.stringify({ ready: ledger.treeSize, docs: docs.length }) + '\n');

function ack(first, bytes) {
  process.stdout.write(JSON.stringify({ i: first, ids: bytes.map(idOf) }) + '\n');
}

async function roots() {
  const bytes = Array.from({ length: 1 + Math.floor(Math.random() * 20) }, () =>
    buildEntry({ kind: 'deposit', tenant, subject, operator, digest: { sha256: hex(randomBytes(32)) }, hashedBy: 'client' }).bytes);
  const entries = bytes.map((b) => ({ id: idOf(b), doc: idOf(b), root: true }));
  const w = ledger.documents.writesFor(tenant, entries, []);
  const prefix = ledger.index.prefix(tenant);
  const digestKeys = bytes.map((b) => ledger.index.digestKey(prefix, JSON.parse(Buffer.from(b).toString()).digest.sha256));
  const run = await ledger.appendRun(bytes, { ...w, digestKeys, listing: ledger.index.listingPrefix(tenant) });
  ack(run.firstIndex, bytes);
  for (const e of entries) docs.push(e.id);
}

const KINDS = [
  ['classify', () => ({ level: '核心商密', period: '长期' })],
  ['declassify', () => ({ reason: '已公开' })],
  ['access-grant', () => ({ who: `E${Math.floor(Math.random() * 1e6)}` })],
  ['conceal', () => ({ measures: ['encryption'] })],
  ['deposit', () => undefined],
];

async function change() {
  const doc = docs[Math.floor(Math.random() * docs.length)];
  if (doc === undefined || busy.has(doc)) return;
  busy.add(doc);
  try {
    const state = await ledger.documents.state(tenant, doc);
    for (const [kind, fields] of [...KINDS].sort(() => Math.random() - 0.5)) {
      const latest = state.latest;
      const input = kind === 'deposit'
        ? { kind, tenant, subject, operator, digest: { sha256: hex(randomBytes(32)) }, hashedBy: 'client', prev: latest.id }
        : { kind, tenant, subject, operator, digest: { sha256: latest.sha256 }, hashedBy: 'client', event: fields(), prev: latest.id };
      const { bytes, entry } = buildEntry(input);
      const id = idOf(bytes);
      let next;
      try {
        next = applyEntry(state, entry, id);
      } catch {
        continue; // refused by the rules: try another kind
      }
      const w = ledger.documents.writesFor(tenant, [{ id, doc, root: false }], [next]);
      const extra = kind === 'deposit'
        ? { digestKeys: [ledger.index.digestKey(ledger.index.prefix(tenant), entry.digest.sha256)], listing: ledger.index.listingPrefix(tenant) }
        : {};
      const run = await ledger.appendRun([bytes], { ...w, ...extra });
      ack(run.firstIndex, [bytes]);
      return;
    }
  } finally {
    busy.delete(doc);
  }
}

for (;;) {
  const work = [roots()];
  for (let k = 0; k < 8; k++) work.push(change());
  await Promise.all(work);
}
