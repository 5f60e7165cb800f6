/**
 * Runs the witness benchmark alone: `npx tsc -p . && node dist/bench/witness-main.js [ci|full]`
 * (full: 25 lag rounds, 3 runs of 10 s per deposit case; ci: 20 rounds, 1 run of 2 s).
 */
import { printTable } from './harness.js';
import { benchWitness } from './witness.js';

const ci = process.argv[2] === 'ci';
console.log(printTable(await benchWitness(ci ? { rounds: 20, seconds: 2, runs: 1 } : {})));
