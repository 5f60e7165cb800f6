/**
 * Offline verification of an RFC 3161 TimeStampToken that anchors a checkpoint in time (docs/FORMATS.md "Timestamp
 * anchor": the messageImprint is SHA-256 of the checkpoint body `origin\nsize\nroot\n`).
 *
 * Pure: no I/O, no clock (the caller passes `at` if it wants genTime checked against its clock); the only
 * dependency beyond src/crypto and src/errors is WebCrypto, through pkijs. Every failure is a CunzhengError whose
 * code says which check failed, in this order:
 *
 *   parse ─► imprint ─► nonce ─► signer certificate ─► signature ─► timeStamping EKU ─► ESS signing-certificate
 *     ─► tsa name ─► signer valid at genTime ─► chain to a root ─► notBefore / at
 *
 * What a verified token proves: a TSA whose certificate chains to one of `roots` stated that the imprint existed at
 * genTime (± accuracy). It proves nothing about who asked, nor about the document behind the imprint.
 */
import { Certificate } from 'pkijs';
import { bytesEqual, toHex } from '../crypto/index.js';
import { hashByOid } from './algorithms.js';
import { decodeOne, errorText, guard, isOurs } from './asn1.js';
import { buildChain, validAt } from './chain.js';
import { tsaError } from './errors.js';
import { formatName } from './names.js';
import { checkSignature } from './signature.js';
import { checkChainRevocation, type RevocationOptions, type RevocationReport } from './revocation.js';
import { checkSigningCertificate, checkTimestampingUsage, checkTsaName } from './signer-checks.js';
import { type CertRef, findSigner, type ParsedToken, parseTimestampToken } from './token.js';

export interface CheckTimestampOptions {
  /** The expected SHA-256 digest (32 bytes): of the checkpoint body for a checkpoint anchor. */
  imprint: Uint8Array;
  /**
   * The SM3 digest (32 bytes) of the same stamped bytes, for a token whose messageImprint is SM3 (a request made
   * with `hash: 'SM3'`, as some Chinese TSAs require). Without it such a token is TSA_IMPRINT_MISMATCH.
   */
  imprintSm3?: Uint8Array;
  /** The nonce of the request, when the caller sent one: the token must echo it. Bytes are big-endian unsigned. */
  nonce?: bigint | Uint8Array;
  /** genTime must not be earlier (e.g. the time the checkpoint was signed). Compared without accuracy. */
  notBefore?: Date;
  /** The verifier's clock: a genTime later than `at` by more than the token's accuracy is rejected. */
  at?: Date;
}

export interface VerifyTimestampOptions extends CheckTimestampOptions, RevocationOptions {
  /** Trusted root certificates (DER). The token's signing certificate must chain to one of them. */
  roots: readonly Uint8Array[];
}

export interface TimestampAccuracy {
  seconds: number;
  millis: number;
  micros: number;
}

export interface TimestampVerification {
  /** When the TSA says the imprint existed (millisecond precision). */
  genTime: Date;
  /** The signing certificate's subject, RFC 4514 ("CN=…,O=…"). */
  tsa: string;
  /** The TSTInfo serial number, lowercase hex. */
  serialNumber: string;
  /** The TSA policy OID under which the token was issued. */
  policy: string;
  accuracy?: TimestampAccuracy;
  ordering: boolean;
  /** The nonce echoed by the token, if any. */
  nonce?: bigint;
  /** DER of the signing certificate. */
  signerCertificate: Uint8Array;
  /** DER of the path signer → root; empty when no roots were consulted (checkTimestampToken). */
  chain: Uint8Array[];
  /** What was checked of revocation as of genTime (revocation.ts); `checked: false` without evidence. */
  revocation: RevocationReport;
}

/** Full verification: everything in the file comment, including the chain to one of `opts.roots`. */
export async function verifyTimestampToken(tokenDer: Uint8Array, opts: VerifyTimestampOptions): Promise<TimestampVerification> {
  if (!Array.isArray(opts?.roots)) throw tsaError('TSA_BAD_ARGUMENT', 'roots: expected an array of DER certificates');
  const roots = opts.roots.map(parseRoot);
  return safely(() => verify(tokenDer, opts, roots));
}

/**
 * Every check except trust: the token is well formed, stamps `imprint`, echoes `nonce`, and is validly signed by
 * a time-stamping certificate it names. Without a root this proves nothing about who signed; it is for a client
 * that has no roots configured and wants to catch a broken TSA early.
 */
export async function checkTimestampToken(tokenDer: Uint8Array, opts: CheckTimestampOptions): Promise<TimestampVerification> {
  return safely(() => verify(tokenDer, opts, null));
}

async function safely<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isOurs(err)) throw err;
    // Last line of defence: a pkijs or WebCrypto surprise on hostile input is still a coded failure.
    throw tsaError('TSA_TOKEN_MALFORMED', `TimeStampToken: ${errorText(err)}`, undefined, err);
  }
}

async function verify(tokenDer: Uint8Array, opts: CheckTimestampOptions, roots: CertRef[] | null): Promise<TimestampVerification> {
  const expected = readOptions(opts);
  const token = parseTimestampToken(tokenDer);
  const { tstInfo, genTime, signerInfo } = token;

  checkImprint(token, expected);
  const nonce = tstInfo.nonce === undefined ? undefined : tstInfo.nonce.toBigInt();
  if (expected.nonce !== undefined && nonce !== expected.nonce) {
    throw tsaError('TSA_NONCE_MISMATCH', nonce === undefined ? 'the token carries no nonce' : 'the token echoes another nonce', {
      got: nonce?.toString(16),
      want: expected.nonce.toString(16),
    });
  }

  const signer = findSigner(signerInfo, [...token.certificates, ...(roots ?? [])]);
  if (signer === undefined) {
    throw tsaError('TSA_SIGNER_NOT_FOUND', 'the token does not carry the certificate that signed it (was certReq TRUE?)', {
      certificates: token.certificates.length,
    });
  }
  await checkSignature(token, signer);
  checkTimestampingUsage(signer.cert);
  await checkSigningCertificate(signerInfo.signedAttrs!.attributes, signer);
  guard('TSA_NAME_MISMATCH', 'tsa name', () => checkTsaName(tstInfo, signer.cert));
  if (!validAt(signer.cert, genTime)) {
    throw tsaError('TSA_CERT_EXPIRED', `the TSA certificate ${formatName(signer.cert.subject)} is not valid at genTime`, {
      subject: formatName(signer.cert.subject),
      notBefore: signer.cert.notBefore.value.toISOString(),
      notAfter: signer.cert.notAfter.value.toISOString(),
      genTime: genTime.toISOString(),
    });
  }
  const chain = roots === null ? [] : await buildChain(signer, token.certificates, roots, genTime);
  const revocation = await checkChainRevocation(chain, genTime, opts as RevocationOptions);

  const accuracy = readAccuracy(token);
  if (expected.notBefore !== undefined && genTime.getTime() < expected.notBefore.getTime()) {
    throw tsaError('TSA_TIME_BEFORE_CHECKPOINT', `genTime ${genTime.toISOString()} is before ${expected.notBefore.toISOString()}`, {
      got: genTime.toISOString(),
      want: expected.notBefore.toISOString(),
    });
  }
  if (expected.at !== undefined) {
    const slackMs = accuracy === undefined ? 0 : accuracy.seconds * 1000 + accuracy.millis + accuracy.micros / 1000;
    if (genTime.getTime() - slackMs > expected.at.getTime()) {
      throw tsaError('TSA_TIME_IN_FUTURE', `genTime ${genTime.toISOString()} is after ${expected.at.toISOString()}`, {
        got: genTime.toISOString(),
        want: expected.at.toISOString(),
      });
    }
  }

  return {
    genTime,
    tsa: formatName(signer.cert.subject),
    serialNumber: tstInfo.serialNumber.toBigInt().toString(16),
    policy: tstInfo.policy,
    ...(accuracy === undefined ? {} : { accuracy }),
    ordering: tstInfo.ordering === true,
    ...(nonce === undefined ? {} : { nonce }),
    signerCertificate: signer.der.slice(),
    chain: chain.map((c) => c.der.slice()),
    revocation,
  };
}

interface Expected {
  imprint: Uint8Array;
  imprintSm3?: Uint8Array;
  nonce?: bigint;
  notBefore?: Date;
  at?: Date;
}

function readOptions(opts: CheckTimestampOptions): Expected {
  if (typeof opts !== 'object' || opts === null) throw tsaError('TSA_BAD_ARGUMENT', 'options: expected an object');
  const { imprint, imprintSm3, nonce, notBefore, at } = opts;
  for (const [name, value, what] of [['imprint', imprint, 'SHA-256'], ['imprintSm3', imprintSm3 ?? new Uint8Array(32), 'SM3']] as const) {
    if (!(value instanceof Uint8Array) || value.length !== 32) {
      throw tsaError('TSA_BAD_ARGUMENT', `${name}: expected the 32-byte ${what} digest`, {
        got: value instanceof Uint8Array ? value.length : typeof value,
        want: 32,
      });
    }
  }
  const out: Expected = { imprint, ...(imprintSm3 === undefined ? {} : { imprintSm3 }) };
  if (nonce !== undefined) {
    if (typeof nonce === 'bigint') out.nonce = nonce;
    else if (nonce instanceof Uint8Array && nonce.length > 0 && nonce.length <= 64) out.nonce = BigInt(`0x${toHex(nonce)}`);
    else throw tsaError('TSA_BAD_ARGUMENT', 'nonce: expected a bigint or 1..64 bytes');
  }
  for (const [name, value] of [['notBefore', notBefore], ['at', at]] as const) {
    if (value === undefined) continue;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw tsaError('TSA_BAD_ARGUMENT', `${name}: expected a valid Date`);
    out[name] = value;
  }
  return out;
}

function parseRoot(der: unknown, index: number): CertRef {
  if (!(der instanceof Uint8Array)) throw tsaError('TSA_ROOT_MALFORMED', `roots[${index}]: expected DER bytes`);
  try {
    const node = decodeOne(der, 'TSA_ROOT_MALFORMED', `roots[${index}]`);
    return { cert: new Certificate({ schema: node }), der: der.slice() };
  } catch (err) {
    if (isOurs(err)) throw err;
    throw tsaError('TSA_ROOT_MALFORMED', `roots[${index}]: not an X.509 certificate (${errorText(err)})`, undefined, err);
  }
}

function checkImprint(token: ParsedToken, expected: Expected): void {
  const imprint = token.tstInfo.messageImprint;
  const oid = imprint.hashAlgorithm.algorithmId;
  const hash = hashByOid(oid);
  if (hash === undefined) throw tsaError('TSA_UNSUPPORTED', `messageImprint hash algorithm ${oid} is not SHA-256/384/512 or SM3`);
  const got = imprint.hashedMessage.valueBlock.valueHexView;
  // SHA-256 is compared with `imprint`, SM3 with `imprintSm3`; SHA-384/512 can never be the checkpoint's digest.
  const want = hash === 'SM3' ? expected.imprintSm3 : hash === 'SHA-256' ? expected.imprint : undefined;
  if (want === undefined || !bytesEqual(got, want)) {
    const message =
      hash === 'SM3' && want === undefined
        ? 'the token stamps an SM3 digest, and no expected SM3 digest (imprintSm3) was given'
        : `the token stamps another digest (${hash}) than the expected ${hash === 'SM3' ? 'SM3' : 'SHA-256'}`;
    throw tsaError('TSA_IMPRINT_MISMATCH', message, {
      got: toHex(got),
      ...(want === undefined && hash === 'SM3' ? {} : { want: toHex(want ?? expected.imprint) }),
      hash,
    });
  }
}

function readAccuracy(token: ParsedToken): TimestampAccuracy | undefined {
  const a = token.tstInfo.accuracy;
  if (a === undefined) return undefined;
  const accuracy = { seconds: a.seconds ?? 0, millis: a.millis ?? 0, micros: a.micros ?? 0 };
  const ok =
    Number.isSafeInteger(accuracy.seconds) &&
    accuracy.seconds >= 0 &&
    Number.isInteger(accuracy.millis) &&
    accuracy.millis >= 0 &&
    accuracy.millis <= 999 &&
    Number.isInteger(accuracy.micros) &&
    accuracy.micros >= 0 &&
    accuracy.micros <= 999;
  if (!ok) throw tsaError('TSA_TOKEN_MALFORMED', 'TSTInfo: accuracy out of range', { accuracy });
  return accuracy;
}
