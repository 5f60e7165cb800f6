/**
 * Schemas of the lifecycle routes (routes/records.ts) and of the listing: POST /v1/deposits/:id/events,
 * GET /v1/deposits/:id/history, GET /v1/deposits?since=&until=&cursor=&limit=.
 *
 * The event body's schema states its shape only (an object with a kind, an optional record): its fields
 * are checked by the entry's own `checkEvent` (src/entry/), so a request is answered with exactly the codes
 * an entry would be refused with (EVENT_*), whatever the kind.
 */
import { Type, type Static } from 'typebox';
import { DepositId, Hex64 } from './schemas.js';

/** The lifecycle kinds: every entry kind but deposit. */
export const EVENT_KINDS = ['classify', 'reclassify', 'conceal', 'declassify', 'destroy', 'access-grant', 'access-revoke', 'departure-audit'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(v: unknown): v is EventKind {
  return typeof v === 'string' && (EVENT_KINDS as readonly string[]).includes(v);
}

export const EventRecord = Type.Object(
  {
    sha256: Type.String({ description: 'SHA-256 of the written record of the measure (64 hex; uppercase is accepted)' }),
    sm3: Type.Optional(Type.String({ description: 'its SM3 (64 hex)' })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { description: 'the digest of the written record (a signed 定密审批表, a destruction certificate), hashed on your side' },
);

export const EventBody = Type.Object(
  {
    kind: Type.String({ enum: [...EVENT_KINDS], description: EVENT_KINDS.join(', ') }),
    record: Type.Optional(Type.Unknown()),
  },
  {
    additionalProperties: true,
    description: 'the kind, the record and the fields of the kind (classify {level, period, basis?}; reclassify {level?, period?, basis?}; ' +
      'conceal {measures}; declassify {reason}; destroy {reason, method}; access-grant/-revoke {who, role?}; ' +
      'departure-audit {who, returned?, destroyed?}), checked as the entry checks them (EVENT_* codes)',
  },
);

export const IdParams = Type.Object({ id: DepositId });

export const MAX_PAGE = 100;
const Limit = Type.String({ pattern: '^(?:[1-9][0-9]?|100)$', description: `1 to ${MAX_PAGE} (default ${MAX_PAGE})` });
const Cursor = Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$', description: 'the cursor of the previous page, as answered' });
const Time = Type.String({ maxLength: 40, description: 'RFC 3339 (2026-01-31T16:00:00Z, or with an offset +08:00); a date YYYY-MM-DD is midnight Beijing time' });

export const HistoryQuery = Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) }, { additionalProperties: false });
export type HistoryQueryT = Static<typeof HistoryQuery>;

export const ListingQuery = Type.Object(
  { sha256: Type.Optional(Hex64), since: Type.Optional(Time), until: Type.Optional(Time), cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);
export type ListingQueryT = Static<typeof ListingQuery>;

export const ListingRow = Type.Object({
  id: Type.String(),
  leafIndex: Type.Integer(),
  kind: Type.String(),
  time: Type.String(),
  operator: Type.String(),
  sha256: Type.String(),
  title: Type.Optional(Type.String()),
});

export const ListingReply = Type.Object({
  deposits: Type.Array(ListingRow),
  cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

export const HistoryItem = Type.Object({
  id: Type.String(),
  leafIndex: Type.Integer(),
  kind: Type.String(),
  time: Type.String(),
  operator: Type.String(),
  receipt: Type.Ref('Receipt'),
});

export const HistoryReply = Type.Object({
  doc: Type.String({ description: 'the document: its root deposit id' }),
  state: Type.Object({}, { additionalProperties: true, description: 'the document state (lifecycle/ DocState), with display (status or expired) and expiry' }),
  items: Type.Array(HistoryItem),
  cursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

/** A since/until value → ms since the epoch; BAD_TIME when it is neither RFC 3339 nor a date. */
export function parseQueryTime(value: string): number | undefined {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date !== null) {
    const ms = Date.parse(`${value}T00:00:00+08:00`);
    return Number.isNaN(ms) || new Date(ms + 8 * 3600_000).toISOString().slice(0, 10) !== value ? undefined : ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
