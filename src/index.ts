/**
 * cunzheng as a library: the pure verification core (no I/O, no storage, no server) — what a court's or an
 * auditor's own tool needs to check receipts, checkpoints and proofs. The service lives in ./http, ./ledger
 * and ./service and is used through the command line.
 */
export { CunzhengError, isCunzhengError } from './errors.js';
export * as crypto from './crypto/index.js';
export * as merkle from './merkle/index.js';
export * as note from './note/index.js';
export * as checkpoint from './checkpoint/index.js';
export * as entry from './entry/index.js';
export * as receipt from './receipt/index.js';
export { verifyReceipt, parseReceipt, exportTlogProof, importTlogProof, type Receipt, type VerifiedReceipt } from './receipt/index.js';
// The receipt's JSON Schema: its own module (the receipt index leaves it out, for the command line's start-up).
export { ReceiptSchema, AnchorSchema, BatchReplySchema } from './receipt/schema.js';
export * as policy from './policy/index.js';
export { parsePolicy, checkCheckpointPolicy, evaluateQuorum, type Policy } from './policy/index.js';
