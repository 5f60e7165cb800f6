/**
 * Generators and sample data for entry tests.
 */
import fc from 'fast-check';
import { completeUscc, ENTRY_KINDS, USCC_CHARSET, type EntryInput, type MetaValue } from '../../src/entry/index.js';

/**
 * Published codes of real organisations. Each passes both independent checks (GB 11714 at 17, GB 32100
 * at 18); a made-up code does so by chance once in 341.
 */
export const PUBLISHED_USCCS: readonly { code: string; holder: string; source: string }[] = [
  {
    code: '914403001922038216',
    holder: '华为技术有限公司 (Huawei Technologies Co., Ltd.)',
    source: 'zh.wikipedia.org, article 華為, infobox field 機構代碼',
  },
  {
    code: '91440300708461136T',
    holder: 'a Tencent company in Shenzhen',
    source: 'the content-producer field of Tencent\'s published AIGC metadata labels ("ContentProducer: 0011" + code + …)',
  },
  {
    code: '91110108551385082Q',
    holder: '小米科技有限责任公司 (Xiaomi)',
    source: 'listed among "真实在册企业统一社会信用代码" (real registered codes) in a public USCI validator self-test',
  },
  {
    code: '91350100M000100Y43',
    holder: 'the worked example of GB 32100-2015 Annex B (Fuzhou 350100, pilot-era M-series organisation code)',
    source: 'quoted as "GB 32100-2015 附录 B" in public validators\' self-tests, and in the one above',
  },
  {
    code: '91230184MA1BUFLT44',
    holder: 'an enterprise registered in Harbin (MA-series code: letters in the organisation code)',
    source: 'usage example of isUnifiedSocialCreditCode in winjs-dev/cloud-utils',
  },
  {
    code: '92371000MA3MXH0E3W',
    holder: 'an individual business (category 92) registered in Weihai',
    source: 'usage example of isUnifiedSocialCreditCode in winjs-dev/cloud-utils',
  },
];

const TEMPLATE = '9111010800000000';

/** Completes `prefix` (≤ 16 characters) to a valid code: the template fills the rest, then both checks. */
export function makeUscc(prefix = ''): string {
  return completeUscc(prefix + TEMPLATE.slice(prefix.length));
}

const charsetChar = fc.constantFrom(...USCC_CHARSET.split(''));
const digit = fc.constantFrom(...'0123456789'.split(''));

/** Any valid code: any charset characters at 1-2 and 9-16, digits at 3-8, both checks computed. */
export const usccArb: fc.Arbitrary<string> = fc
  .tuple(fc.array(charsetChar, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 6, maxLength: 6 }), fc.array(charsetChar, { minLength: 8, maxLength: 8 }))
  .map(([a, b, c]) => completeUscc(a.join('') + b.join('') + c.join('')));

export const hex64Arb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

/** Text allowed in names and meta: any well-formed Unicode without Cc, Zl, Zp or bidi controls. */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
export const textArb = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: min, maxLength: max }),
      fc.string({ unit: fc.constantFrom(...Array.from('示例科技有限公司商业秘密"\\/ éA1'), '🔒', '👨‍👩‍👧', '🇨🇳', 'e\u0301'), minLength: min, maxLength: max }),
      fc.string({ unit: 'binary', minLength: min, maxLength: max }),
    )
    .map((s) => [...s].filter((ch) => !FORBIDDEN.test(ch)).join(''))
    .filter((s) => s.length >= min && s.length <= max);

const nameArb = textArb(1, 256).filter((s) => !/^\s|\s$/u.test(s));
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/);
const metaKeyArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/);

const metaValueArb: fc.Arbitrary<MetaValue> = fc.oneof(
  textArb(0, 60),
  fc.array(textArb(0, 20), { maxLength: 5 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.integer(),
  fc.boolean(),
);

const STRING_KEYS = ['title', 'level', 'category', 'filename', 'path', 'note'];

export const metaArb: fc.Arbitrary<Record<string, MetaValue>> = fc
  .dictionary(metaKeyArb, metaValueArb, { maxKeys: 8 })
  .chain((extra) =>
    fc.record(
      {
        title: textArb(0, 80),
        level: fc.constantFrom('核心商密', '普通商密'),
        labels: fc.array(textArb(0, 16), { maxLength: 4 }),
        version: fc.oneof(fc.integer({ min: 1, max: 99 }), textArb(1, 8)),
        filename: textArb(1, 40),
      },
      { requiredKeys: [] },
    ).map((known) => {
      const out: Record<string, MetaValue> = {};
      for (const [k, v] of Object.entries(extra)) {
        // Known keys have fixed types; give the generator's stray known keys a string.
        if (k === 'labels') out[k] = [String(v)];
        else if (STRING_KEYS.includes(k) || k === 'version') out[k] = typeof v === 'string' ? v : 'x';
        else out[k] = v;
      }
      return { ...out, ...known };
    }),
  );

export const entryInputArb: fc.Arbitrary<EntryInput> = fc.record(
  {
    kind: fc.constantFrom(...ENTRY_KINDS),
    tenant: idArb,
    subject: fc.record({ name: nameArb, uscc: usccArb }),
    digest: fc.record({ sha256: hex64Arb, sm3: hex64Arb }, { requiredKeys: ['sha256'] }),
    size: fc.maxSafeNat(),
    meta: metaArb,
    prev: idArb,
    hashedBy: fc.constantFrom('client' as const, 'server' as const),
  },
  { requiredKeys: ['kind', 'tenant', 'subject', 'digest', 'hashedBy'] },
);

export const SAMPLE_USCC = makeUscc('91440300');

/** A fixed input used where one good entry is enough. */
export function sampleInput(overrides: Partial<Record<keyof EntryInput, unknown>> = {}): EntryInput {
  return {
    kind: 'deposit',
    tenant: 't-0001',
    subject: { name: '示例科技有限公司', uscc: SAMPLE_USCC },
    digest: {
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      sm3: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    },
    size: 3,
    meta: { title: '配方说明书', level: '核心商密', labels: ['配方', 'R&D'] },
    hashedBy: 'client',
    ...overrides,
  } as EntryInput;
}

export const FIXED_NONCE = Uint8Array.from({ length: 16 }, (_, i) => i);
export const FIXED_TIME = new Date('2026-11-21T08:30:00.123Z');
