/** The messages between hash-client.ts and hash-worker.ts. */
import type { Digests, HashAlgorithm } from './hash-core.js';

export interface HashRequest {
  id: number;
  file: Blob;
  algorithms: HashAlgorithm[];
  /** Also send every slice, once hashed, through the pair port (to the worker that computes SM3). */
  forward?: boolean;
}

/** Sets up the pair: the port to the other worker of the pair. */
export interface PairSetup {
  type: 'pair';
  port: MessagePort;
}

/** Between the two workers of a pair: a slice of file `id`, its end, or its abandonment; and credit back. */
export type PairMessage =
  | { id: number; slice: ArrayBuffer }
  | { id: number; end: true }
  | { id: number; abort: true }
  | { ack: true };

export type HashReply =
  | { id: number; type: 'progress'; done: number }
  | { id: number; type: 'done'; digests: Digests }
  /** `name`: the DOMException's (NotFoundError, NotReadableError…), which says why the file could not be read. */
  | { id: number; type: 'error'; message: string; name?: string };
