/**
 * A small glob matcher for `--exclude`, compiled to one anchored RegExp per pattern. Node 20.19 has
 * `path.matchesGlob`, but it is experimental there (it warns, and its semantics may still change); the
 * exclude rules are part of what a user relies on to keep a folder out of a deposit, so they are ours.
 *
 * Syntax (paths are POSIX, relative to the deposited root):
 *   *       any run of characters except "/" (dot files included: there is no hidden-file rule)
 *   ?       one character except "/"
 *   [abc]   one of a, b, c;  [a-z] a range;  [!a-z] or [^a-z] none of them; never "/"
 *   **      as a whole segment: any number of segments, zero included ("**\/x", "a/**\/b", "a/**")
 *   \c      the character c itself (so "\*" is a literal star)
 *
 * Which name a pattern is matched against (as in .gitignore):
 *   "*.log"        no "/" in it: the base name, at any depth  → x.log, a/b/x.log
 *   "build/out"    a "/" in it: the whole relative path       → build/out, not a/build/out
 *   "/secret"      a leading "/" only anchors it               → secret, not a/secret
 *   "tmp/"         a trailing "/": directories only            → the folder tmp (and all below), not a file tmp
 * A directory that matches is skipped whole. Names and patterns are compared in Unicode NFC, so a name
 * stored decomposed (as macOS does) matches a pattern typed composed.
 */
import { CunzhengError } from '../../src/errors.js';

export type GlobErrorCode = 'GLOB_INVALID';

export interface GlobPattern {
  readonly source: string;
  /** Matched against the whole relative path (true) or the base name (false). */
  readonly anchored: boolean;
  readonly directoryOnly: boolean;
  readonly regex: RegExp;
}

const MAX_PATTERN_LENGTH = 4096;
// What may be backslash-escaped differs outside and inside a class in a 'u' RegExp; escape exactly those.
const SPECIAL_OUTSIDE = new Set([...'\\^$.|?*+()[]{}/']);
const SPECIAL_IN_CLASS = new Set([...'\\^[]-/']);

function escapeChar(c: string): string {
  return SPECIAL_OUTSIDE.has(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return SPECIAL_IN_CLASS.has(c) ? `\\${c}` : c;
}

function invalid(pattern: string, reason: string): CunzhengError<GlobErrorCode> {
  return new CunzhengError('GLOB_INVALID', `exclude pattern ${JSON.stringify(pattern)}: ${reason}`, { details: { pattern } });
}

/**
 * Parses a character class starting at `chars[start]` ("["). A "]" right after "[" or "[!" is a member,
 * not the end (POSIX), so a class is never empty. Returns the regex text and the index after
 * the closing "]", or undefined when there is no closing "]" (the "[" is then a literal, as in POSIX sh).
 */
function parseClass(chars: string[], start: number, pattern: string): { text: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negate = true;
    i++;
  }
  const items: string[] = [];
  let first = true;
  while (i < chars.length) {
    let c = chars[i]!;
    if (c === ']' && !first) {
      // "/" never matches a class: a class stands for one character of one path segment.
      const body = items.join('');
      return { text: negate ? `[^/${body}]` : `(?!/)[${body}]`, end: i + 1 };
    }
    first = false;
    if (c === '\\' && i + 1 < chars.length) c = chars[++i]!;
    if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
      let hi = chars[i + 2]!;
      let skip = 3;
      if (hi === '\\' && i + 3 < chars.length) {
        hi = chars[i + 3]!;
        skip = 4;
      }
      if (hi.codePointAt(0)! < c.codePointAt(0)!) throw invalid(pattern, `range ${c}-${hi} is out of order`);
      items.push(`${escapeClassChar(c)}-${escapeClassChar(hi)}`);
      i += skip;
      continue;
    }
    items.push(escapeClassChar(c));
    i++;
  }
  return undefined;
}

/** Compiles one pattern; throws GLOB_INVALID for an empty pattern or segment, or an out-of-order range. */
export function compileGlob(pattern: string): GlobPattern {
  if (typeof pattern !== 'string') throw invalid(String(pattern), 'expected a string');
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalid(pattern.slice(0, 64), `longer than ${MAX_PATTERN_LENGTH} characters`);
  let body = pattern.normalize('NFC');
  const directoryOnly = body.length > 1 && body.endsWith('/');
  if (directoryOnly) body = body.replace(/\/+$/, '');
  const hasLeadingSlash = body.startsWith('/');
  body = body.replace(/^\/+/, '');
  if (body.length === 0) throw invalid(pattern, 'empty pattern');
  const anchored = hasLeadingSlash || body.includes('/');

  const segments = body.split('/');
  let re = '';
  for (const [k, segment] of segments.entries()) {
    const last = k === segments.length - 1;
    if (segment === '**') {
      // "**/" : zero or more whole segments; a final "/**" : one or more (everything inside).
      if (last) re += k === 0 ? '.*' : '.+';
      else re += '(?:[^/]*/)*';
      continue;
    }
    if (segment.length === 0) throw invalid(pattern, 'empty path segment ("//")');
    const chars = [...segment];
    for (let i = 0; i < chars.length; ) {
      const c = chars[i]!;
      if (c === '*') {
        while (chars[i] === '*') i++; // "a**b" inside a segment is just "*"
        re += '[^/]*';
      } else if (c === '?') {
        re += '[^/]';
        i++;
      } else if (c === '[') {
        const cls = parseClass(chars, i, pattern);
        if (cls === undefined) {
          re += '\\[';
          i++;
        } else {
          re += cls.text;
          i = cls.end;
        }
      } else if (c === '\\' && i + 1 < chars.length) {
        re += escapeChar(chars[i + 1]!);
        i += 2;
      } else {
        re += escapeChar(c);
        i++;
      }
    }
    if (!last) re += '/';
  }
  return { source: pattern, anchored, directoryOnly, regex: new RegExp(`^${re}$`, 'u') };
}

/** Does `relative` (POSIX, no leading "/") match the pattern? `isDirectory` matters for "dir/" patterns. */
export function matchGlob(glob: GlobPattern, relative: string, isDirectory = false): boolean {
  if (glob.directoryOnly && !isDirectory) return false;
  const path = relative.normalize('NFC');
  if (glob.anchored) return glob.regex.test(path);
  const slash = path.lastIndexOf('/');
  return glob.regex.test(slash < 0 ? path : path.slice(slash + 1));
}

/** A set of exclude patterns, compiled once. */
export class GlobSet {
  readonly patterns: readonly GlobPattern[];

  constructor(patterns: readonly string[] = []) {
    this.patterns = patterns.map(compileGlob);
  }

  matches(relative: string, isDirectory = false): boolean {
    return this.patterns.some((g) => matchGlob(g, relative, isDirectory));
  }
}
