/**
 * A throwaway SM2 PKI for tests, made with the `openssl` CLI (OpenSSL ≥ 3.0) once per process:
 *
 *   Cunzheng SM2 Test Root CA (sm2p256v1, CA:TRUE) ─┬─ SM2 Test TSA           EKU critical timeStamping (the good one)
 *                                                   ├─ SM2 Test TSA (no id)   same key, subject and serial, but the
 *                                                   │                         root signed it WITHOUT the identifier
 *                                                   └─ Expired SM2 Test TSA   valid 2020-01-01 .. 2020-01-02 only
 *   Other SM2 Test Root CA (not trusted by tests) ── Untrusted SM2 Test TSA
 *   Cunzheng SM2 Test Root CA (an impostor: same name, other key) ── SM2 Test TSA (impostor: same name, other key)
 *
 * Every certificate signature is SM2-with-SM3 with the standard identifier: OpenSSL 3.0 signs SM2 with an EMPTY
 * identifier unless told `-sigopt distid:1234567812345678` (and verifies the same way unless `-vfyopt`), so each
 * signing command passes it. The CSRs are signed the openssl default way (only `openssl x509 -req` reads them).
 *
 * OpenSSL 3.0 cannot sign a time-stamp reply or any CMS with an SM2 key ("signing not supported for this key
 * type"), so each SM2 TSA has a stand-in: a throwaway P-256 certificate with the same subject, which `openssl ts
 * -reply` uses to write the TSTInfo (imprint, serial, genTime, accuracy, nonce, tsa name). That TSTInfo is then
 * signed as SM2 CMS by sm2-token.ts; the stand-in's own signature is discarded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir } from '../support/run-dir.js';
import { openssl, POLICY } from './pki.js';

export const SM2_DISTID = '1234567812345678';
const SIGN = ['-sm3', '-sigopt', `distid:${SM2_DISTID}`];

export interface Sm2SignerFiles {
  /** The SM2 TSA certificate (PEM) and its SM2 private key (PKCS#8 PEM), and the issuing root (PEM). */
  cert: string;
  key: string;
  chain: string;
  /** The stand-in P-256 certificate and key with the same subject, for `openssl ts -reply`. */
  standInCert: string;
  standInKey: string;
  /** DER of the certificate and of its issuing root: what the token embeds. */
  certDer: Uint8Array;
  chainDer: Uint8Array;
}

export interface Sm2Pki {
  dir: string;
  rootFile: string;
  rootPem: string;
  rootDer: Uint8Array;
  otherRootDer: Uint8Array;
  tsaDer: Uint8Array;
  tsaNoIdDer: Uint8Array;
  /** The TSA's public key, SPKI PEM (for `openssl pkeyutl -verify -pubin`). */
  tsaPublicKeyFile: string;
  tsConfig: string;
  signers: { tsa: Sm2SignerFiles; noIdCert: Sm2SignerFiles; expired: Sm2SignerFiles; untrusted: Sm2SignerFiles; impostor: Sm2SignerFiles };
}

const REQ_CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const CA_CNF = `
[ca]
default_ca = test_ca
[test_ca]
database = ./cadb/index.txt
new_certs_dir = ./cadb
serial = ./cadb/serial
default_md = sm3
policy = any
unique_subject = no
copy_extensions = none
[any]
organizationName = optional
commonName = supplied
[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function tsSection(name: string, digests: string, serial: string): string {
  return `
[${name}]
serial = ${serial}
crypto_device = builtin
signer_digest = sha256
default_policy = ${POLICY}
other_policies = 1.3.6.1.4.1.55555.1.2
digests = ${digests}
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

let cached: Promise<Sm2Pki> | undefined;


async function makeSm2Pki(): Promise<Sm2Pki> {
  const dir = mkdtempSync(join(runDir(), 'cunzheng-test-sm2-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'req.cnf'), REQ_CNF);
  writeFileSync(join(dir, 'ca.cnf'), CA_CNF);
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ts.cnf'),
    tsSection('tsa_sm2', 'sha256, sm3', join(dir, 'serial')) + tsSection('tsa_sha512_only', 'sha512', join(dir, 'serial')),
  );
  const o = (args: string[]) => openssl(args, dir);
  const subject = (cn: string) => `/O=cunzheng test/CN=${cn}`;
  // `genpkey` first: a key made by `req -newkey ec` on the SM2 curve is a plain EC key, which takes no distid.
  const key = (name: string) => o(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', `${name}.key`]);
  const root = async (name: string, cn: string) => {
    await key(name);
    await o(['req', '-x509', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '3650', '-subj', subject(cn), '-config', 'req.cnf', '-extensions', 'ca_ext', ...SIGN]);
  };
  const csr = async (name: string, cn: string) => {
    await key(name);
    await o(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject(cn), '-config', 'req.cnf']);
  };
  const issue = (name: string, ca: string, serialNo: number, out: string, sign = SIGN) =>
    o(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(serialNo), '-days', '3650', '-out', out, '-extfile', 'req.cnf', '-extensions', 'tsa_ext', ...sign]);
  const standIn = (name: string, cn: string) =>
    o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-standin.key`, '-out', `${name}-standin.crt`, '-days', '3650', '-subj', subject(cn), '-config', 'req.cnf', '-extensions', 'tsa_ext']);

  await Promise.all([
    root('sm2-root', 'Cunzheng SM2 Test Root CA'),
    root('sm2-other-root', 'Other SM2 Test Root CA'),
    root('sm2-impostor-root', 'Cunzheng SM2 Test Root CA'),
  ]);
  await Promise.all([
    csr('sm2-tsa', 'SM2 Test TSA').then(() =>
      Promise.all([issue('sm2-tsa', 'sm2-root', 0x21, 'sm2-tsa.crt'), issue('sm2-tsa', 'sm2-root', 0x21, 'sm2-tsa-noid.crt', ['-sm3'])]),
    ),
    csr('sm2-untrusted', 'Untrusted SM2 Test TSA').then(() => issue('sm2-untrusted', 'sm2-other-root', 0x22, 'sm2-untrusted.crt')),
    csr('sm2-impostor', 'SM2 Test TSA').then(() => issue('sm2-impostor', 'sm2-impostor-root', 0x21, 'sm2-impostor.crt')),
    (async () => {
      // `openssl x509 -req` cannot backdate; `openssl ca` can (-startdate/-enddate).
      mkdirSync(join(dir, 'cadb'));
      writeFileSync(join(dir, 'cadb', 'index.txt'), '');
      writeFileSync(join(dir, 'cadb', 'serial'), '30\n');
      await csr('sm2-expired', 'Expired SM2 Test TSA');
      await o(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'sm2-root.crt', '-keyfile', 'sm2-root.key', '-in', 'sm2-expired.csr', '-out', 'sm2-expired.crt',
        '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extensions', 'tsa_ext', '-notext', '-md', 'sm3', '-sigopt', `distid:${SM2_DISTID}`]);
    })(),
    standIn('sm2-tsa', 'SM2 Test TSA'),
    standIn('sm2-untrusted', 'Untrusted SM2 Test TSA'),
    standIn('sm2-expired', 'Expired SM2 Test TSA'),
  ]);
  await o(['pkey', '-in', 'sm2-tsa.key', '-pubout', '-out', 'sm2-tsa.pub']);

  const der = async (file: string) => new Uint8Array((await o(['x509', '-in', file, '-outform', 'DER', '-out', `${file}.der`]), readFileSync(join(dir, `${file}.der`))));
  const signer = async (name: string, cert = `${name}.crt`, chain = 'sm2-root.crt', standIn = name): Promise<Sm2SignerFiles> => ({
    cert: join(dir, cert),
    key: join(dir, `${name}.key`),
    chain: join(dir, chain),
    standInCert: join(dir, `${standIn}-standin.crt`),
    standInKey: join(dir, `${standIn}-standin.key`),
    certDer: await der(cert),
    chainDer: await der(chain),
  });
  return {
    dir,
    rootFile: join(dir, 'sm2-root.crt'),
    rootPem: readFileSync(join(dir, 'sm2-root.crt'), 'utf8'),
    rootDer: await der('sm2-root.crt'),
    otherRootDer: await der('sm2-other-root.crt'),
    tsaDer: await der('sm2-tsa.crt'),
    tsaNoIdDer: await der('sm2-tsa-noid.crt'),
    tsaPublicKeyFile: join(dir, 'sm2-tsa.pub'),
    tsConfig: join(dir, 'ts.cnf'),
    signers: {
      tsa: await signer('sm2-tsa'),
      noIdCert: await signer('sm2-tsa', 'sm2-tsa-noid.crt'),
      expired: await signer('sm2-expired'),
      untrusted: await signer('sm2-untrusted', 'sm2-untrusted.crt', 'sm2-other-root.crt'),
      impostor: await signer('sm2-impostor', 'sm2-impostor.crt', 'sm2-impostor-root.crt', 'sm2-tsa'),
    },
  };
}

/** The SM2 test PKI of this test file (made on first use in this worker process, which keeps it for its later files; removed when the process exits or the run ends). */
export function sm2TestPki(): Promise<Sm2Pki> {
  cached ??= makeSm2Pki();
  return cached;
}
