// Wire shapes of activation keys (ActivationKeySerializer + TokenSerializer), system groups
// (ManagedServerGroupSerializer) and distribution channel maps (DistChannelMapSerializer).
import { channelArch, type ActivationKey, type DistChannelMap, type SystemGroup } from '../../channels/index.js';

/** usage_limit 0 means unlimited; base_channel_label "none" when unset; arch left out when any. */
export function activationKeyStruct(k: ActivationKey): Record<string, unknown> {
  return {
    key: k.key,
    description: k.description,
    usage_limit: k.usageLimit,
    base_channel_label: k.baseChannelLabel ?? 'none',
    child_channel_labels: k.childChannelLabels,
    entitlements: k.entitlements,
    server_group_ids: k.groupIds,
    package_names: k.packages.map((p) => p.name),
    packages: k.packages.map((p) => ({ name: p.name, arch: p.arch === '' ? null : p.arch })),
    universal_default: k.universalDefault,
    disabled: k.disabled,
  };
}

export function systemGroupStruct(g: SystemGroup): Record<string, unknown> {
  return { id: g.id, name: g.name, description: g.description, org_id: g.orgId, system_count: g.systemCount };
}

/** arch_name is the channel arch's name (x86_64, IA-32, ...), not its label. */
export function distChannelMapStruct(m: DistChannelMap): Record<string, unknown> {
  return { os: m.os, release: m.release, arch_name: channelArch(m.archLabel)?.name ?? m.archLabel, channel_label: m.channelLabel };
}
