/**
 * A throwaway PKI for tests, made with the `openssl` CLI (OpenSSL ≥ 3.0) once per process:
 *
 *   Cunzheng Test Root CA (EC P-256, CA:TRUE) ─┬─ Test TSA            EC, EKU critical timeStamping  (the good one)
 *                                              ├─ Test RSA TSA        RSA-2048, EKU critical timeStamping
 *                                              ├─ Test TSA (twin)     same key and serial as Test TSA, other validity
 *                                              ├─ Test TSA without timeStamping   no EKU
 *                                              └─ Expired Test TSA    valid 2020-01-01 .. 2020-01-02 only
 *   Other Test Root CA (not trusted by tests) ─── Untrusted Test TSA  EKU critical timeStamping
 *
 * and an openssl TS configuration (ts.cnf) with three TSA sections: ESSCertIDv2/SHA-256 (the default), ESSCertID/SHA-1,
 * and one accepting only SHA-512 imprints (so a SHA-256 query is refused with badAlg).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDir } from '../support/run-dir.js';

const run = promisify(execFile);

export interface SignerFiles {
  cert: string;
  key: string;
  /** Extra certificates to embed (the issuing CA). */
  chain: string;
}

export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  caDer: Uint8Array;
  otherCaDer: Uint8Array;
  tsaDer: Uint8Array;
  twinDer: Uint8Array;
  tsConfig: string;
  signers: {
    tsa: SignerFiles;
    rsa: SignerFiles;
    noEku: SignerFiles;
    expired: SignerFiles;
    untrusted: SignerFiles;
  };
}

export const POLICY = '1.3.6.1.4.1.55555.1.1';

/** Runs openssl, failing with its stderr. */
export async function openssl(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
    return { stdout, stderr };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** The TSA certificate's extensions, the same in the request config and the CA config. */
const TSA_EXT = `[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

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
${TSA_EXT}[noeku_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
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
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
organizationName = optional
commonName = supplied
${TSA_EXT}`;

function tsSection(name: string, digests: string, essAlg: string, serial: string): string {
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
ess_cert_id_alg = ${essAlg}
`;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];



async function makePki(): Promise<TestPki> {
  const dir = mkdtempSync(join(runDir(), 'cunzheng-test-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'req.cnf'), REQ_CNF);
  writeFileSync(join(dir, 'ca.cnf'), CA_CNF);
  writeFileSync(join(dir, 'serial'), '01\n');
  const serial = join(dir, 'serial');
  writeFileSync(
    join(dir, 'ts.cnf'),
    tsSection('tsa_sha256', 'sha256, sha384, sha512', 'sha256', serial) +
      tsSection('tsa_sha1_ess', 'sha256', 'sha1', serial) +
      tsSection('tsa_sha512_only', 'sha512', 'sha256', serial),
  );
  const o = (args: string[]) => openssl(args, dir);
  const root = (name: string, cn: string) =>
    o(['req', '-x509', ...EC, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3650', '-subj', `/O=cunzheng test/CN=${cn}`, '-config', 'req.cnf', '-extensions', 'ca_ext']);
  const csr = (name: string, cn: string, keyArgs: string[]) =>
    o(['req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=cunzheng test/CN=${cn}`, '-config', 'req.cnf']);
  const issue = (name: string, ca: string, serialNo: number, ext: string, days = 3650, out = `${name}.crt`) =>
    o(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(serialNo), '-days', String(days), '-out', out, '-extfile', 'req.cnf', '-extensions', ext]);

  await Promise.all([root('ca', 'Cunzheng Test Root CA'), root('other-ca', 'Other Test Root CA')]);
  await Promise.all([
    csr('tsa', 'Test TSA', EC).then(() => issue('tsa', 'ca', 2, 'tsa_ext')).then(() => issue('tsa', 'ca', 2, 'tsa_ext', 30, 'twin.crt')),
    csr('rsa', 'Test RSA TSA', ['-newkey', 'rsa:2048']).then(() => issue('rsa', 'ca', 3, 'tsa_ext')),
    csr('noeku', 'Test TSA without timeStamping', EC).then(() => issue('noeku', 'ca', 4, 'noeku_ext')),
    csr('untrusted', 'Untrusted Test TSA', EC).then(() => issue('untrusted', 'other-ca', 5, 'tsa_ext')),
    (async () => {
      // `openssl x509 -req` cannot backdate; `openssl ca` can (-startdate/-enddate).
      await run('mkdir', ['-p', join(dir, 'cadb')]);
      writeFileSync(join(dir, 'cadb', 'index.txt'), '');
      writeFileSync(join(dir, 'cadb', 'serial'), '10\n');
      await csr('expired', 'Expired Test TSA', EC);
      await o(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extensions', 'tsa_ext', '-notext']);
    })(),
  ]);

  const der = async (file: string) => new Uint8Array((await o(['x509', '-in', file, '-outform', 'DER', '-out', `${file}.der`]), readFileSync(join(dir, `${file}.der`))));
  const signer = (name: string, chain = 'ca.crt'): SignerFiles => ({
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
    chain: join(dir, chain),
  });
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caDer: await der('ca.crt'),
    otherCaDer: await der('other-ca.crt'),
    tsaDer: await der('tsa.crt'),
    twinDer: await der('twin.crt'),
    tsConfig: join(dir, 'ts.cnf'),
    signers: {
      tsa: signer('tsa'),
      rsa: signer('rsa'),
      noEku: signer('noeku'),
      expired: signer('expired'),
      untrusted: signer('untrusted', 'other-ca.crt'),
    },
  };
}

let cached: Promise<TestPki> | undefined;

/** The test PKI of this test file (made on first use in this worker process, which keeps it for its later files; removed when the process exits or the run ends). */
export function testPki(): Promise<TestPki> {
  cached ??= makePki();
  return cached;
}
