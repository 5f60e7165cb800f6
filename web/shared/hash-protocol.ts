/** The messages between hash-client.ts and hash-worker.ts. */
import type { Digests, HashAlgorithm } from './hash-core.js';

export interface HashRequest {
  id: number;
  file: Blob;
  algorithms: HashAlgorithm[];
}

export type HashReply =
  | { id: number; type: 'progress'; done: number }
  | { id: number; type: 'done'; digests: Digests }
  | { id: number; type: 'error'; message: string };
