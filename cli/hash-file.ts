/** SHA-256 and SM3 of a file in one streaming pass: the document is never held whole in memory. */
import { createReadStream } from 'node:fs';
import { createSha256, createSm3, toHex } from '../src/crypto/index.js';

export interface FileDigests {
  sha256: string;
  sm3: string;
  size: number;
}

export async function hashFile(path: string): Promise<FileDigests> {
  const sha = createSha256();
  const sm = createSm3();
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    sha.update(chunk);
    sm.update(chunk);
    size += chunk.length;
  }
  return { sha256: toHex(sha.digest()), sm3: toHex(sm.digest()), size };
}
