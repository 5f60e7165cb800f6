/**
 * C2SP tlog-tiles tile IDs and their paths: `tile/<L>/<N>[.p/<W>]`, N in zero-padded 3-digit groups, all
 * but the last prefixed with `x` (1234067 → x001/x234/067), `.p/<W>` only for partial tiles (W 1..255).
 *
 * Threat model for parseTilePath: the path comes straight from an HTTP request. Only the one canonical
 * spelling of a tile is accepted (no leading zeros beyond the 3-digit groups, no `x000` lead group, no
 * `.p/0` or `.p/256`, no extra or missing slashes, no `..`), numbers must stay exact, and the tile must be
 * one that some tree of at most 2^53 − 1 leaves could publish. Anything else is BAD_TILE_PATH.
 */
import { MAX_TREE_SIZE, isSafeCount, pow2 } from './bits.js';
import { describeValue, merkleError } from './errors.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Highest level the tile path syntax allows. */
export const MAX_TILE_LEVEL = 63;

/** Hash tile `index` at tile level `level`, holding `width` hashes (TILE_WIDTH = full). */
export interface TileID {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/**
 * Why a tile can't exist, or undefined when it can: its last hash (a node at level 8·level) must be a
 * complete subtree of a tree of at most 2^53 − 1 leaves.
 */
function tileProblem(t: TileID): string | undefined {
  if (!isSafeCount(t.level) || t.level > MAX_TILE_LEVEL) return `level must be an integer 0..${MAX_TILE_LEVEL}`;
  if (!isSafeCount(t.index)) return 'index must be a safe non-negative integer';
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) return `width must be an integer 1..${TILE_WIDTH}`;
  // Exact: scaling by a power of two never rounds, and an inexact t.index·256 is already > 2^53.
  if ((t.index * TILE_WIDTH + t.width) * pow2(TILE_HEIGHT * t.level) > MAX_TREE_SIZE) {
    return 'no tree of at most 2^53 − 1 leaves has this tile';
  }
  return undefined;
}

/** Throws BAD_TILE unless `t` is a tile some tree of at most 2^53 − 1 leaves publishes. */
export function assertTileID(t: unknown): asserts t is TileID {
  const problem = typeof t === 'object' && t !== null ? tileProblem(t as TileID) : `expected a tile, got ${describeValue(t)}`;
  if (problem !== undefined) throw merkleError('BAD_TILE', `bad tile: ${problem}`);
}

export function isFullTile(t: TileID): boolean {
  return t.width === TILE_WIDTH;
}

/** The tile's path, e.g. `tile/0/x001/x234/067.p/42`. Throws BAD_TILE for an impossible tile. */
export function tilePath(t: TileID): string {
  assertTileID(t);
  let n = t.index;
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  const index = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  return `tile/${t.level}/${index}${isFullTile(t) ? '' : `.p/${t.width}`}`;
}

// Six 3-digit groups reach 10^18 > 2^53; more can only be out of range. The final length cap keeps the
// regular expression's work bounded whatever is thrown at it.
const TILE_PATH_RE = /^tile\/(0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5})([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;
const MAX_PATH_LENGTH = 64;

/** Parses a tile path (without a leading slash), accepting only its canonical form. */
export function parseTilePath(path: unknown): TileID {
  if (typeof path !== 'string') throw badPath(`expected a string, got ${describeValue(path)}`);
  if (path.length > MAX_PATH_LENGTH) throw badPath(`longer than ${MAX_PATH_LENGTH} characters`);
  const m = TILE_PATH_RE.exec(path);
  if (m === null) throw badPath('not of the form tile/<L>/<N>[.p/<W>]', path);
  const level = Number(m[1]);
  const groups = [...(m[2] ?? '').split('/').filter((g) => g !== '').map((g) => g.slice(1)), m[3] as string];
  let index = 0;
  for (const g of groups) index = index * 1000 + Number(g);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (m[4] !== undefined && width >= TILE_WIDTH) throw badPath(`partial width must be 1..${TILE_WIDTH - 1}`, path);
  const tile: TileID = { level, index, width };
  const problem = tileProblem(tile);
  if (problem !== undefined) throw badPath(problem, path);
  if (tilePath(tile) !== path) throw badPath('not the canonical spelling of the tile', path);
  return tile;
}

function badPath(reason: string, path?: string) {
  return merkleError('BAD_TILE_PATH', `bad tile path: ${reason}`, path === undefined ? undefined : { got: path });
}
