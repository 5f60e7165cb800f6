/**
 * `npm run bench:large`: the ledger benchmark grown to 1e7 leaves (about 7 GB of temp disk for the ledger
 * and Hypercore together, about 7 minutes on two cores). Not run by CI.
 */
import { printTable } from './harness.js';
import { benchLedger, describeMachine } from './ledger.js';

const before = describeMachine();
const results = await benchLedger({ scale: 'large' });
process.stdout.write(`ledger benchmark, large scale\nbefore: ${before}\nafter:  ${describeMachine()}\n\n${printTable(results)}\n`);
