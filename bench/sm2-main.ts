/** `node dist/bench/sm2-main.js [ci|full]`: SM2 sign/verify µs beside Ed25519 and OpenSSL, and its cost to durable appends. */
import { cpus, loadavg } from 'node:os';
import { printTable } from './harness.js';
import { benchSm2 } from './sm2.js';

const scale = process.argv[2] ?? 'full';
if (scale !== 'ci' && scale !== 'full') {
  process.stderr.write(`usage: sm2-main [ci|full] (got ${JSON.stringify(scale)})\n`);
  process.exit(2);
}
const results = await benchSm2(scale === 'ci' ? { runs: 3, minMs: 150, ledgerSeconds: 0.5 } : {});
process.stdout.write(`${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n${printTable(results)}\n`);
