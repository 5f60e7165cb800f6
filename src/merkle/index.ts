/**
 * The pure RFC 6962 Merkle core: hashing, node IDs, storage-free proof construction, proof verification
 * (RFC 9162), compact ranges and C2SP tlog-tiles. No I/O: storage comes in as a NodeReader.
 */
export { MAX_TREE_SIZE } from './bits.js';
export type { MerkleError, MerkleErrorCode } from './errors.js';
export { EMPTY_ROOT, HASH_SIZE, emptyRoot, hashChildren, hashLeaf, isHash, type HashChildren } from './rfc6962.js';
export {
  assertNodeID,
  isNodeInTree,
  nodeCoverage,
  nodeEquals,
  nodeID,
  nodeKey,
  nodeParent,
  nodeSibling,
  rangeNodes,
  type NodeID,
} from './node-id.js';
export {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyNodes,
  inclusionNodes,
  inclusionSiblings,
  rehash,
  type NodeReader,
  type ProofNodes,
} from './proof.js';
export { planRunProofs, type RunProofPlan } from './run-proofs.js';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';
export { CompactRange, type NodeVisitor } from './compact-range.js';
export {
  MAX_TILE_LEVEL,
  TILE_HEIGHT,
  TILE_WIDTH,
  assertTileID,
  isFullTile,
  nodeHashFromTile,
  parseTilePath,
  tileData,
  tileForNode,
  tileNodeIDs,
  tileNodeRange,
  tilePath,
  tilesForTreeSize,
  tilesToPublish,
  type NodeInTile,
  type TileID,
} from './tile.js';
