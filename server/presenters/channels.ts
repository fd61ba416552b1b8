// Wire shapes of channels (ChannelSerializer, ChannelTreeNodeSerializer, listSoftwareChannels)
// and of channel package lists (PackageDto, listLatestPackages).
import { channelArch, type Channel, type ChannelPackageRow, type ChannelSummary } from '../../channels/index.js';
import { escapeXml } from '../xmlrpc/encode.js';
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

const str = (name: string, v: string): string => `<member><name>${name}</name><value><string>${escapeXml(v)}</string></value></member>`;

/**
 * The `<array>` of PackageDto structs for listAllPackages, written directly: channels hold tens
 * of thousands of packages and this skips building an object per package. PackageDto: epoch "" when
 * none, both dates as "YYYY-MM-DD HH:MM:SS" strings.
 */
export function encodePackageDtos(rows: readonly ChannelPackageRow[], zone: Zone): string {
  const parts: string[] = ['<array><data>'];
  // Packages imported together share one time: format each distinct second once.
  let lastTime = NaN;
  let modified = '';
  for (const p of rows) {
    if (p.lastModified.getTime() !== lastTime) {
      lastTime = p.lastModified.getTime();
      modified = formatSqlDate(zone, p.lastModified);
    }
    parts.push(
      '<value><struct>' +
        str('name', p.name) +
        str('version', p.version) +
        str('release', p.release) +
        str('epoch', p.epoch) +
        str('checksum', p.checksum) +
        str('checksum_type', p.checksumType) +
        `<member><name>id</name><value><i4>${p.id}</i4></value></member>` +
        str('arch_label', p.arch) +
        str('last_modified_date', modified) +
        str('last_modified', modified) +
        '</struct></value>',
    );
  }
  parts.push('</data></array>');
  return parts.join('');
}
