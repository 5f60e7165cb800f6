/** The verifier's worker: document hashing (web/shared/hash-worker.ts). */
import '../shared/hash-worker.js';
