/**
 * Public routes: what auditors and witnesses read. No tenant data is reachable here: checkpoints, hash
 * tiles (hashes of salted entries) and proofs only.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseTilePath } from '../../merkle/index.js';
import { toBase64 } from '../../crypto/index.js';
import { receiptAnchors } from '../../receipt/index.js';
import { CunzhengError } from '../../errors.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { CheckpointReply, DecimalString, ErrorBody, LogReply, ProofReply, toSafeInt } from '../schemas.js';

const errors = { 400: ErrorBody, 404: ErrorBody };

export async function publicRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  // Typed requests from the route schemas: params and query as their schemas say.
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { ledger } = ctx;

  app.get('/checkpoint', {
    schema: {
      tags: ['public'],
      summary: 'The newest signed checkpoint (C2SP tlog-checkpoint in a signed note); with witnesses, the newest cosigned one',
      response: { 200: Type.String() },
    },
  }, async (_req, reply) => {
    void reply.type('text/plain; charset=utf-8').header('Cache-Control', 'no-cache');
    return ctx.witnesser?.latestCosigned?.checkpoint ?? ledger.checkpoint;
  });

  // On the untyped instance: the tile is bytes (no 200 schema to type it), and the route reads only the raw URL.
  instance.get('/tile/*', {
    schema: { tags: ['public'], summary: 'C2SP tlog-tiles hash tile: /tile/<L>/<N>[.p/<W>]', response: { 400: ErrorBody, 404: ErrorBody } },
  }, async (req, reply) => {
    // The raw path, not the router's percent-decoded parameter: only the one canonical spelling of a tile
    // is served (`/tile/0%2F000` or `/tile/0/%30%30%30` would otherwise name tile 0/000 too).
    const raw = req.url.split('?')[0] ?? '';
    let tile;
    try {
      tile = parseTilePath(raw.slice(1));
    } catch (cause) {
      throw new CunzhengError('BAD_TILE_PATH', 'not a tile path: /tile/<L>/<N>[.p/<W>]', { cause });
    }
    const data = await ledger.tile(tile.level, tile.index, tile.width);
    if (data === undefined) throw notFound('tile');
    const full = tile.width === 256;
    void reply
      .type('application/octet-stream')
      .header('Cache-Control', full ? 'public, max-age=31536000, immutable' : 'public, max-age=60');
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  });

  app.get('/v1/log', { schema: { tags: ['public'], summary: 'The log: origin, verifier keys, size, anchoring and witnesses', response: { 200: LogReply } } }, async () => {
    const w = ctx.witnesser;
    return {
      origin: ledger.origin,
      key: ledger.verifierKey,
      treeSize: ledger.treeSize,
      checkpoint: ledger.checkpoint,
      tsa: ctx.anchorer.tsas.map((t) => t.url),
      anchoredTreeSize: ctx.anchorer.latestAnchored?.treeSize ?? null,
      witnesses: (w?.witnesses ?? []).map((s) => ({
        name: s.name, key: s.key, url: s.url, size: s.size,
        lastCosignedAt: s.lastCosignedAt === null ? null : new Date(s.lastCosignedAt).toISOString(),
        failures: s.failures, lastError: s.lastError,
      })),
      policy: w?.policy.text ?? null,
      cosignedTreeSize: w?.latestCosigned?.treeSize ?? null,
      quorumMet: w === undefined ? null : w.quorumMet,
      sm2Key: ledger.sm2VerifierKey ?? null,
    };
  });

  app.get('/v1/checkpoints/:size', {
    schema: {
      tags: ['public'],
      summary: 'A historical checkpoint (one is signed at every group commit) with its cosignatures and anchors',
      params: Type.Object({ size: DecimalString }),
      response: { 200: CheckpointReply, ...errors },
    },
  }, async (req) => {
    const size = toSafeInt(req.params.size);
    if (size > ledger.treeSize) throw new CunzhengError('LEDGER_SIZE_BEYOND_TREE', `size ${size} is beyond the tree size ${ledger.treeSize}`);
    const signed = await ledger.checkpointAt(size);
    if (signed === undefined) throw notFound(`checkpoint of size ${size}`);
    const note = ctx.witnesser === undefined ? signed : await ctx.witnesser.cosignedNote(size, signed);
    const anchors = receiptAnchors({ checkpoint: note, anchors: await ctx.anchorer.anchorsAt(size) });
    return { treeSize: size, checkpoint: note, anchors };
  });

  app.get('/v1/proof/inclusion', {
    schema: {
      tags: ['public'],
      summary: 'RFC 6962 inclusion proof of leaf `index` in the tree of `size`',
      querystring: Type.Object({ index: DecimalString, size: DecimalString }, { additionalProperties: false }),
      response: { 200: ProofReply, ...errors },
    },
  }, async (req) => {
    const q = req.query;
    const proof = await ledger.inclusionProof(toSafeInt(q.index), toSafeInt(q.size));
    return { proof: proof.map(toBase64) };
  });

  app.get('/v1/proof/consistency', {
    schema: {
      tags: ['public'],
      summary: 'RFC 6962 consistency proof between the trees of `from` and `to` leaves',
      querystring: Type.Object({ from: DecimalString, to: DecimalString }, { additionalProperties: false }),
      response: { 200: ProofReply, ...errors },
    },
  }, async (req) => {
    const q = req.query;
    const proof = await ledger.consistencyProof(toSafeInt(q.from), toSafeInt(q.to));
    return { proof: proof.map(toBase64) };
  });
}
