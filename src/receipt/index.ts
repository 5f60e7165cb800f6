// The JSON Schema (schema.ts, TypeBox) is not re-exported: importing it costs ~0.25 s of CPU, which every
// command-line run that reads a receipt and every worker thread would pay for a schema only the HTTP layer
// serves. Import it from './schema.js'.
export * from './receipt.js';
export * from './deposit-id.js';
export * from './build.js';
export * from './anchors.js';
export * from './reply.js';
export * from './verify.js';
export * from './tlog-proof.js';
export * from './compare.js';
