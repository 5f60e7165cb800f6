// A child process for the crash test: opens the ledger, appends entries in a loop, and prints one JSON line
// per acknowledged append: {"i": leafIndex, "h": leafHash (base64), "n": treeSize, "c": checkpoint}. The
// parent kills it with SIGKILL at random moments. Runs from the build (npm test builds first).
import { Ledger } from '../../dist/src/ledger/index.js';

const [dataDir, tag] = process.argv.slice(2);
const ledger = await Ledger.open({ dataDir, maxGroup: 200 });
process.stdout.write(JSON.stringify({ ready: ledger.treeSize }) + '\n');
const enc = new TextEncoder();
let seq = 0;
for (;;) {
  const burst = 1 + Math.floor(Math.random() * 300);
  const pending = [];
  for (let k = 0; k < burst; k++) pending.push(ledger.append(enc.encode(`${tag}-${process.pid}-${seq++}`)));
  const done = await Promise.all(pending);
  const lines = done.map((a) => JSON.stringify({ i: a.leafIndex, h: Buffer.from(a.leafHash).toString('base64'), n: a.treeSize, c: a.checkpoint }));
  process.stdout.write(lines.join('\n') + '\n');
}
