import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fromBase64, publicKeyFromSeed, sha256, toBase64, toHex, utf8 } from '../../src/crypto/index.js';
import {
  cosignatureVerifier, formatSignerKey, formatVerifierKey, generateSigner, isValidKeyName, keyId, openNote,
  parseSignerKey, parseVerifierKey, signNote, signerFromSeed,
} from '../../src/note/index.js';
import { codeOf, testSeed, vectors } from './helpers.js';

const pub = publicKeyFromSeed(testSeed(1));

describe('keyId', () => {
  it('is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ key), big-endian', () => {
    const digest = sha256(utf8('log.example/a\n'), Uint8Array.of(0x01), pub);
    expect(keyId('log.example/a', 0x01, pub).toString(16).padStart(8, '0')).toBe(toHex(digest.subarray(0, 4)));
  });
  it('differs between signature types for the same name and key', () => {
    expect(keyId('w.example', 0x01, pub)).not.toBe(keyId('w.example', 0x04, pub));
  });
  it('is an unsigned 32-bit number', () => {
    for (let n = 0; n < 20; n++) {
      const id = keyId(`n${n}`, 1, pub);
      expect(Number.isInteger(id) && id >= 0 && id <= 0xffffffff).toBe(true);
    }
  });
});

describe('key names', () => {
  it.each(['example.com/log', 'oid/1.3.6.1.4.1', '存证.example/日志', 'a'])('accepts %j', (name) => {
    expect(isValidKeyName(name)).toBe(true);
  });
  const bad = ['', 'a+b', 'a b', 'a\tb', 'a\nb', 'a\u00a0b', 'a\u3000b', 'a\u0085b', 'a\u2028b', 'a\u0000b', 'a\u007fb', '\ud800x', 'x'.repeat(1025)];
  it.each(bad.map((name) => [JSON.stringify(name).slice(0, 24), name]))(
    'refuses %s with BAD_KEY_NAME',
    (_label, name) => {
      expect(isValidKeyName(name)).toBe(false);
      expect(codeOf(() => formatVerifierKey(name, pub))).toBe('BAD_KEY_NAME');
      expect(codeOf(() => signerFromSeed(name, testSeed(1)))).toBe('BAD_KEY_NAME');
    },
  );
});

describe('when parsing a verifier key', () => {
  const good = formatVerifierKey('log.example/a', pub);

  it('round-trips name, key ID, type and public key', () => {
    const v = parseVerifierKey(good);
    expect([v.name, v.keyId, v.type, toBase64(v.publicKey)]).toEqual(['log.example/a', keyId('log.example/a', 1, pub), 1, toBase64(pub)]);
    expect(good).toMatch(/^log\.example\/a\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  });
  it('reads type 0x04 as a cosignature verifier', () => {
    const v = parseVerifierKey(formatVerifierKey('w.example', pub, 0x04));
    expect(v.type).toBe(0x04);
    expect(v.keyId).toBe(cosignatureVerifier('w.example', pub).keyId);
  });
  it('rejects a wrong key ID (KEY_ID_MISMATCH)', () => {
    const [name, hex, b64] = vectors.verifierKey.split('+') as [string, string, string];
    const wrong = ((Number.parseInt(hex, 16) + 1) % 2 ** 32).toString(16).padStart(8, '0');
    expect(codeOf(() => parseVerifierKey(`${name}+${wrong}+${b64}`))).toBe('KEY_ID_MISMATCH');
  });
  it('rejects an uppercase or short key ID (BAD_VERIFIER_KEY)', () => {
    const [name, hex, b64] = vectors.verifierKey.split('+') as [string, string, string];
    expect(codeOf(() => parseVerifierKey(`${name}+${hex.toUpperCase()}+${b64}`))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(`${name}+${hex.slice(1)}+${b64}`))).toBe('BAD_VERIFIER_KEY');
  });
  it('rejects a name with a space (BAD_KEY_NAME) and a name with a plus (BAD_VERIFIER_KEY: the parts shift)', () => {
    const rest = vectors.verifierKey.slice(vectors.verifierKey.indexOf('+'));
    expect(codeOf(() => parseVerifierKey(`example.com/cunzheng test${rest}`))).toBe('BAD_KEY_NAME');
    expect(codeOf(() => parseVerifierKey(`example.com+cunzheng-test${rest}`))).toBe('BAD_VERIFIER_KEY');
  });
  it('rejects non-canonical base64, a short key, a missing part and a non-string (BAD_VERIFIER_KEY)', () => {
    // 33 bytes of key material fill 44 base64 characters exactly: any padding is non-canonical.
    expect(codeOf(() => parseVerifierKey(`${vectors.verifierKey}=`))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(vectors.verifierKey.replace(/^(.*\+.{10})/, '$1 ')))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(vectors.verifierKey.replace(/\//g, '_')))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(formatVerifierKey('a', pub.subarray(0, 31))))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey('a+12345678'))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(42))).toBe('BAD_VERIFIER_KEY');
    expect(codeOf(() => parseVerifierKey(`${vectors.verifierKey} `))).toBe('BAD_VERIFIER_KEY');
  });
  it('rejects an unknown signature type with a matching key ID (UNSUPPORTED_KEY_TYPE)', () => {
    expect(codeOf(() => parseVerifierKey(formatVerifierKey('a', pub, 0x02)))).toBe('UNSUPPORTED_KEY_TYPE');
    expect(codeOf(() => parseVerifierKey(formatVerifierKey('a', pub, 0xff)))).toBe('UNSUPPORTED_KEY_TYPE');
  });
});

describe('when parsing a signer key', () => {
  it('reads the Go format and signs as the verifier key expects', () => {
    const signer = parseSignerKey(vectors.signerKey);
    const note = signNote('hello\n', [signer]);
    expect(openNote(note, [parseVerifierKey(vectors.verifierKey)]).text).toBe('hello\n');
  });
  it('rejects a key ID that does not match the derived public key (KEY_ID_MISMATCH)', () => {
    const bad = vectors.signerKey.replace('+b4548b99+', '+b4548b98+');
    expect(codeOf(() => parseSignerKey(bad))).toBe('KEY_ID_MISMATCH');
  });
  it('rejects a missing prefix, a short seed, a bad key ID and a non-string (BAD_SIGNER_KEY)', () => {
    expect(codeOf(() => parseSignerKey(vectors.signerKey.replace('PRIVATE+KEY+', '')))).toBe('BAD_SIGNER_KEY');
    expect(codeOf(() => parseSignerKey(`PRIVATE+KEY+a+00000000+${toBase64(new Uint8Array(32))}`))).toBe('BAD_SIGNER_KEY');
    expect(codeOf(() => parseSignerKey(vectors.signerKey.replace('+b4548b99+', '+B4548B99+')))).toBe('BAD_SIGNER_KEY');
    expect(codeOf(() => parseSignerKey(undefined))).toBe('BAD_SIGNER_KEY');
  });
  it('rejects an unknown type (UNSUPPORTED_KEY_TYPE)', () => {
    const material = fromBase64(vectors.signerKey.slice(vectors.signerKey.lastIndexOf('+') + 1));
    material[0] = 0x02;
    expect(codeOf(() => parseSignerKey(`PRIVATE+KEY+a+00000000+${toBase64(material)}`))).toBe('UNSUPPORTED_KEY_TYPE');
  });
  it('never prints the seed in an error message', () => {
    const material = vectors.signerKey.slice(vectors.signerKey.lastIndexOf('+') + 1);
    for (const bad of [vectors.signerKey.replace('+b4548b99+', '+b4548b98+'), `${vectors.signerKey}x`, vectors.signerKey.replace('PRIVATE', 'PUBLIC')]) {
      try {
        parseSignerKey(bad);
        expect.fail('parsed');
      } catch (e) {
        expect(inspect(e, { depth: 5 })).not.toContain(material.slice(4, 40));
      }
    }
  });
});

describe('signers', () => {
  it('show only public facts in toString, JSON and inspect', () => {
    const seed = testSeed(7);
    const signer = signerFromSeed('log.example/a', seed);
    const secretForms = [toHex(seed), toBase64(seed), seed.join(',')];
    for (const shown of [String(signer), JSON.stringify(signer), inspect(signer, { depth: 5, showHidden: true })]) {
      for (const s of secretForms) expect(shown).not.toContain(s);
    }
    expect(JSON.parse(JSON.stringify(signer))).toEqual({
      name: 'log.example/a', keyId: signer.keyId.toString(16).padStart(8, '0'), type: 1, publicKey: toBase64(publicKeyFromSeed(seed)),
    });
  });
  it('are not changed by later edits to the seed array', () => {
    const seed = testSeed(8);
    const signer = signerFromSeed('a', seed);
    const before = signNote('x\n', [signer]);
    seed.fill(0);
    expect(signNote('x\n', [signer])).toBe(before);
  });
  it('generateSigner gives a matching signer key and verifier key, fresh each time', () => {
    const a = generateSigner('log.example/new');
    const b = generateSigner('log.example/new');
    expect(a.signerKey).not.toBe(b.signerKey);
    const note = signNote('text\n', [parseSignerKey(a.signerKey)]);
    expect(openNote(note, [parseVerifierKey(a.verifierKey)]).verified).toHaveLength(1);
    expect(codeOf(() => openNote(note, [parseVerifierKey(b.verifierKey)]))).toBe('NOTE_UNVERIFIED');
  });
  it('generateSigner makes cosigner keys with type 0x04', () => {
    const { signerKey, verifierKey } = generateSigner('w.example', 0x04);
    const cosigner = parseSignerKey(signerKey, { now: () => 1700000000 });
    expect(cosigner.type).toBe(4);
    expect(parseVerifierKey(verifierKey).keyId).toBe(cosigner.keyId);
  });
});
