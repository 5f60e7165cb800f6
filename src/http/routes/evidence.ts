/**
 * POST /v1/evidence — the evidence package (证据包, src/evidence/README.md) of the tenant's documents, made by
 * the service itself: the body names deposits (schemas-evidence.ts); for each, every version and event of its
 * document (the history GET /v1/deposits/:id/history answers, receipts refreshed and verified), the newest
 * checkpoint with a consistency proof from every receipt's tree to it, the log's verifier keys, the witness
 * policy (when the service has one) and the browser verifier (when built). The package's two roots are
 * deposited as the requesting user through POST /v1/deposits' own path (prepareDeposits, depositPrepared:
 * durable before its receipt closes the zip), so that deposit is in the tenant's ledger record.
 *
 * Officers and depositors (the package writes a deposit; roles.ts); a depositor only of documents one of
 * their own entries belongs to, as the history. Every id is checked before any work: another tenant's, or
 * (for a depositor) another user's, answers the history's 404 NOT_FOUND, as an unknown id does, and nothing
 * is deposited. The chosen documents are read whole before the answer starts (at most MAX_SERVICE_EXHIBITS
 * entries, else 413 EVIDENCE_TOO_MANY_EXHIBITS).
 *
 * The answer is application/zip, chunked and streamed as it is made (never held whole), the package's
 * deposit id in the HTTP trailer Cunzheng-Package-Id (it exists only once every file is hashed). A failure
 * after the answer has started cannot change its status: the connection is then cut without the final chunk
 * (curl exits 18, a browser's read of the body rejects), the bytes received are no package (`cunzheng verify`
 * says EVIDENCE_MALFORMED) and the failure is logged with its code.
 *
 * Builds at once: at most `evidenceBuilds` (2) on the server (503 EVIDENCE_SERVER_BUSY) and
 * `tenantEvidenceBuilds` (1) per tenant (429 EVIDENCE_BUSY), both with Retry-After. Certificates are made on
 * the service's worker pool with a window of half its workers (at least one), so a package leaves workers to
 * the deposits' replies; without a pool, on this thread one after the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CunzhengError } from '../../errors.js';
import { utf8 } from '../../crypto/index.js';
import { parseCheckpoint } from '../../checkpoint/index.js';
import { receiptReplyJson } from '../../receipt/index.js';
import { buildEvidencePackage, type CertificateMaker } from '../../evidence/index.js';
import { makeCertificatesParallel } from '../../workers/certificates.js';
import type { Tenant } from '../../service/tenants.js';
import type { User } from '../../service/users.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { lowerHex } from '../hex-fields.js';
import { prepareDeposits } from '../deposit-prepare.js';
import { ErrorBody, type ExplainInvalid } from '../schemas.js';
import { EvidenceBody, EvidenceZip, MAX_EVIDENCE_IDS, MAX_EVIDENCE_TITLE } from '../schemas-evidence.js';
import { recordServices } from './records.js';
import { verifierPagePath } from './verify-page.js';

/** Versions and events in one package made by the service, at most (their receipts are held while it is made). */
export const MAX_SERVICE_EXHIBITS = 10_000;

export interface EvidenceRouteOptions {
  /** Packages being made at once on the server (default 2). */
  evidenceBuilds?: number;
  /** Packages being made at once for one tenant (default 1). */
  tenantEvidenceBuilds?: number;
  /** The browser verifier's bytes (default: dist/web/verifier.html when built; null: none). */
  verifierHtml?: Uint8Array | null;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** A body the schema refused: EVIDENCE_BAD_BODY naming the field. */
export const explainEvidenceBody: ExplainInvalid = (_request, { context, errors: failures }) => {
  if (context !== 'body') return undefined;
  const e = failures[0] as { instancePath?: string; message?: string; params?: { additionalProperty?: string } } | undefined;
  const path = e?.instancePath ?? '';
  const field = path === '' ? e?.params?.additionalProperty ?? 'body' : path.slice(1).replace(/\//g, '.');
  const rule = field.startsWith('ids') ? `ids: an array of 1 to ${MAX_EVIDENCE_IDS} deposit ids (32 hex)`
    : field === 'title' ? `title: a string of at most ${MAX_EVIDENCE_TITLE} characters without control characters`
    : field === 'lang' ? 'lang: zh or en'
    : 'the body is {ids: [deposit id…], title?, lang?}';
  return new CunzhengError('EVIDENCE_BAD_BODY', `${rule} (${field} ${e?.message ?? 'is invalid'})`, { details: { field } });
};

/** Attachment name: ASCII in filename, the matter too in filename* (RFC 6266, RFC 8187). */
export function evidenceDisposition(now: Date, title: string | undefined): string {
  const b = new Date(now.getTime() + 8 * 3600_000).toISOString();
  const stamp = `${b.slice(0, 10).replace(/-/g, '')}-${b.slice(11, 19).replace(/:/g, '')}`;
  const ascii = `evidence-${stamp}.zip`;
  const matter = (title ?? '').replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60);
  if (matter === '' || matter === '_') return `attachment; filename="${ascii}"`;
  const ext = encodeURIComponent(`evidence-${stamp}-${matter}.zip`).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${ext}`;
}

/** Lowercases well-formed hex ids (uppercase is accepted, as everywhere); anything else is the schema's to refuse. */
function lowercaseIds(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const ids = (body as { ids?: unknown }).ids;
  if (!Array.isArray(ids)) return;
  for (let i = 0; i < ids.length && i <= MAX_EVIDENCE_IDS; i++) if (typeof ids[i] === 'string') ids[i] = lowerHex(ids[i] as string, 32) ?? ids[i];
}

interface Gathered {
  receipts: Uint8Array[];
  treeSizes: number[];
}

const treeSizeOf = (note: string): number => parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).treeSize;

/** Every version and event of each id's document, by document (ledger order of its first entry), then ledger order. */
async function gather(ctx: ServiceContext, tenant: Tenant, user: User | undefined, ids: readonly string[]): Promise<Gathered> {
  // Every id first (cheap): one the reader may not see is the history's 404 before any page is read.
  for (const id of ids) if ((await ctx.deposits.ownIndex(tenant, id, user)) === undefined) throw notFound('deposit');
  const { history } = recordServices(ctx);
  const docs = new Map<string, Map<string, { leaf: number; bytes: Uint8Array; treeSize: number }>>();
  const seen = new Set<string>();
  let count = 0;
  for (const id of ids) {
    if (seen.has(id)) continue;
    let after: number | undefined;
    for (;;) {
      const page = await history.history(tenant, id, user, after);
      if (page === undefined) throw notFound('deposit');
      let items = docs.get(page.doc);
      if (items === undefined) docs.set(page.doc, (items = new Map()));
      for (const item of page.items) {
        seen.add(item.id);
        if (items.has(item.id)) continue;
        if (++count > MAX_SERVICE_EXHIBITS) {
          throw new CunzhengError('EVIDENCE_TOO_MANY_EXHIBITS', `the documents chosen hold more than ${MAX_SERVICE_EXHIBITS} versions and events: make several packages, or one with cunzheng evidence`, { details: { max: MAX_SERVICE_EXHIBITS } });
        }
        items.set(item.id, { leaf: item.leafIndex, bytes: receiptReplyJson(item.receipt), treeSize: treeSizeOf(item.receipt.checkpoint) });
      }
      if (page.cursor === undefined || page.items.length === 0) break;
      after = Number(page.cursor);
    }
  }
  const ordered = [...docs.values()].map((m) => [...m.values()].sort((a, b) => a.leaf - b.leaf)).sort((a, b) => a[0]!.leaf - b[0]!.leaf).flat();
  return { receipts: ordered.map((r) => r.bytes), treeSizes: ordered.map((r) => r.treeSize) };
}

/** Counts builds in flight, on the server and per tenant. */
class BuildSlots {
  private total = 0;
  private readonly byTenant = new Map<string, number>();
  constructor(private readonly max: number, private readonly perTenant: number) {}

  take(tenantId: string): () => void {
    const mine = this.byTenant.get(tenantId) ?? 0;
    if (mine >= this.perTenant) {
      throw new CunzhengError('EVIDENCE_BUSY', `your tenant already has ${mine} evidence package(s) being made (at most ${this.perTenant} at once): retry when it is done`, { details: { retryAfterSeconds: 10 } });
    }
    if (this.total >= this.max) {
      throw new CunzhengError('EVIDENCE_SERVER_BUSY', `the service is making ${this.total} evidence packages (at most ${this.max} at once): retry shortly`, { details: { retryAfterSeconds: 10 } });
    }
    this.total++;
    this.byTenant.set(tenantId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.byTenant.get(tenantId) ?? 1) - 1;
      if (n === 0) this.byTenant.delete(tenantId);
      else this.byTenant.set(tenantId, n);
    };
  }
}

function defaultVerifierHtml(): Uint8Array | undefined {
  const path = verifierPagePath();
  return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
}

export async function evidenceRoutes(instance: FastifyInstance, ctx: ServiceContext, options: EvidenceRouteOptions = {}): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const slots = new BuildSlots(options.evidenceBuilds ?? 2, options.tenantEvidenceBuilds ?? 1);
  const verifierHtml = options.verifierHtml === undefined ? defaultVerifierHtml() : options.verifierHtml ?? undefined;
  const pool = ctx.pool;
  const certificates: CertificateMaker | undefined = pool === undefined ? undefined
    : (items) => makeCertificatesParallel(items, { pool, window: Math.max(1, Math.floor(pool.size / 2)) });

  app.post('/v1/evidence', {
    bodyLimit: 64 * 1024,
    config: { explainInvalid: explainEvidenceBody },
    preValidation: (req, _reply, done) => {
      lowercaseIds(req.body);
      done();
    },
    schema: {
      tags: ['tenant'],
      summary: 'The evidence package (证据包) of your documents: every version\'s and event\'s receipt and certificate, checkpoint, consistency proofs, manifest with deposited roots (application/zip, streamed; officers and depositors)',
      description: 'The zip `cunzheng verify case.zip` checks offline. Its roots are deposited as you (the deposit id in the trailer Cunzheng-Package-Id; it is listed with your deposits). Another tenant\'s or an unknown id: 404, nothing made. A failure once the zip has started cuts the connection without the final chunk: what was received is no package.',
      security: [{ bearer: [] }],
      body: EvidenceBody,
      response: { 200: EvidenceZip, ...errors },
    },
  }, async (req, reply) => {
    const tenant = req.tenant!;
    const ids = [...new Set(req.body.ids)];
    const release = slots.take(tenant.id);
    let started = false;
    try {
      const gathered = await gather(ctx, tenant, req.user, ids);
      // Read after every receipt: each receipt's tree is a prefix of it.
      const signed = ctx.ledger.checkpoint;
      const treeSize = treeSizeOf(signed);
      const checkpoint = ctx.witnesser === undefined ? signed : await ctx.witnesser.cosignedNote(treeSize, signed);
      const proofs = new Map<number, Uint8Array[]>();
      for (const size of gathered.treeSizes) if (!proofs.has(size)) proofs.set(size, size === treeSize ? [] : await ctx.ledger.consistencyProof(size, treeSize));
      const operator = ctx.deposits.operatorFor(tenant, req.user?.id);
      const policy = ctx.witnesser?.policy.bytes;
      const { stream, result } = buildEvidencePackage({
        title: req.body.title ?? null, lang: req.body.lang ?? 'zh', receipts: gathered.receipts, checkpoint,
        consistency: { treeSize, proofs },
        verifierKeys: [ctx.ledger.verifierKey, ...(ctx.ledger.sm2VerifierKey === undefined ? [] : [ctx.ledger.sm2VerifierKey])],
        keysFromLog: true,
        ...(policy === undefined ? {} : { policy }),
        ...(verifierHtml === undefined ? {} : { verifierHtml }),
        ...(certificates === undefined ? {} : { certificates }),
        // The package's roots, deposited as POST /v1/deposits deposits a digest: durable before this answers.
        async deposit(item) {
          const prepared = await prepareDeposits(pool, utf8(JSON.stringify(item)), tenant, operator);
          return (await ctx.deposits.depositPrepared(tenant, prepared)).json;
        },
      });
      started = true;
      result.then(release, (e: unknown) => {
        release();
        const code = e instanceof CunzhengError ? e.code : 'INTERNAL';
        req.log.error({ code, reason: e instanceof Error ? e.message : String(e) }, 'evidence package failed after its answer began: the client got no package');
      });
      return reply
        .type('application/zip')
        .header('content-disposition', evidenceDisposition(new Date(), req.body.title))
        .header('cache-control', 'no-store')
        .header('cunzheng-exhibits', String(gathered.receipts.length))
        .trailer('cunzheng-package-id', async () => (await result).packageId)
        .send(stream);
    } finally {
      if (!started) release();
    }
  });
}
