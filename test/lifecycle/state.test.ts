import { describe, expect, it } from 'vitest';
import { isCunzhengError, type CunzhengError } from '../../src/errors.js';
import { STATUS_BY_CODE } from '../../src/http/status-table.js';
import { applyEntry, MAX_PEOPLE, startDocument, type DocState } from '../../src/lifecycle/index.js';
import { buildEntry } from '../../src/entry/index.js';
import { hashLeaf } from '../../src/merkle/index.js';
import { depositIdFromLeafHash } from '../../src/receipt/deposit-id.js';
import { SAMPLE_USCC } from '../entry/fixtures.js';
import { lifecycleEvent, newVersion, OFFICER, rootDeposit, TENANT, withEvent, type Made } from './helpers.js';

function refusal(f: () => unknown): CunzhengError {
  try {
    f();
  } catch (err) {
    if (isCunzhengError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

function apply(state: DocState, ...made: Made[]): DocState {
  return made.reduce((s, m) => applyEntry(s, m.entry, m.id), state);
}

describe('startDocument', () => {
  it('starts from the root deposit: unclassified, one version, no events, its metadata as the latest', () => {
    const root = rootDeposit({ title: '配方说明书', filename: 'recipe.docx', labels: ['配方', 'R&D'], size: 2048 });
    expect(startDocument(root.entry, root.id)).toEqual({
      doc: root.id, tenant: TENANT, created: root.entry.time, createdBy: OFFICER,
      latest: { id: root.id, time: root.entry.time, sha256: root.entry.digest.sha256, title: '配方说明书', filename: 'recipe.docx', size: 2048, labels: ['配方', 'R&D'] },
      versions: 1, status: 'unclassified', measures: [], people: [], last: { kind: 'deposit', id: root.id, time: root.entry.time, operator: OFFICER }, events: 0,
    });
  });

  it('refuses what is not a root deposit, or a malformed id', () => {
    const root = rootDeposit();
    const v2 = newVersion(root.id, 1);
    const ev = lifecycleEvent('classify', { level: '核心商密', period: '长期' }, root.id, 1);
    for (const [entry, id] of [[v2.entry, v2.id], [ev.entry, ev.id], [root.entry, 'ABC'], [root.entry, root.id.toUpperCase()]] as const) {
      const err = refusal(() => startDocument(entry, id));
      expect(err.code).toBe('LIFECYCLE_NOT_IN_DOCUMENT');
    }
  });
});

describe('applyEntry', () => {
  const root = rootDeposit({ title: 'v1' });
  const start = startDocument(root.entry, root.id);
  const classify = lifecycleEvent('classify', { level: '核心商密', period: '2030-12-31', basis: '定密审批表 2026-17' }, root.id, 1);
  const classified = apply(start, classify);

  it('classifies, with level, period and basis, and counts the event', () => {
    expect(classified).toMatchObject({ status: 'classified', level: '核心商密', period: '2030-12-31', basis: '定密审批表 2026-17', events: 1, versions: 1 });
    expect(classified.last).toEqual({ kind: 'classify', id: classify.id, time: classify.entry.time, operator: OFFICER });
  });

  it('never changes the state it is given', () => {
    const before = structuredClone(classified);
    apply(classified, lifecycleEvent('access-grant', { who: 'E1001' }, root.id, 2), lifecycleEvent('conceal', { measures: ['encryption'] }, root.id, 3));
    expect(classified).toEqual(before);
  });

  it('reclassifies only what it is given, keeps the rest', () => {
    const s = apply(classified, lifecycleEvent('reclassify', { period: '长期' }, root.id, 2));
    expect(s).toMatchObject({ status: 'classified', level: '核心商密', period: '长期', basis: '定密审批表 2026-17' });
    const t = apply(s, lifecycleEvent('reclassify', { level: '普通商密', basis: '复核' }, root.id, 3));
    expect(t).toMatchObject({ level: '普通商密', period: '长期', basis: '复核' });
  });

  it('a new classification after declassify replaces the old one (a classify without basis drops it)', () => {
    const s = apply(classified, lifecycleEvent('declassify', { reason: '已公开' }, root.id, 2), lifecycleEvent('classify', { level: '普通商密', period: '2027-01-01' }, root.id, 3));
    expect(s.status).toBe('classified');
    expect(s.level).toBe('普通商密');
    expect(s.basis).toBeUndefined();
  });

  it('keeps conceal measures unique, in first-applied order', () => {
    const s = apply(start, lifecycleEvent('conceal', { measures: ['encryption', 'marking'] }, root.id, 1), lifecycleEvent('conceal', { measures: ['marking', 'isolation', 'encryption'] }, root.id, 2));
    expect(s.measures).toEqual(['encryption', 'marking', 'isolation']);
  });

  it('grants and revokes, keeping the order of admission and the grant time', () => {
    const g1 = lifecycleEvent('access-grant', { who: 'E1001', role: '研发' }, root.id, 2);
    const g2 = lifecycleEvent('access-grant', { who: 'E1002' }, root.id, 3);
    const g3 = lifecycleEvent('access-grant', { who: 'E1003' }, root.id, 4);
    const s = apply(classified, g1, g2, g3, lifecycleEvent('access-revoke', { who: 'E1002' }, root.id, 5));
    expect(s.people).toEqual([{ who: 'E1001', role: '研发', since: g1.entry.time }, { who: 'E1003', since: g3.entry.time }]);
    expect(s.events).toBe(5);
  });

  it('a new version becomes the latest, status unchanged; its own metadata, not the old one', () => {
    const v2 = newVersion(root.id, 2, { filename: 'v2.docx' });
    const s = apply(classified, v2);
    expect(s).toMatchObject({ versions: 2, events: 1, status: 'classified', latest: { id: v2.id, filename: 'v2.docx', size: 102 } });
    expect(s.latest.title).toBeUndefined();
    expect(s.last.kind).toBe('deposit');
  });

  it('refuses each rule violation with its code, a message naming the document, and details', () => {
    const cases: [DocState, Made, string, string | undefined][] = [
      [classified, lifecycleEvent('classify', { level: '普通商密', period: '长期' }, root.id, 2), 'LIFECYCLE_ALREADY_CLASSIFIED', undefined],
      [start, lifecycleEvent('reclassify', { level: '普通商密' }, root.id, 2), 'LIFECYCLE_NOT_CLASSIFIED', undefined],
      [start, lifecycleEvent('declassify', { reason: 'x' }, root.id, 2), 'LIFECYCLE_NOT_CLASSIFIED', undefined],
      [start, lifecycleEvent('access-revoke', { who: 'E9' }, root.id, 2), 'LIFECYCLE_NOT_GRANTED', 'E9'],
      [apply(start, lifecycleEvent('access-grant', { who: 'E9' }, root.id, 1)), lifecycleEvent('access-grant', { who: 'E9', role: 'x' }, root.id, 2), 'LIFECYCLE_ALREADY_GRANTED', 'E9'],
    ];
    for (const [state, made, code, who] of cases) {
      const err = refusal(() => applyEntry(state, made.entry, made.id));
      expect(err.code).toBe(code);
      expect(err.message).toContain(root.id);
      expect(err.details).toEqual({ doc: root.id, status: state.status, kind: made.entry.kind, ...(who === undefined ? {} : { who }) });
    }
  });

  it('after destroy takes only a departure audit: no event, no new version', () => {
    const destroyed = apply(classified, lifecycleEvent('destroy', { reason: '到期', method: '碎纸' }, root.id, 2));
    expect(destroyed.status).toBe('destroyed');
    const refused: Made[] = [
      newVersion(root.id, 3),
      lifecycleEvent('classify', { level: 'a', period: '长期' }, root.id, 3),
      lifecycleEvent('reclassify', { level: 'a' }, root.id, 3),
      lifecycleEvent('conceal', { measures: ['sealing'] }, root.id, 3),
      lifecycleEvent('declassify', { reason: 'x' }, root.id, 3),
      lifecycleEvent('destroy', { reason: 'x', method: 'y' }, root.id, 3),
      lifecycleEvent('access-grant', { who: 'E1' }, root.id, 3),
      lifecycleEvent('access-revoke', { who: 'E1' }, root.id, 3),
    ];
    for (const m of refused) {
      const err = refusal(() => applyEntry(destroyed, m.entry, m.id));
      expect(err.code, m.entry.kind).toBe('LIFECYCLE_DESTROYED');
      expect(err.message).toContain('departure-audit');
    }
    const audited = apply(destroyed, lifecycleEvent('departure-audit', { who: 'E1', returned: [root.id] }, root.id, 4));
    expect(audited).toMatchObject({ status: 'destroyed', events: 3, last: { kind: 'departure-audit' } });
  });

  it('bounds the scope: at MAX_PEOPLE a grant is refused until someone is revoked', () => {
    let s = start;
    for (let i = 0; i < MAX_PEOPLE; i++) s = apply(s, lifecycleEvent('access-grant', { who: `E${i}` }, root.id, 1));
    expect(s.people).toHaveLength(MAX_PEOPLE);
    const next = lifecycleEvent('access-grant', { who: 'E-extra' }, root.id, 2);
    const err = refusal(() => applyEntry(s, next.entry, next.id));
    expect(err.code).toBe('LIFECYCLE_SCOPE_FULL');
    expect(err.details).toMatchObject({ who: 'E-extra' });
    s = apply(s, lifecycleEvent('access-revoke', { who: 'E7' }, root.id, 3), next);
    expect(s.people).toHaveLength(MAX_PEOPLE);
    expect(s.people.at(-1)!.who).toBe('E-extra');
  });

  it('refuses an entry that cannot belong to the document, and an event without its event member', () => {
    const other = rootDeposit();
    // A v1 entry of a lifecycle kind (v1 allowed them with meta; nothing wrote one): no event to apply.
    const v1 = buildEntry({ kind: 'classify', tenant: TENANT, subject: { name: '示例科技有限公司', uscc: SAMPLE_USCC }, digest: root.entry.digest, meta: { level: '核心商密' }, prev: root.id, hashedBy: 'client' });
    const v1Classify: Made = { entry: v1.entry, id: depositIdFromLeafHash(hashLeaf(v1.bytes)) };
    expect(v1Classify.entry.v).toBe(1);
    const foreign: Made = { entry: { ...lifecycleEvent('conceal', { measures: ['marking'] }, root.id, 1).entry, tenant: 'tn_ffffffffffffffffffffffff' }, id: 'f'.repeat(32) };
    for (const [m, code] of [
      [other, 'LIFECYCLE_NOT_IN_DOCUMENT'],
      [foreign, 'LIFECYCLE_NOT_IN_DOCUMENT'],
      [{ entry: newVersion(root.id, 1).entry, id: root.id }, 'LIFECYCLE_NOT_IN_DOCUMENT'],
      [{ entry: newVersion(root.id, 1).entry, id: 'not-an-id' }, 'LIFECYCLE_NOT_IN_DOCUMENT'],
      [v1Classify, 'LIFECYCLE_NO_EVENT'],
      [withEvent(lifecycleEvent('classify', { level: '核心商密', period: '长期' }, root.id, 1), undefined), 'LIFECYCLE_NO_EVENT'],
      [withEvent(lifecycleEvent('classify', { level: '核心商密', period: '长期' }, root.id, 1), { level: '核心商密' }), 'LIFECYCLE_NO_EVENT'],
      [withEvent(lifecycleEvent('access-grant', { who: 'E1' }, root.id, 1), { role: 'x' }), 'LIFECYCLE_NO_EVENT'],
      [withEvent(lifecycleEvent('conceal', { measures: ['marking'] }, root.id, 1), {}), 'LIFECYCLE_NO_EVENT'],
    ] as [Made, string][]) {
      expect(refusal(() => applyEntry(start, m.entry, m.id)).code).toBe(code);
    }
    // A field missing is found once the status allows the kind at all.
    const empty = withEvent(lifecycleEvent('reclassify', { level: 'x' }, root.id, 2), {});
    expect(refusal(() => applyEntry(start, empty.entry, empty.id)).code).toBe('LIFECYCLE_NOT_CLASSIFIED');
    expect(refusal(() => applyEntry(classified, empty.entry, empty.id)).code).toBe('LIFECYCLE_NO_EVENT');
  });
});

describe('the codes', () => {
  it('are each answered 409 over HTTP', () => {
    const codes = ['LIFECYCLE_ALREADY_CLASSIFIED', 'LIFECYCLE_NOT_CLASSIFIED', 'LIFECYCLE_DESTROYED', 'LIFECYCLE_NOT_GRANTED', 'LIFECYCLE_ALREADY_GRANTED', 'LIFECYCLE_SCOPE_FULL', 'LIFECYCLE_NOT_IN_DOCUMENT', 'LIFECYCLE_NO_EVENT'] as const;
    for (const code of codes) expect(STATUS_BY_CODE[code], code).toBe(409);
  });
});
