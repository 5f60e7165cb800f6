/**
 * GET /v1/inventory's schemas. The query string is documented here and parsed by the service's own parser
 * (service/inventory-query.ts: its codes, INVENTORY_BAD_FILTER with the field and INVENTORY_BAD_CURSOR,
 * rather than a generic BAD_REQUEST). The row is lifecycle's InventoryRow, member for member: the reply's
 * serializer writes exactly these members.
 */
import { Type } from 'typebox';
import { ENTRY_KINDS, type EntryKind } from '../entry/index.js';
import { DISPLAY_STATUSES, type DisplayStatus } from '../lifecycle/index.js';

const Status = Type.Unsafe<DisplayStatus>({ type: 'string', enum: [...DISPLAY_STATUSES] });
const Kind = Type.Unsafe<EntryKind>({ type: 'string', enum: [...ENTRY_KINDS] });

const Id = Type.String({ pattern: '^[0-9a-f]{32}$' });
const Time = Type.String({ description: 'RFC 3339 UTC with milliseconds, as the entry holds it' });

export const InventoryRowSchema = Type.Object({
  doc: Type.String({ pattern: '^[0-9a-f]{32}$', description: "the document: its root deposit's id" }),
  latestId: Id,
  title: Type.Optional(Type.String()),
  filename: Type.Optional(Type.String()),
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  labels: Type.Array(Type.String()),
  level: Type.Optional(Type.String({ description: '密级' })),
  period: Type.Optional(Type.String({ description: '保密期限: YYYY-MM-DD (the last day in force, Beijing) or 长期' })),
  expiry: Type.Optional(Type.String({ description: 'the last day in force of a classified document with a dated period' })),
  status: Status,
  peopleCount: Type.Integer({ minimum: 0 }),
  people: Type.Array(Type.String(), { description: 'the need-to-know scope now: person references, never names' }),
  measures: Type.Array(Type.String()),
  lastEvent: Kind,
  lastEventTime: Time,
  lastOperator: Type.Optional(Type.String()),
  versions: Type.Integer({ minimum: 1 }),
  events: Type.Integer({ minimum: 0 }),
  created: Time,
}, { additionalProperties: false });

export const InventoryPageSchema = Type.Object({
  rows: Type.Array(InventoryRowSchema),
  examined: Type.Integer({ minimum: 0, description: 'documents looked at for this page (at most 5,000), matched or not' }),
  next: Type.Union([Type.String(), Type.Null()], { description: 'the cursor of the next page (same filters), or null: there is no more' }),
});

export const InventoryQuerySchema = Type.Object({
  level: Type.Optional(Type.String({ description: '密级, exact' })),
  status: Type.Optional(Status),
  label: Type.Optional(Type.String({ description: "one of the latest version's labels, exact" })),
  since: Type.Optional(Type.String({ description: 'the last event at or after this RFC 3339 time (with a zone)' })),
  until: Type.Optional(Type.String({ description: 'the last event before this RFC 3339 time (exclusive)' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'rows per page, 1..500 (default 100)' })),
  cursor: Type.Optional(Type.String({ description: 'the next of the previous page, with the same filters' })),
  lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'CSV headers and words (default zh)' })),
});
