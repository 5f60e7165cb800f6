/**
 * Opening a witness from its data folder: `<data>/witness.key` (created on first start) and
 * `<data>/state` (LevelDB), with the log keys it trusts.
 */
import { join } from 'node:path';
import { CunzhengError } from '../errors.js';
import { WITNESS_KEY_FILE, loadOrCreateWitnessKey, trustedLogs, type WitnessKey } from './key.js';
import { WitnessState } from './state.js';
import { Witness } from './witness.js';

export const WITNESS_STATE_DIR = 'state';

export interface OpenWitnessOptions {
  dataDir: string;
  /** The witness's key name; required on first start, else it must match the key's. */
  name?: string;
  /** Verifier keys of the logs it follows (Ed25519 or SM2, named after their origins). */
  logs: readonly string[];
  /** POSIX seconds for cosignature timestamps (the system clock by default). */
  now?: () => number;
}

export interface OpenedWitness {
  witness: Witness;
  key: WitnessKey;
  close(): Promise<void>;
}

export async function openWitness(o: OpenWitnessOptions): Promise<OpenedWitness> {
  const logs = trustedLogs(o.logs);
  if (logs.size === 0) throw new CunzhengError('WITNESS_BAD_LOG_KEY', 'a witness needs at least one log key (--log)');
  const key = await loadOrCreateWitnessKey(join(o.dataDir, WITNESS_KEY_FILE), o.name, o.now === undefined ? {} : { now: o.now });
  const state = await WitnessState.open(join(o.dataDir, WITNESS_STATE_DIR));
  const witness = new Witness(key.signer, logs, state);
  return {
    witness,
    key,
    async close() {
      await witness.idle();
      await state.close();
    },
  };
}
