import { benchCertificate } from './certificate.js';
import { printTable } from './harness.js';

console.log(printTable(await benchCertificate()));
