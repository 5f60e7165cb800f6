/**
 * formatName: RFC 4514 text for reports, with escaping that keeps hostile names on one line.
 */
import * as asn1js from 'asn1js';
import { AttributeTypeAndValue, type AttributeValueType, RelativeDistinguishedNames } from 'pkijs';
import { describe, expect, it } from 'vitest';
import { formatName } from '../../src/anchor/names.js';

function name(...pairs: [string, asn1js.AsnType][]): RelativeDistinguishedNames {
  return new RelativeDistinguishedNames({
    // a certificate may carry any ASN.1 value here, not only the string types pkijs declares
    typesAndValues: pairs.map(([type, value]) => new AttributeTypeAndValue({ type, value: value as AttributeValueType })),
  });
}

describe('when a name is formatted', () => {
  it('writes the most significant RDN last, with short names for common types', () => {
    const n = name(['2.5.4.6', new asn1js.PrintableString({ value: 'CN' })], ['2.5.4.10', new asn1js.Utf8String({ value: '国家授时中心' })], ['2.5.4.3', new asn1js.Utf8String({ value: 'TSA 1' })]);
    expect(formatName(n)).toBe('CN=TSA 1,O=国家授时中心,C=CN');
  });

  it('escapes RFC 4514 specials and control characters, so a name cannot forge a line', () => {
    const n = name(['2.5.4.3', new asn1js.Utf8String({ value: ' a,b+c="d"\n\u2028#' })]);
    expect(formatName(n)).toBe('CN=\\ a\\,b\\+c\\=\\"d\\"\\0a\\e2\\80\\a8#');
    expect(formatName(n)).not.toMatch(/[\n\u2028]/);
  });

  it('writes unknown types as dotted OIDs and non-string values as #hex', () => {
    const n = name(['1.2.3.4', new asn1js.Integer({ value: 5 })]);
    expect(formatName(n)).toBe('1.2.3.4=#020105');
  });
});
