// Wire shapes of channels (ChannelSerializer, ChannelTreeNodeSerializer, listSoftwareChannels)
// and of channel package lists (PackageDto, listLatestPackages).
import { channelArch, type Channel, type ChannelPackageRow, type ChannelSummary } from '../../channels/index.js';
import { formatSqlDate, type Zone } from '../xmlrpc/zone.js';

export function archName(label: string): string {
  return channelArch(label)?.name ?? label;
}

export interface ContentSourceView {
  id: number;
  label: string;
  sourceUrl: string;
  type: string;
}

export function channelStruct(c: Channel, contentSources: ContentSourceView[] = []): Record<string, unknown> {
  return {
    id: c.id,
    label: c.label,
    name: c.name,
    arch_name: archName(c.archLabel),
    arch_label: c.archLabel,
    summary: c.summary,
    description: c.description,
    checksum_label: c.checksumLabel,
    last_modified: c.lastModified,
    maintainer_name: c.maintainerName,
    maintainer_email: c.maintainerEmail,
    maintainer_phone: c.maintainerPhone,
    support_policy: c.supportPolicy,
    gpg_key_url: c.gpgKeyUrl,
    gpg_key_id: c.gpgKeyId,
    gpg_key_fp: c.gpgKeyFp,
    // Spacewalk shows it only for channels with repositories that have synced.
    yumrepo_last_sync: contentSources.length > 0 ? c.lastSynced : null,
    contentSources,
    end_of_life: c.endOfLife ? c.endOfLife.toISOString().slice(0, 10) : '',
    parent_channel_label: c.parentLabel ?? '',
    clone_original: c.cloneOriginalLabel ?? '',
  };
}

export function channelTreeNode(c: ChannelSummary, providerName: string): Record<string, unknown> {
  return {
    id: c.id,
    label: c.label,
    name: c.name,
    provider_name: providerName,
    packages: c.packageCount,
    systems: c.systemCount,
    arch_name: archName(c.archLabel),
  };
}

export function softwareChannelItem(c: Channel): Record<string, unknown> {
  return {
    label: c.label,
    name: c.name,
    parent_label: c.parentLabel ?? '',
    end_of_life: c.endOfLife ? c.endOfLife.toISOString().slice(0, 10) : '',
    arch: archName(c.archLabel),
  };
}

/** PackageDto: epoch "" when none, dates as "YYYY-MM-DD HH:MM:SS" strings. */
export function packageDto(p: ChannelPackageRow, zone: Zone): Record<string, unknown> {
  const modified = formatSqlDate(zone, p.lastModified);
  return {
    name: p.name,
    version: p.version,
    release: p.release,
    epoch: p.epoch,
    checksum: p.checksum,
    checksum_type: p.checksumType,
    id: p.id,
    arch_label: p.arch,
    last_modified_date: modified,
    last_modified: modified,
  };
}

/** listLatestPackages rows: a missing epoch is a single space here, as Spacewalk's SQL gives it. */
export function latestPackage(p: ChannelPackageRow): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    release: p.release,
    epoch: p.epoch === '' ? ' ' : p.epoch,
    id: p.id,
    arch_label: p.arch,
  };
}
