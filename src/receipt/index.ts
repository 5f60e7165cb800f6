export * from './receipt.js';
export * from './deposit-id.js';
export * from './build.js';
export * from './anchors.js';
export * from './reply.js';
export * from './verify.js';
export * from './tlog-proof.js';
export * from './compare.js';
