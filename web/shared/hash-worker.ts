/**
 * The hashing worker: each request names a File (structured-cloned, never copied into memory whole) and the
 * algorithms to compute; it answers with progress after every slice, then the digests or an error. An app's
 * web/<app>/worker.ts imports this file; web/build.mjs inlines it as a Blob worker.
 *
 * Paired (hash-client.ts on two cores): the reading worker computes SHA-256 and transfers each slice, once
 * hashed, through a MessagePort to the other, which computes SM3 and answers the page itself. The file is read
 * once; at most PAIR_CREDIT slices wait at the SM3 worker, so memory stays bounded when it is the slower.
 */
import { createHasher, hashBlob, type Hasher, type HashEngine } from './hash-core.js';
import type { HashReply, HashRequest, PairMessage, PairSetup } from './hash-protocol.js';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<HashRequest | PairSetup>) => void) | null;
  postMessage(message: HashReply): void;
}

const scope = globalThis as unknown as WorkerScope;
const PAIR_CREDIT = 2;

let pair: MessagePort | undefined;
let inFlight = 0;
let waiting: (() => void) | undefined;
/** The SM3 of each file being received, its creation (asynchronous: WebAssembly) chained before every slice. */
const sm3ById = new Map<number, Promise<{ hasher: Hasher; engine: HashEngine }>>();
const sm3Of = (id: number): Promise<{ hasher: Hasher; engine: HashEngine }> => {
  let h = sm3ById.get(id);
  if (h === undefined) sm3ById.set(id, (h = createHasher('sm3')));
  return h;
};

function onPair(ev: MessageEvent<PairMessage>): void {
  const m = ev.data;
  if ('ack' in m) {
    inFlight--;
    const w = waiting;
    waiting = undefined;
    w?.();
    return;
  }
  const { id } = m;
  if ('slice' in m) {
    void sm3Of(id).then(({ hasher }) => {
      hasher.update(new Uint8Array(m.slice));
      pair!.postMessage({ ack: true } satisfies PairMessage);
    });
  } else if ('end' in m) {
    void sm3Of(id).then(({ hasher, engine }) => scope.postMessage({ id, type: 'done', digests: { sm3: hasher.digestHex(), engine } }));
    sm3ById.delete(id);
  } else sm3ById.delete(id);
}

async function forward(id: number, slice: Uint8Array): Promise<void> {
  const buf = slice.buffer as ArrayBuffer;
  pair!.postMessage({ id, slice: buf } satisfies PairMessage, [buf]);
  inFlight++;
  while (inFlight >= PAIR_CREDIT) await new Promise<void>((r) => (waiting = r));
}

scope.onmessage = (ev) => {
  const data = ev.data;
  if ('type' in data && data.type === 'pair') {
    pair = data.port;
    pair.onmessage = onPair;
    return;
  }
  const { id, file, algorithms } = data as HashRequest;
  const fwd = (data as HashRequest).forward === true && pair !== undefined ? (s: Uint8Array) => forward(id, s) : undefined;
  hashBlob(file, algorithms, (done) => scope.postMessage({ id, type: 'progress', done }), undefined, fwd).then(
    (digests) => {
      if (fwd !== undefined) pair!.postMessage({ id, end: true } satisfies PairMessage);
      scope.postMessage({ id, type: 'done', digests });
    },
    (e: unknown) => {
      if (fwd !== undefined) pair!.postMessage({ id, abort: true } satisfies PairMessage);
      scope.postMessage({ id, type: 'error', message: e instanceof Error ? e.message : String(e), ...(e instanceof Error ? { name: e.name } : {}) });
    },
  );
};
