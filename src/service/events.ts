/**
 * Lifecycle events (定密、隐密、解密、销毁, access, departure audits) recorded as entries of the ledger.
 *
 * `record(tenant, operator, depositId, body)`: the body `{kind, record?, …fields}` is checked by the entry's
 * own `checkEvent` (its EVENT_* codes), the level against the tenant's configured levels
 * (EVENT_UNKNOWN_LEVEL), a departure audit's returned/destroyed ids against the tenant's deposits
 * (EVENT_UNKNOWN_DEPOSIT). The entry is v2, names the operator, has `prev` = the deposit (a kind deposit of
 * the tenant, else 404) and copies its digest, size and hashedBy, so that the event's receipt verifies
 * against the original file alone. Then, holding the document's lock: its state is read, the rules decide
 * (LIFECYCLE_* 409, nothing written), and the entry is appended with the document's index writes (`x R`,
 * `x H`, `x C`) in the same synced batch; the lock is kept until that batch is durable. Appends of events
 * on different documents queue together and share a group commit (one fsync), as deposits do.
 */
import { CunzhengError } from '../errors.js';
import { checkEvent, EntryBuilder, isLifecycleKind, parseEntry, type Entry, type EntryEvent, type LifecycleKind } from '../entry/index.js';
import { buildReceipt, type Receipt } from '../receipt/index.js';
import type { DocState } from '../lifecycle/index.js';
import type { Deposits } from './deposits.js';
import type { Tenant } from './tenants.js';

export interface EventResult {
  receipt: Receipt;
  /** The document's state once the event is recorded. */
  state: DocState;
  doc: string;
}

/** The tenant's level names (Tenants.levels). */
export type LevelsOf = (tenantId: string) => readonly string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{kind, …}` → the kind and the event's own value (the body without `kind`); EVENT_BAD_KIND for anything else. */
export function splitEventBody(body: unknown): { kind: LifecycleKind; value: Record<string, unknown> } {
  if (!isObject(body)) throw new CunzhengError('EVENT_BAD_KIND', 'the body must be an object {kind, record?, …fields of the kind}');
  const { kind, ...value } = body;
  if (!isLifecycleKind(kind)) {
    throw new CunzhengError('EVENT_BAD_KIND', 'kind must be one of classify, reclassify, conceal, declassify, destroy, access-grant, access-revoke, departure-audit', {
      details: { field: 'kind' },
    });
  }
  return { kind, value };
}

export class Events {
  private readonly builders = new WeakMap<Tenant, Map<string, EntryBuilder>>();
  readonly stats = { recorded: 0, refused: 0 };

  constructor(private readonly deposits: Deposits, private readonly levelsOf: LevelsOf) {}

  private builder(tenant: Tenant, kind: LifecycleKind, operator: string): EntryBuilder {
    let m = this.builders.get(tenant);
    if (m === undefined) this.builders.set(tenant, (m = new Map()));
    const key = `${kind}\u0000${operator}`;
    let b = m.get(key);
    if (b === undefined) {
      if (m.size >= 4096) m.clear();
      b = new EntryBuilder(kind, tenant.id, { name: tenant.name, uscc: tenant.uscc }, operator);
      m.set(key, b);
    }
    return b;
  }

  /** The event checked as the entry checks it, then against the tenant (levels, deposit ids). */
  async check(tenant: Tenant, kind: LifecycleKind, value: Record<string, unknown>): Promise<EntryEvent> {
    const event = checkEvent(kind, value);
    const level = (event as { level?: string }).level;
    if (level !== undefined) {
      const levels = this.levelsOf(tenant.id);
      if (!levels.includes(level)) {
        throw new CunzhengError('EVENT_UNKNOWN_LEVEL', `event.level ${JSON.stringify(level)} is not one of the tenant's levels (${levels.join(', ')})`, {
          details: { field: 'event.level', levels: [...levels] },
        });
      }
    }
    if (kind === 'departure-audit') {
      const e = event as { returned?: readonly string[]; destroyed?: readonly string[] };
      for (const field of ['returned', 'destroyed'] as const) {
        const ids = e[field] ?? [];
        for (let i = 0; i < ids.length; i++) {
          const own = await this.deposits.ownIndex(tenant, ids[i]!);
          if (own === undefined || own.parsed.kind !== 'deposit') {
            throw new CunzhengError('EVENT_UNKNOWN_DEPOSIT', `event.${field}[${i}] ${ids[i]} is not one of your deposits`, { details: { field: `event.${field}`, item: i } });
          }
        }
      }
    }
    return event;
  }

  /**
   * Records the event `body` about the tenant's deposit `depositId` (undefined: no such deposit of the
   * tenant, the route's 404); resolves once the entry is durable.
   */
  async record(tenant: Tenant, operator: string | undefined, depositId: string, body: unknown): Promise<EventResult | undefined> {
    const { kind, value } = splitEventBody(body);
    const target = await this.deposits.ownIndex(tenant, depositId);
    if (target === undefined || target.parsed.kind !== 'deposit') return undefined;
    const event = await this.check(tenant, kind, value);
    const of = target.parsed;
    const op = this.deposits.operatorFor(tenant, operator);
    const bytes = this.builder(tenant, kind, op).build({
      digest: of.digest,
      ...(of.size === undefined ? {} : { size: of.size }),
      event,
      prev: depositId,
      hashedBy: of.hashedBy,
    }).bytes;
    const entry: Entry = parseEntry(bytes);
    const docs = this.deposits.documents;
    const doc = await docs.docOfDeposit(tenant.id, depositId, of);
    let run;
    try {
      run = await docs.prepare(tenant.id, [{ bytes, entry }], [doc]);
    } catch (e) {
      this.stats.refused++;
      throw e;
    }
    const ledger = this.deposits.ledger;
    try {
      if (!ledger.hasRoom(1)) throw new CunzhengError('LEDGER_BUSY', 'the ledger queue is full; retry shortly', { details: { retryAfterSeconds: 1 } });
      const appended = await ledger.appendRun([bytes], { proofs: true, leafKeys: run.leafKeys, records: run.records });
      this.stats.recorded++;
      const receipt = buildReceipt({
        entryBytes: bytes,
        leafIndex: appended.firstIndex,
        inclusionProof: appended.proofs?.[0] ?? (await ledger.inclusionProof(appended.firstIndex, appended.treeSize)),
        checkpoint: appended.checkpoint,
        origin: ledger.origin,
        logKey: ledger.verifierKey,
        leafHash: appended.leafHashes[0]!,
      });
      return { receipt, state: run.states.get(doc)!, doc };
    } finally {
      run.release();
    }
  }
}
