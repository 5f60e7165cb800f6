/**
 * Schemas (TypeBox) of the users, levels and admin tenant routes (routes/users.ts, routes/admin.ts). A field
 * whose rule is the service's (role, ref, levels) is answered with the service's own code when the schema
 * refuses it (explainUserBody, explainLevelsBody), exactly as if the service had been the first to look.
 */
import { Type } from 'typebox';
import { PERSON_REF_MAX, PERSON_REF_RULE } from '../entry/index.js';
import { CunzhengError } from '../errors.js';
import { checkRole, checkUserRef, ROLES } from '../service/user-record.js';
import { checkLevels, LEVEL_MAX_LENGTH, LEVELS_MAX } from '../service/tenant-settings.js';
import { explainTenantBody, TenantBody, TenantReply, type ExplainInvalid } from './schemas.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'officer (保密员), depositor or viewer' });
const Ref = Type.String({
  minLength: 1, maxLength: PERSON_REF_MAX, pattern: PERSON_REF_RULE.pattern,
  description: 'a tenant-local person reference (an employee number), never a name, an ID-card or a mobile number',
});
const Time = Type.String({ description: 'ISO 8601, UTC' });

export const UserBody = Type.Object({ role: RoleSchema, ref: Type.Optional(Ref) }, { additionalProperties: false });

export const UserReply = Type.Object({
  id: Type.String({ description: 'u_ + 16 hex' }),
  tenant: Type.String(),
  role: Type.String(),
  ref: Type.Optional(Type.String()),
  created: Time,
  revoked: Type.Optional(Time),
});

export const UserCreatedReply = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  role: Type.String(),
  ref: Type.Optional(Type.String()),
  created: Time,
  apiKey: Type.String({ description: 'shown once; stored only as its SHA-256' }),
});

export const UsersReply = Type.Object({ users: Type.Array(UserReply) });

export const KeyReply = Type.Object({
  id: Type.String({ description: 'the user whose key this is' }),
  apiKey: Type.String({ description: 'shown once; stored only as its SHA-256; the previous key no longer authenticates' }),
});

/** A user id in the path: any short text (a malformed id is a user that does not exist: 404 USER_NOT_FOUND). */
export const UserParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const LevelsBody = Type.Object(
  {
    levels: Type.Array(Type.String({ minLength: 1, maxLength: LEVEL_MAX_LENGTH }), {
      minItems: 1, maxItems: LEVELS_MAX, description: `the enterprise's own 密级 names, most secret first: 1-${LEVELS_MAX} unique texts of 1-${LEVEL_MAX_LENGTH} characters`,
    }),
  },
  { additionalProperties: false },
);
export const LevelsReply = Type.Object({ levels: Type.Array(Type.String()) });

/** POST /v1/admin/tenants: the enterprise (TenantBody's name and USCC), and whether a registered USCC may be registered again. */
export const TenantCreateBody = Type.Object(
  {
    ...TenantBody.properties,
    allowDuplicateUscc: Type.Optional(Type.Boolean({ description: 'register a second tenant with a USCC already registered (refused otherwise: 409 TENANT_USCC_TAKEN)' })),
  },
  { additionalProperties: false },
);

export { TenantReply as TenantCreatedReply };

export const AdminTenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  uscc: Type.String(),
  created: Time,
  revoked: Type.Union([Time, Type.Null()]),
  users: Type.Integer({ description: 'users not revoked' }),
  problem: Type.Optional(Type.String({ description: 'the tenant\'s stored settings are damaged (its keys answer STORE_CORRUPT): run cunzheng fsck' })),
});
export const AdminTenantsReply = Type.Object({ tenants: Type.Array(AdminTenant) });

export const TenantParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function serviceError(check: () => unknown): CunzhengError | undefined {
  try {
    check();
  } catch (e) {
    if (e instanceof CunzhengError) return e;
    throw e;
  }
  return undefined;
}

/** POST /v1/users: a refused role is USER_BAD_ROLE, a refused ref USER_BAD_REF. */
export const explainUserBody: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'body' || !isObject(request.body)) return undefined;
  const body = request.body;
  for (const e of errors) {
    if ((e.instancePath ?? '').startsWith('/role')) return serviceError(() => checkRole(body.role));
    if ((e.instancePath ?? '').startsWith('/ref')) return serviceError(() => checkUserRef(body.ref));
  }
  if (!('role' in body)) return serviceError(() => checkRole(undefined));
  return undefined;
};

/** PUT /v1/tenant/levels: refused levels are TENANT_BAD_LEVELS. */
export const explainLevelsBody: ExplainInvalid = (request, { context, errors }) => {
  if (context !== 'body' || !isObject(request.body)) return undefined;
  const body = request.body;
  if (errors.some((e) => (e.instancePath ?? '').startsWith('/levels')) || !('levels' in body)) return serviceError(() => checkLevels(body.levels));
  return undefined;
};

/** POST /v1/admin/tenants: as TenantBody (TENANT_BAD_NAME, USCC_*). */
export const explainTenantCreateBody: ExplainInvalid = explainTenantBody;
