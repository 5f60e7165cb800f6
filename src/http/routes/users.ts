/**
 * The people of a tenant and its settings: /v1/users…, /v1/tenant/levels. Registered on the tenant scope
 * (authentication, the role check of roles.ts, admission). Who may use what is ROUTE_ROLES (roles.ts): the
 * users routes but /me are the officer's, PUT levels too; /me and GET levels are every role's.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../context.js';
import type { User } from '../../service/users.js';
import { ErrorBody } from '../schemas.js';
import {
  KeyReply, LevelsBody, LevelsReply, UserBody, UserCreatedReply, UserParams, UserReply, UsersReply, explainLevelsBody, explainUserBody,
} from '../schemas-users.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody };

export async function userRoutes(instance: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];

  app.post('/v1/users', {
    config: { explainInvalid: explainUserBody },
    schema: {
      tags: ['users'], summary: 'Add a user to your enterprise (officer only); the user\'s API key is shown once', security,
      body: UserBody, response: { 201: UserCreatedReply, ...errors },
    },
  }, async (req, reply) => {
    const { user, apiKey } = await ctx.users.create(req.tenant!.id, req.body);
    void reply.status(201);
    return { ...user, apiKey };
  });

  app.get('/v1/users', {
    schema: { tags: ['users'], summary: 'Your enterprise\'s users, revoked ones too (officer only)', security, response: { 200: UsersReply, ...errors } },
  }, async (req) => ({ users: ctx.users.list(req.tenant!.id) }));

  app.get('/v1/users/me', {
    schema: { tags: ['users'], summary: 'The user whose key made this request', security, response: { 200: UserReply, ...errors } },
  }, async (req): Promise<User> => req.user!);

  app.post('/v1/users/:id/revoke', {
    schema: {
      tags: ['users'], summary: 'Revoke a user: their key stops authenticating at once (officer only; never the last active officer)', security,
      params: UserParams, response: { 200: UserReply, ...errors },
    },
  }, async (req) => ctx.users.revoke(req.tenant!.id, req.params.id));

  app.post('/v1/users/:id/rotate', {
    schema: {
      tags: ['users'], summary: 'A new key for a user, shown once; the old key stops authenticating at once (officer only)', security,
      params: UserParams, response: { 200: KeyReply, ...errors },
    },
  }, async (req) => {
    const { user, apiKey } = await ctx.users.rotate(req.tenant!.id, req.params.id);
    return { id: user.id, apiKey };
  });

  app.get('/v1/tenant/levels', {
    schema: { tags: ['users'], summary: 'Your enterprise\'s classification levels (密级 names)', security, response: { 200: LevelsReply, ...errors } },
  }, async (req) => ({ levels: [...ctx.tenants.levels(req.tenant!.id)] }));

  app.put('/v1/tenant/levels', {
    config: { explainInvalid: explainLevelsBody },
    schema: {
      tags: ['users'], summary: 'Set your enterprise\'s classification level names (officer only)', security,
      body: LevelsBody, response: { 200: LevelsReply, ...errors },
    },
  }, async (req) => ({ levels: [...(await ctx.tenants.setLevels(req.tenant!.id, req.body.levels))] }));
}
