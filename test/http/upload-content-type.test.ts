/**
 * POST /v1/documents takes the document as the raw body. A body that is not the document's bytes (a
 * multipart form from `curl -F`, a url-encoded form from `curl -d`, JSON, a compressed body) would get a
 * receipt that can never match the file: it is refused with 415 and a hint, and nothing is written. The
 * OpenAPI document declares the body as application/octet-stream (binary), so /docs can upload a file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { parseEntry } from '../../src/entry/index.js';
import { fromBase64 } from '../../src/crypto/index.js';
import { USCC_A, createTenant, expectErrorBody, openTestService, type TestService, type TestTenant } from './helpers.js';

let s: TestService;
let a: TestTenant;
beforeAll(async () => {
  s = await openTestService({ docs: true });
  a = await createTenant(s.app, 'Upload Types Co.', USCC_A);
});
afterAll(async () => {
  await s.close();
});

const FILE = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\r\n%%EOF\n');
const sha256Of = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** What `curl -F file=@doc.pdf` sends. */
function multipart(file: Buffer): { body: Buffer; type: string } {
  const boundary = '------------------------d74496d66958873e';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="doc.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

function upload(payload: Buffer | string, headers: Record<string, string>) {
  return s.app.inject({ method: 'POST', url: '/v1/documents?filename=doc.pdf', headers: { ...a.auth, ...headers }, payload });
}

describe('when the body is not the document itself', () => {
  const cases: [string, Buffer, Record<string, string>][] = [
    ['a multipart form (curl -F file=@doc.pdf)', multipart(FILE).body, { 'content-type': multipart(FILE).type }],
    ['a url-encoded form (curl -d @doc.pdf)', FILE, { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a multipart form in odd case with parameters', multipart(FILE).body, { 'content-type': ` Multipart/Form-Data ; boundary=x` }],
    ['another multipart type', FILE, { 'content-type': 'multipart/mixed; boundary=x' }],
    ['JSON', Buffer.from(`{"sha256":"${sha256Of(FILE)}"}`), { 'content-type': 'application/json' }],
    ['a gzip-compressed body', FILE, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' }],
  ];
  it.each(cases)('refuses %s with 415 UNSUPPORTED_MEDIA_TYPE and the way to send it, writing nothing', async (_what, body, headers) => {
    const size = s.ctx.ledger.treeSize;
    const res = await upload(body, headers);
    const err = expectErrorBody(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('--data-binary @file');
    expect(err.message).toContain('application/octet-stream');
    expect(res.headers.connection).toBe('close');
    await s.ctx.ledger.flush();
    expect(s.ctx.ledger.treeSize).toBe(size);
  });

  it('still answers 401, not 415, without credentials', async () => {
    const m = multipart(FILE);
    const res = await s.app.inject({ method: 'POST', url: '/v1/documents', headers: { 'content-type': m.type }, payload: m.body });
    expectErrorBody(res, 401, 'UNAUTHORIZED');
  });
});

describe('when the body is the document', () => {
  it.each([
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
    ['application/octet-stream with a parameter, in capitals', { 'content-type': 'Application/Octet-Stream; x=1' }],
    ['the document\'s own type', { 'content-type': 'application/pdf' }],
    ['no Content-Type', {}],
  ] as [string, Record<string, string>][])('hashes it byte for byte with %s', async (_what, headers) => {
    const file = Buffer.concat([FILE, Buffer.from(_what)]);
    const res = await upload(file, headers);
    expect(res.statusCode, res.body).toBe(201);
    expect(parseEntry(fromBase64(res.json().entry)).digest.sha256).toBe(sha256Of(file));
  });
});

describe('the OpenAPI document', () => {
  it('declares the upload body as application/octet-stream, format binary, so /docs offers a file picker', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { requestBody?: { required?: boolean; content: Record<string, { schema: { type: string; format: string } }> } }>>;
    };
    const body = doc.paths['/v1/documents']!.post!.requestBody;
    expect(body?.content['application/octet-stream']?.schema).toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(body!.content)).toEqual(['application/octet-stream']);
  });
});
