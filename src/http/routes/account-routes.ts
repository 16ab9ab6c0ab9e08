import type { FastifyInstance } from 'fastify';
import { AuditPageQuery, auditPageBody, auditPageRequest } from '../audit-page-schema.ts';
import type { HttpDependencies } from '../http-dependencies.ts';

/** Who am I, the permission catalog and health: what the console and operators read first. */
export async function accountRoutes(app: FastifyInstance, parts: Pick<HttpDependencies, 'config' | 'audit'>): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));

  app.get('/v1/me', { schema: { tags: ['account'], security: [{ bearerAuth: [] }], summary: 'The authenticated user and organization' } }, async (request) => {
    const principal = await app.requirePrincipal(request);
    const { user, organization } = principal;
    return {
      user: { id: user.id, name: user.name, role: user.role, usageLevel: user.usageLevel, tier: user.tier, wallets: user.wallets },
      organization: { id: organization.id, name: organization.name, revokePolicy: organization.revokePolicy },
    };
  });

  app.get('/v1/permissions', { schema: { tags: ['account'], summary: 'The permission catalog' } }, async () => ({
    permissions: parts.config.keys.permissions,
    tiers: parts.config.keys.tiers,
  }));

  app.get('/v1/audit', { schema: { tags: ['account'], security: [{ bearerAuth: [] }], summary: "The organization's audit log (admins), newest first, a page at a time", querystring: AuditPageQuery } }, async (request) => {
    const principal = await app.requirePrincipal(request);
    return auditPageBody(await parts.audit.listForOrganization(principal, auditPageRequest(request.query)));
  });
}
