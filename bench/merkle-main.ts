/** Runs the merkle benchmarks alone: `npx tsc -p . && node dist/bench/merkle-main.js`. */
import { printTable } from './harness.js';
import { benchMerkle } from './merkle.js';

console.log(printTable(await benchMerkle()));
