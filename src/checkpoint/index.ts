/** C2SP tlog-checkpoint bodies and signed checkpoints. Error codes are listed in README.md beside this file. */
export { MAX_CHECKPOINT_SIZE, formatCheckpoint, parseCheckpoint, parseTreeSize, type Checkpoint } from './checkpoint.js';
export { openCheckpoint, signCheckpoint, type Cosignature, type LogSignature, type OpenedCheckpoint } from './signed.js';
export { checkpointImprint, checkpointImprintSm3 } from './imprint.js';
