/**
 * Trusted log keys for offline verification. They come only from the user: `--key VKEY` (repeatable) and
 * trust files (`--trust FILE`, or CUNZHENG_TRUST): one C2SP verifier key per line, `#` starts a comment.
 * A receipt's own `log.key` is never trusted.
 */
import { parseVerifierKey, type NoteVerifier } from '../src/note/index.js';
import { CunzhengError } from '../src/errors.js';
import { UsageError } from './exit-codes.js';
import { parsePemCertificates } from '../src/anchor/pure.js';
import { MAX_TEXT_BYTES, readUserText } from './user-file.js';

function parseKey(text: string, where: string): NoteVerifier {
  try {
    return parseVerifierKey(text);
  } catch (e) {
    const why = e instanceof CunzhengError ? e.message : String(e);
    throw new UsageError(`${where}: not a verifier key (${why})`);
  }
}

export function loadTrustedKeys(keys: readonly string[], trustFiles: readonly string[]): NoteVerifier[] {
  const out: NoteVerifier[] = keys.map((k, i) => parseKey(k, `--key #${i + 1}`));
  for (const file of trustFiles) {
    // A FIFO, a device or a huge file is refused before anything is read (user-file.ts).
    const text = readUserText(file, 'trust file', MAX_TEXT_BYTES);
    text.split('\n').forEach((raw, n) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line) out.push(parseKey(line, `${file}:${n + 1}`));
    });
  }
  return out;
}

/** TSA root certificates for checking anchors (`--tsa-roots PEM`); none when no file is given. */
export function loadTsaRoots(path: string | undefined): Uint8Array[] {
  if (path === undefined) return [];
  const text = readUserText(path, '--tsa-roots', MAX_TEXT_BYTES);
  try {
    return parsePemCertificates(text);
  } catch (e) {
    throw new UsageError(`--tsa-roots ${path}: ${(e as Error).message}`);
  }
}
