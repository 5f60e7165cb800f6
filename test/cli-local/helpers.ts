/** Temporary folders for the local-deposit tests, removed after each test file. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { CunzhengError } from '../../src/errors.js';
export { codeOf } from '../support/codes.js';

/** A fresh folder under os.tmpdir(), removed when the test file ends. */
export function tempDir(prefix = 'cunzheng-local-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, ...rel.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** `openssl dgst -<algorithm> -r FILE` → the lowercase hex digest. */
export function opensslDigest(algorithm: 'sha256' | 'sm3', file: string): string {
  const out = execFileSync('openssl', ['dgst', `-${algorithm}`, '-r', file], { encoding: 'utf8' });
  const hex = out.split(' ')[0] ?? '';
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`unexpected openssl output: ${out}`);
  return hex;
}


export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
