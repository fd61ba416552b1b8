// org.* and org.trusts.*: one organisation exists by default; details and an empty trust list.
import { NotFound, type Org } from '../../../channels/index.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';

async function orgDto(ctx: CallContext, org: Org): Promise<Record<string, unknown>> {
  const { stores } = ctx.services;
  const counts = await stores.users.orgCounts(org.id);
  return {
    id: org.id,
    name: org.name,
    active_users: counts.users,
    systems: 0,
    trusts: 0,
    system_groups: 0,
    activation_keys: 0,
    kickstart_profiles: 0,
    configuration_channels: 0,
    staging_content_enabled: false,
  };
}

export const orgNamespace: NamespaceDef = {
  namespace: 'org',
  handlerClass: 'OrgHandler',
  methods: [
    method(
      'getDetails',
      ['int orgId'],
      'struct',
      async (ctx, id: number) => {
        const org = await ctx.services.stores.users.getOrg(id);
        if (!org) throw new NotFound('org', id);
        return orgDto(ctx, org);
      },
      { role: 'satellite_admin', faults: [-23, 2850] },
    ),
    method(
      'getDetails',
      ['string name'],
      'struct',
      async (ctx, name: string) => {
        const org = await ctx.services.stores.users.getOrgByName(name);
        if (!org) throw new NotFound('org', name);
        return orgDto(ctx, org);
      },
      { role: 'satellite_admin', faults: [-23, 2850] },
    ),
  ],
};

export const orgTrustsNamespace: NamespaceDef = {
  namespace: 'org.trusts',
  handlerClass: 'OrgTrustHandler',
  methods: [
    // Trusts need a second organisation; with one, every org's trust list is empty.
    method('listOrgs', [], 'struct[]', () => [], { role: 'org_admin', faults: [-23] }),
  ],
};
