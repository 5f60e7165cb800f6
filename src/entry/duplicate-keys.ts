/**
 * Finds a member name that appears twice in one JSON object. JSON.parse silently keeps the last of them;
 * another parser may keep the first, or fail. An entry whose meaning depends on the parser is one two
 * verifiers could read differently, so duplicates are an error of their own (RFC 8259 §4 leaves them
 * undefined; RFC 7493 I-JSON forbids them).
 *
 * Runs on text that JSON.parse has already accepted, so it only has to tell keys from values, and never
 * recurses: nesting depth costs heap (one frame per open bracket), not call stack. Names are compared
 * after unescaping, so "a" and "\u0061" are the same name.
 */

interface Frame {
  readonly keys: Set<string> | undefined; // undefined for arrays
  expectKey: boolean;
}

export interface DuplicateKey {
  readonly key: string;
  /** How many objects and arrays enclose the name (1 = a member of the top-level object). */
  readonly depth: number;
}

/** Returns the first duplicated member name in `text` (valid JSON), or undefined. */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) {
          escaped = true;
          i += 2;
          continue;
        }
        if (c === 0x22) break;
        i++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        if (top.keys.has(key)) return { key, depth: stack.length };
        top.keys.add(key);
        top.expectKey = false;
      }
      i++;
      continue;
    }
    if (ch === 0x7b /* { */) stack.push({ keys: new Set(), expectKey: true });
    else if (ch === 0x5b /* [ */) stack.push({ keys: undefined, expectKey: false });
    else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) stack.pop();
    else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys !== undefined) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}
