/**
 * Runs the inventory benchmark alone: `npx tsc -p . && node dist/bench/inventory-main.js [ci|full]`
 * (full: 1e6 deposits and 1e5 events; ci: 1e5 and 1e4; CUNZHENG_BENCH_INVENTORY_DEPOSITS / _EVENTS override).
 */
import { printTable } from './harness.js';
import { benchInventory, inventorySize } from './inventory.js';

const scale = process.argv[2] === 'ci' ? 'ci' : 'full';
console.log(printTable(await benchInventory(inventorySize(scale))));
