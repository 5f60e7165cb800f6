/**
 * `node dist/bench/ledger-main.js [ci|full|large]`: the ledger benchmark at one scale (default full),
 * progress on stderr; on stdout the machine before and after, and the table.
 */
import { printTable } from './harness.js';
import { benchLedger, describeMachine, type LedgerScale } from './ledger.js';

const scale = process.argv[2] ?? 'full';
if (scale !== 'ci' && scale !== 'full' && scale !== 'large') {
  process.stderr.write(`usage: ledger-main [ci|full|large] (got ${JSON.stringify(scale)})\n`);
  process.exit(2);
}
const before = describeMachine();
const results = await benchLedger({ scale: scale as LedgerScale });
process.stdout.write(`ledger benchmark, ${scale} scale\nbefore: ${before}\nafter:  ${describeMachine()}\n\n${printTable(results)}\n`);
