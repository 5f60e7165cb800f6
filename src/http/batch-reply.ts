// Moved to src/receipt/reply.ts; this re-export goes once its last importers use receipt/.
export { batchReplyJson } from '../receipt/index.js';
