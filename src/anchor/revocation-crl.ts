/**
 * CRLs (RFC 5280 §5) as revocation evidence for one certificate of a TSA chain:
 *
 *   CertificateList { tbsCertList { version v2 OPTIONAL, signature, issuer Name, thisUpdate, nextUpdate OPTIONAL,
 *                       revokedCertificates SEQUENCE OF { userCertificate serial, revocationDate,
 *                                                         crlEntryExtensions OPTIONAL } OPTIONAL,
 *                       crlExtensions [0] EXPLICIT OPTIONAL },
 *                     signatureAlgorithm, signatureValue BIT STRING }
 *
 * Accepted: a complete CRL issued and signed by the certificate's issuer (issuer name equal, keyUsage cRLSign
 * when the issuer has a keyUsage), the same algorithm inside and outside the signature, no critical extension
 * (a delta CRL, an issuing distribution point or an indirect CRL's certificateIssuer is refused rather than
 * half-understood). An entry's reasonCode is read; its invalidityDate, when earlier, is the revocation time.
 * Every failure is TSA_REVOCATION_INVALID with a case.
 */
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, RelativeDistinguishedNames } from 'pkijs';
import { bytesEqual, sha256, toHex } from '../crypto/index.js';
import { type AsnNode, contextTagged, decodeOne, elements, encodedBytes, errorText, integerOf, isOurs, octetsOf, oidOf } from './asn1.js';
import { formatName } from './names.js';
import { instant, invalid, keyUsageAllows, type StatusClaim, verifiedBy } from './revocation-common.js';
import type { CertRef } from './token.js';

/** A TSA's CA revokes few certificates; a CRL beyond this is not evidence for one of them. */
export const MAX_CRL_BYTES = 1024 * 1024;
export const MAX_CRL_ENTRIES = 20_000;
const REASON_CODE = '2.5.29.21';
const INVALIDITY_DATE = '2.5.29.24';

export interface ParsedCrl {
  /** The exact TBSCertList bytes: what the signature covers. */
  tbs: Uint8Array;
  version: number;
  /** TBSCertList.signature: must equal signatureAlgorithm. */
  innerAlgorithm: string;
  issuer: RelativeDistinguishedNames;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Each revoked serial's content octets, and its entry's DER (read only when it is the one asked about). */
  entries: { serial: Uint8Array; der: Uint8Array }[];
  signatureAlgorithm: AlgorithmIdentifier;
  signatureValue: asn1js.BitString;
}

const C = 'TSA_TOKEN_MALFORMED'; // re-coded as TSA_REVOCATION_INVALID/malformed by parseCrl

function timeOf(node: AsnNode | undefined, what: string): Date {
  if (!(node instanceof asn1js.UTCTime) && !(node instanceof asn1js.GeneralizedTime)) throw invalid('malformed', `${what}: not a UTCTime or GeneralizedTime`);
  return instant(node.toDate(), what);
}

/**
 * Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }, read by
 * hand (an entry's are read for every entry, to refuse a critical one: pkijs would cost ~0.1 ms an entry).
 */
function extensionsOf(node: AsnNode | undefined, where: string): { id: string; critical: boolean; value: Uint8Array }[] {
  return elements(node, C, where, { min: 1, max: 32 }).map((e) => {
    const parts = elements(e, C, `${where} extension`, { min: 2, max: 3 });
    const critical = parts.length === 3 ? parts[1] : undefined;
    if (critical !== undefined && !(critical instanceof asn1js.Boolean)) throw invalid('malformed', `${where}: critical is not a BOOLEAN`);
    const extension = { id: oidOf(parts[0], C, `${where} extnID`), critical: critical?.getValue() === true, value: octetsOf(parts[parts.length - 1], C, `${where} extnValue`) };
    if (extension.critical) throw invalid('critical-extension', `${where}: critical extension ${extension.id} is not supported`, { extension: extension.id });
    return extension;
  });
}

/**
 * The last few CRLs read, by SHA-256: receipts of one period carry the same CRL, and reading a large one is the
 * costly part (asn1js: ~1.7 s of CPU for 20,000 entries on a loaded 2-core box); its signature is still checked
 * every time. A parsed CRL keeps copies of its entries, not the decoded tree.
 */
const recent = new Map<string, ParsedCrl>();
const RECENT_CRLS = 4;

/** Reads a CertificateList's structure; nothing in it is trusted yet (see checkCrl). */
export function parseCrl(der: Uint8Array): ParsedCrl {
  if (!(der instanceof Uint8Array)) throw invalid('malformed', 'CRL: expected bytes');
  if (der.length > MAX_CRL_BYTES) throw invalid('malformed', `CRL: ${der.length} bytes is larger than ${MAX_CRL_BYTES}`);
  const key = toHex(sha256(der));
  const known = recent.get(key);
  if (known !== undefined) return known;
  const parsed = readCrl(der);
  if (recent.size >= RECENT_CRLS) recent.delete(recent.keys().next().value!);
  recent.set(key, parsed);
  return parsed;
}

function readCrl(der: Uint8Array): ParsedCrl {
  try {
    const node = decodeOne(der, C, 'CertificateList', { maxDepth: 20, maxNodes: 12 * MAX_CRL_ENTRIES + 200 });
    const [tbsNode, algorithmNode, signatureNode] = elements(node, C, 'CertificateList', { min: 3, max: 3 });
    const fields = elements(tbsNode, C, 'TBSCertList', { min: 3, max: 7 });
    let at = 0;
    let version = 0;
    if (fields[0] instanceof asn1js.Integer) version = Number(integerOf(fields[at++], C, 'CRL version'));
    if (version !== 0 && version !== 1) throw invalid('unsupported', `CRL version ${version} is not v1 or v2`);
    const inner = elements(fields[at++], C, 'TBSCertList.signature', { min: 1, max: 2 });
    const innerAlgorithm = oidOf(inner[0], C, 'TBSCertList.signature');
    const issuerNode = fields[at++];
    elements(issuerNode, C, 'CRL issuer', { min: 0, max: 64 });
    const issuer = new RelativeDistinguishedNames({ schema: issuerNode });
    const thisUpdate = timeOf(fields[at++], 'CRL thisUpdate');
    const next = fields[at];
    const nextUpdate = next instanceof asn1js.UTCTime || next instanceof asn1js.GeneralizedTime ? timeOf(fields[at++], 'CRL nextUpdate') : undefined;
    const entries: ParsedCrl['entries'] = [];
    if (fields[at] instanceof asn1js.Sequence) {
      for (const entry of elements(fields[at++], C, 'revokedCertificates', { min: 0, max: MAX_CRL_ENTRIES })) {
        const parts = elements(entry, C, 'CRL entry', { min: 2, max: 3 });
        if (!(parts[0] instanceof asn1js.Integer)) throw invalid('malformed', 'CRL entry: userCertificate is not an INTEGER');
        if (parts[2] !== undefined) extensionsOf(parts[2], 'CRL entry extensions');
        entries.push({ serial: parts[0].valueBlock.valueHexView.slice(), der: encodedBytes(entry) });
      }
    }
    const box = fields[at] === undefined ? undefined : contextTagged(fields[at], 0);
    if (box !== undefined) {
      if (box.length !== 1) throw invalid('malformed', 'crlExtensions is not [0] EXPLICIT');
      extensionsOf(box[0], 'CRL extensions');
      at++;
    }
    if (at !== fields.length) throw invalid('malformed', 'TBSCertList: unexpected fields');
    if (!(signatureNode instanceof asn1js.BitString)) throw invalid('malformed', 'CRL signatureValue is not a BIT STRING');
    return {
      tbs: encodedBytes(tbsNode!),
      version,
      innerAlgorithm,
      issuer,
      thisUpdate,
      ...(nextUpdate === undefined ? {} : { nextUpdate }),
      entries,
      signatureAlgorithm: new AlgorithmIdentifier({ schema: algorithmNode }),
      signatureValue: signatureNode,
    };
  } catch (err) {
    if (isOurs(err)) {
      if (err.code === 'TSA_REVOCATION_INVALID') throw err;
      throw invalid('malformed', err.message);
    }
    throw invalid('malformed', `CRL: ${errorText(err)}`);
  }
}

/** What a parsed CRL says about `subject`, issued by `issuer`, once its signature is proven. */
export async function checkCrl(crl: ParsedCrl, subject: CertRef, issuer: CertRef): Promise<StatusClaim> {
  const named = (() => {
    try {
      return crl.issuer.isEqual(subject.cert.issuer) && crl.issuer.isEqual(issuer.cert.subject);
    } catch {
      return false;
    }
  })();
  if (!named) {
    throw invalid('wrong-issuer', `the CRL is issued by ${formatName(crl.issuer)}, not by ${formatName(subject.cert.issuer)}`, {
      crlIssuer: formatName(crl.issuer),
      issuer: formatName(subject.cert.issuer),
    });
  }
  if (crl.innerAlgorithm !== crl.signatureAlgorithm.algorithmId) {
    throw invalid('malformed', 'CRL: the signature algorithm inside and outside the signed part differ');
  }
  if (!keyUsageAllows(issuer.cert, 6)) throw invalid('bad-signature', `${formatName(issuer.cert.subject)} may not sign CRLs (keyUsage without cRLSign)`);
  if (!(await verifiedBy(crl.tbs, crl.signatureAlgorithm, crl.signatureValue, issuer.cert))) {
    throw invalid('bad-signature', `the CRL's signature does not verify with the key of ${formatName(issuer.cert.subject)}`, {
      issuer: formatName(issuer.cert.subject),
    });
  }
  const { thisUpdate, nextUpdate } = crl;
  if (nextUpdate !== undefined && nextUpdate < thisUpdate) throw invalid('malformed', 'CRL nextUpdate is before thisUpdate');
  const claim = { source: 'crl' as const, thisUpdate, ...(nextUpdate === undefined ? {} : { nextUpdate }) };
  const serial = subject.cert.serialNumber.valueBlock.valueHexView;
  const entry = crl.entries.find((e) => bytesEqual(e.serial, serial));
  if (entry === undefined) return { ...claim, status: 'good' };
  const parts = elements(entryValue(entry.der), 'TSA_TOKEN_MALFORMED', 'CRL entry', { min: 2, max: 3 });
  let revocationTime = timeOf(parts[1], 'CRL revocationDate');
  let reason: number | undefined;
  for (const e of parts[2] === undefined ? [] : extensionsOf(parts[2], 'CRL entry extensions')) {
    const value = entryValue(e.value);
    if (e.id === REASON_CODE) {
      if (!(value instanceof asn1js.Enumerated)) throw invalid('malformed', 'CRL reasonCode is not an ENUMERATED');
      reason = value.valueBlock.valueDec;
    } else if (e.id === INVALIDITY_DATE) {
      if (!(value instanceof asn1js.GeneralizedTime)) throw invalid('malformed', 'CRL invalidityDate is not a GeneralizedTime');
      const invalidity = instant(value.toDate(), 'CRL invalidityDate');
      if (invalidity < revocationTime) revocationTime = invalidity;
    }
  }
  return { ...claim, status: 'revoked', revocationTime, ...(reason === undefined ? {} : { reason }) };
}

function entryValue(bytes: Uint8Array): asn1js.AsnType {
  try {
    return decodeOne(bytes, 'TSA_TOKEN_MALFORMED', 'CRL entry extension');
  } catch (err) {
    throw invalid('malformed', errorText(err));
  }
}
