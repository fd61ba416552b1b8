// Wire shapes of packages: the packages.getDetails map, the Package serializer and search
// results (PackageOverview).
import type { Package } from '../../channels/index.js';
import { formatTimestamp, type Zone } from '../xmlrpc/zone.js';

/** Where Spacewalk would keep the file; informational, but scripts print it. */
export function packagePath(p: Package): string {
  const org = p.orgId ?? 'vendor';
  const evr = `${p.epoch ? p.epoch + ':' : ''}${p.version}-${p.release}`;
  return `packages/${org}/${p.checksum.slice(0, 3)}/${p.name}/${evr}/${p.arch}/${p.checksum}/${p.filename}`;
}

export function packageDetails(p: Package, providingChannels: string[], zone: Zone): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    epoch: p.epoch,
    version: p.version,
    release: p.release,
    arch_label: p.arch,
    providing_channels: providingChannels,
    build_host: p.buildHost,
    description: p.description,
    checksum: p.checksum,
    checksum_type: p.checksumType,
    vendor: p.vendor,
    summary: p.summary,
    cookie: p.cookie,
    license: p.license,
    path: packagePath(p),
    file: p.filename,
    build_date: p.buildTime ? formatTimestamp(zone, p.buildTime) : '',
    last_modified_date: formatTimestamp(zone, p.lastModified),
    size: String(p.sizePackage ?? 0),
    payload_size: String(p.sizeArchive ?? p.sizePackage ?? 0),
  };
}

export function packageStruct(p: Package, provider: string): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    release: p.release,
    epoch: p.epoch,
    id: p.id,
    arch_label: p.arch,
    last_modified: p.lastModified,
    path: packagePath(p),
    provider,
  };
}

export function packageOverview(p: Package, provider: string): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    summary: p.summary,
    description: p.description,
    version: p.version,
    release: p.release,
    arch: p.arch,
    epoch: p.epoch,
    provider,
  };
}
