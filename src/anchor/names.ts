/**
 * Distinguished names as RFC 4514 strings ("CN=Test TSA,O=Example"), for reports and the CLI. The name comes from
 * a certificate inside a hostile token, so values are escaped: RFC 4514 specials, and every control character as
 * \XX, so a name can never forge a line of output.
 */
import * as asn1js from 'asn1js';
import type { RelativeDistinguishedNames } from 'pkijs';
import { toHex, utf8 } from '../crypto/index.js';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const MAX_NAME_LENGTH = 1024;

/** RFC 4514: most significant RDN last, so the order of the certificate is reversed. */
export function formatName(name: RelativeDistinguishedNames): string {
  const parts = name.typesAndValues.map((atv) => {
    const type = Object.hasOwn(SHORT_NAMES, atv.type) ? SHORT_NAMES[atv.type] : atv.type;
    return `${type}=${formatValue(atv.value)}`;
  });
  const text = parts.reverse().join(',');
  return text.length > MAX_NAME_LENGTH ? `${text.slice(0, MAX_NAME_LENGTH)}…` : text;
}

function formatValue(value: unknown): string {
  const block = (value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock;
  if (typeof block?.value === 'string') return escape(block.value);
  if (value instanceof asn1js.BaseBlock) return `#${toHex(new Uint8Array(value.toBER(false)))}`;
  return '#';
}

function escape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      for (const byte of utf8(ch)) out += `\\${byte.toString(16).padStart(2, '0')}`;
    } else if (',+"\\<>;='.includes(ch) || ((i === 0 || i === text.length - 1) && ch === ' ') || (i === 0 && ch === '#')) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}
