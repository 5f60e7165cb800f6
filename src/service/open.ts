/** Opens the service's state on a data directory: the ledger, the tenants, the deposits, the admin token. */
import { Ledger, type LedgerOptions } from '../ledger/index.js';
import { Deposits } from './deposits.js';
import { Tenants } from './tenants.js';
import { loadAdminToken } from './admin-token.js';
import type { ServiceContext } from '../http/context.js';

export interface ServiceOptions extends LedgerOptions {
  adminToken?: string;
}

export async function openService(options: ServiceOptions): Promise<ServiceContext> {
  const { adminToken: given, ...ledgerOptions } = options;
  const ledger = await Ledger.open(ledgerOptions);
  try {
    const adminToken = await loadAdminToken(options.dataDir, given);
    const tenants = await Tenants.load(ledger.store);
    return { ledger, tenants, deposits: new Deposits(ledger), adminToken };
  } catch (e) {
    await ledger.close();
    throw e;
  }
}
