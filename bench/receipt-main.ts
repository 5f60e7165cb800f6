import { benchReceipt } from './receipt.js';
import { printTable } from './harness.js';

console.log(printTable(await benchReceipt({ leaves: Number(process.argv[2] ?? 1_000_000) })));
