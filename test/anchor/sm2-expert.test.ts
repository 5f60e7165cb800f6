/**
 * The check a court's expert can run on an SM2 token without our code (src/anchor/README.md, "Checking an SM2 token
 * with openssl"): test/tsa/sm2-expert-check.sh, run with the real sh and openssl, accepts the tokens we accept and
 * refuses the altered and the empty-identifier ones; the README shows that same script.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTimestampRequest, parseTimeStampResponse } from '../../src/anchor/pure.js';
import { toHex } from '../../src/crypto/index.js';
import { type Sm2Pki, sm2TestPki } from '../tsa/sm2-pki.js';
import { type Sm2TsaSigner, stampSm2Query } from '../tsa/sm2-tsa.js';
import { checkpointImprint, flipped, signatureOffset } from './helpers.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../tsa/sm2-expert-check.sh', import.meta.url));
const README = fileURLToPath(new URL('../../src/anchor/README.md', import.meta.url));
const imprint = checkpointImprint(9);
let pki: Sm2Pki;

beforeAll(async () => {
  pki = await sm2TestPki();
});

async function token(signer: Sm2TsaSigner): Promise<Uint8Array> {
  return parseTimeStampResponse(await stampSm2Query(buildTimestampRequest(imprint).der, signer));
}

async function expertCheck(tokenDer: Uint8Array): Promise<{ ok: boolean; output: string }> {
  const work = mkdtempSync(join(pki.dir, 'expert-'));
  try {
    writeFileSync(join(work, 'token.der'), tokenDer);
    const { stdout, stderr } = await run('sh', [SCRIPT, 'token.der', pki.rootFile], { cwd: work, encoding: 'utf8' });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('when an expert checks an SM2 token with openssl alone', () => {
  it('the chain, the imprint and the signature check out for a token signed by openssl, and for one signed by us', async () => {
    for (const signer of ['sm2', 'sm2-ours'] as const) {
      const result = await expertCheck(await token(signer));
      expect(result.ok, result.output).toBe(true);
      expect(result.output).toContain('tsa.pem: OK');
      expect(result.output).toContain(toHex(imprint).toUpperCase());
      expect(result.output).toContain('Signature Verified Successfully');
    }
  });

  it('fails for a flipped signature byte, an empty-identifier signature, and a certificate signed without the identifier', async () => {
    const good = await token('sm2');
    const { at, length } = signatureOffset(good);
    const cases = [flipped(good, at + length - 1), await token('sm2-no-id'), await token('sm2-cert-no-id')];
    for (const bad of cases) {
      const result = await expertCheck(bad);
      expect(result.ok, result.output).toBe(false);
    }
  });

  it('is the script the README shows', () => {
    const readme = readFileSync(README, 'utf8');
    const body = readFileSync(SCRIPT, 'utf8').split('\n').slice(3).join('\n').trim();
    expect(readme).toContain(body);
  });
});
