// kickstart.tree.* and satellite.*: provisioning and proxies are out of Skylab's scope, so these
// answer with empty lists, as a Spacewalk without trees or proxies would.
import { InvalidArgument } from '../../../channels/index.js';
import { method, type NamespaceDef } from '../registry.js';

export const kickstartTreeNamespace: NamespaceDef = {
  namespace: 'kickstart.tree',
  handlerClass: 'KickstartTreeHandler',
  methods: [
    method(
      'list',
      ['string channelLabel'],
      'KickstartTree[]',
      async (ctx, label: string) => {
        if (!(await ctx.services.stores.channels.getByLabel(label, ctx.user.orgId))) throw new InvalidArgument('channel.label', `Invalid channel label: ${label}`);
        return [];
      },
      { faults: [-23, 1201] },
    ),
  ],
};

export const satelliteNamespace: NamespaceDef = {
  namespace: 'satellite',
  handlerClass: 'SatelliteHandler',
  // getCertificateExpirationDate was removed before Spacewalk 2.10: calling it gets the same
  // "Could not find method" fault 2.10 users already see.
  methods: [method('listProxies', [], 'SystemOverview[]', () => [])],
};
