import { benchExhibitList } from './exhibit-list.js';
import { printTable } from './harness.js';

const exhibits = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
console.log(printTable(await benchExhibitList(exhibits === undefined ? {} : { exhibits })));
