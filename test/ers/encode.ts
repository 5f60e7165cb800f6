/**
 * An independent EvidenceRecord writer for tests, with asn1js's own encoder (the builder concatenates TLVs):
 * records the builder never writes — reduced hash trees, digestAlgorithm fields, encryptionInfo, several chains —
 * and a byte-for-byte reference for the ones it does.
 */
import * as asn1js from 'asn1js';

export const SHA256_OID = '2.16.840.1.101.3.4.2.1';
export const SM3_OID = '1.2.156.10197.1.401';

export interface TestAts {
  token: Uint8Array;
  /** [0] digestAlgorithm, by OID (no parameters). */
  digestAlgorithm?: string;
  /** [1] attributes: one Attribute of this OID with an empty value set. */
  attribute?: string;
  /** [2] reducedHashtree. */
  reducedHashtree?: Uint8Array[][];
}

export interface TestRecord {
  version?: number;
  /** AlgorithmIdentifiers by OID; `null` parameters when `withNull`. */
  digestAlgorithms: string[];
  withNull?: boolean;
  cryptoInfos?: boolean;
  encryptionInfo?: boolean;
  chains: TestAts[][];
}

const node = (der: Uint8Array): asn1js.AsnType => asn1js.fromBER(der).result;

export function algorithmIdentifier(oid: string, withNull = false): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), ...(withNull ? [new asn1js.Null()] : [])] });
}

export function atsNode(ats: TestAts): asn1js.Sequence {
  const value: asn1js.AsnType[] = [];
  if (ats.digestAlgorithm !== undefined) {
    value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.ObjectIdentifier({ value: ats.digestAlgorithm })] }));
  }
  if (ats.attribute !== undefined) {
    value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: ats.attribute }), new asn1js.Set({ value: [] })] })] }));
  }
  if (ats.reducedHashtree !== undefined) {
    value.push(new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 2 },
      value: ats.reducedHashtree.map((list) => new asn1js.Sequence({ value: list.map((h) => new asn1js.OctetString({ valueHex: h })) })),
    }));
  }
  value.push(node(ats.token));
  return new asn1js.Sequence({ value });
}

export function chainDer(chain: TestAts[]): Uint8Array {
  return new Uint8Array(new asn1js.Sequence({ value: chain.map(atsNode) }).toBER(false));
}

export function encodeRecord(r: TestRecord): Uint8Array {
  const value: asn1js.AsnType[] = [
    new asn1js.Integer({ value: r.version ?? 1 }),
    new asn1js.Sequence({ value: r.digestAlgorithms.map((oid) => algorithmIdentifier(oid, r.withNull)) }),
  ];
  const attribute = () => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.3.4' }), new asn1js.Set({ value: [new asn1js.Null()] })] });
  if (r.cryptoInfos) value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [attribute()] }));
  if (r.encryptionInfo) value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.ObjectIdentifier({ value: '1.2.3.5' }), new asn1js.OctetString({ valueHex: new Uint8Array(4) })] }));
  value.push(new asn1js.Sequence({ value: r.chains.map((chain) => new asn1js.Sequence({ value: chain.map(atsNode) })) }));
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
}
