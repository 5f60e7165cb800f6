/** The console's worker: document hashing (web/shared/hash-worker.ts), for deposits and event records. */
import '../shared/hash-worker.js';
