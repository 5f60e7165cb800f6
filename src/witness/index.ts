/**
 * The witness (C2SP tlog-witness): protocol.ts the pure bodies, witness.ts the checks and cosigning,
 * state.ts its LevelDB state, key.ts its key, server.ts its HTTP interface. See README.md.
 */
export * from './protocol.js';
export { WITNESS_KEY_FILE, loadOrCreateWitnessKey, trustedLogs, type WitnessKey } from './key.js';
export { WitnessState, originHash, type LogState } from './state.js';
export { Witness, type Cosigned, type RequestFacts } from './witness.js';
export { WITNESS_STATE_DIR, openWitness, type OpenWitnessOptions, type OpenedWitness } from './open.js';
export { WITNESS_STATUS, startWitnessServer, type RunningWitnessServer, type WitnessServerOptions } from './server.js';
