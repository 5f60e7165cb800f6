/**
 * PEM bundles of certificates (RFC 7468 §5), for `--tsa-roots FILE`. Text outside CERTIFICATE blocks (openssl's
 * "subject=…" lines, comments) is ignored; blocks with other labels are skipped. Each block must hold canonical
 * base64 of one DER X.509 certificate. The file is configuration, but it is still parsed defensively: any defect
 * is TSA_PEM_MALFORMED naming the line.
 */
import { Certificate } from 'pkijs';
import { fromBase64 } from '../crypto/index.js';
import { decodeOne, errorText, isOurs } from './asn1.js';
import { tsaError } from './errors.js';

/** Larger than any sensible bundle of trust anchors. */
export const MAX_PEM_CHARS = 4 * 1024 * 1024;

const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,64})-----$/;
const END = /^-----END ([A-Z0-9 ]{1,64})-----$/;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/** Returns the DER of every certificate in `text`, in order; at least one. */
export function parsePemCertificates(text: string): Uint8Array[] {
  if (typeof text !== 'string') throw tsaError('TSA_PEM_MALFORMED', 'PEM: expected text');
  if (text.length > MAX_PEM_CHARS) throw tsaError('TSA_PEM_MALFORMED', `PEM: larger than ${MAX_PEM_CHARS} characters`);
  const lines = text.split(/\r?\n/);
  const out: Uint8Array[] = [];
  let label: string | undefined;
  let startLine = 0;
  let body: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (label === undefined) {
      const begin = BEGIN.exec(line);
      if (begin !== null) {
        label = begin[1]!;
        startLine = i + 1;
        body = [];
      }
      continue;
    }
    const end = END.exec(line);
    if (end !== null) {
      if (end[1] !== label) throw tsaError('TSA_PEM_MALFORMED', `PEM line ${i + 1}: END ${end[1]} closes BEGIN ${label}`);
      if (label === 'CERTIFICATE') out.push(decodeCertificate(body.join(''), startLine));
      label = undefined;
      continue;
    }
    if (label === 'CERTIFICATE' && !BASE64_LINE.test(line)) {
      throw tsaError('TSA_PEM_MALFORMED', `PEM line ${i + 1}: not base64 inside a CERTIFICATE block`);
    }
    body.push(line);
  }
  if (label !== undefined) throw tsaError('TSA_PEM_MALFORMED', `PEM line ${startLine}: BEGIN ${label} is never closed`);
  if (out.length === 0) throw tsaError('TSA_PEM_MALFORMED', 'PEM: no CERTIFICATE block found');
  return out;
}

function decodeCertificate(base64: string, line: number): Uint8Array {
  try {
    const der = fromBase64(base64, undefined, `PEM certificate at line ${line}`);
    new Certificate({ schema: decodeOne(der, 'TSA_PEM_MALFORMED', `PEM certificate at line ${line}`) });
    return der;
  } catch (err) {
    throw tsaError(
      'TSA_PEM_MALFORMED',
      `PEM certificate at line ${line}: ${isOurs(err) ? err.message : `not an X.509 certificate (${errorText(err)})`}`,
      undefined,
      err,
    );
  }
}
