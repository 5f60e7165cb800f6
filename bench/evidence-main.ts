import { benchEvidence } from './evidence.js';
import { printTable } from './harness.js';

const n = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
console.log(printTable(await benchEvidence(n === undefined ? {} : { receipts: n })));
