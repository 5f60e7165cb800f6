import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isNodeInTree, nodeCoverage, nodeID, nodeKey, nodeParent, nodeSibling, rangeNodes } from '../../src/merkle/index.js';
import { expectCode } from './expect-code.js';

describe('node IDs', () => {
  it('covers 2^level leaves starting at index·2^level', () => {
    expect(nodeCoverage({ level: 3, index: 2 })).toEqual({ begin: 16, end: 24 });
    expect(nodeCoverage({ level: 0, index: 7 })).toEqual({ begin: 7, end: 8 });
  });

  it('names parents, siblings and keys', () => {
    expect(nodeParent({ level: 0, index: 5 })).toEqual({ level: 1, index: 2 });
    expect(nodeSibling({ level: 2, index: 5 })).toEqual({ level: 2, index: 4 });
    expect(nodeSibling({ level: 2, index: 4 })).toEqual({ level: 2, index: 5 });
    expect(nodeKey({ level: 2, index: 4 })).toBe('2/4');
  });

  it('knows whether a node is complete in a tree', () => {
    expect(isNodeInTree({ level: 2, index: 1 }, 8)).toBe(true);
    expect(isNodeInTree({ level: 2, index: 1 }, 7)).toBe(false);
  });

  it('accepts the largest nodes of a 2^53 − 1 tree and rejects anything beyond with BAD_NODE_ID', () => {
    expect(nodeID(52, 0)).toEqual({ level: 52, index: 0 });
    expect(nodeID(0, Number.MAX_SAFE_INTEGER - 1).index).toBe(Number.MAX_SAFE_INTEGER - 1);
    for (const [level, index] of [
      [53, 0],
      [0, Number.MAX_SAFE_INTEGER],
      [52, 1],
      [-1, 0],
      [0, -1],
      [1.5, 0],
      [0, Number.NaN],
      [0, Infinity],
    ]) {
      expectCode(() => nodeID(level as number, index as number), 'BAD_NODE_ID');
    }
  });
});

describe('rangeNodes', () => {
  it('splits a range into aligned perfect subtrees, left to right', () => {
    expect(rangeNodes(3, 13)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(5, 5)).toEqual([]);
    expect(rangeNodes(0, Number.MAX_SAFE_INTEGER)).toHaveLength(53);
  });

  it('covers exactly [begin, end) with adjacent aligned nodes, for any range', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 }), (a, b) => {
        const [begin, end] = a <= b ? [a, b] : [b, a];
        let at = begin;
        for (const id of rangeNodes(begin, end)) {
          const c = nodeCoverage(id);
          expect(c.begin).toBe(at);
          at = c.end;
        }
        expect(at).toBe(end);
      }),
    );
  });
});
