// Wire shapes of a system's packages and errata: installed and upgradable packages (a missing
// epoch is a single space there, §1.6), errata briefs with short-date strings, and the
// PackageMetadata rows of profile comparisons.
import type { InstalledPackage, PackageNevra, UpgradablePackage } from '../../channels/index.js';
import type { ErratumHead } from './errata.js';
import { formatShortDate, type Zone } from '../xmlrpc/zone.js';

const spaceEpoch = (e: string): string => (e === '' ? ' ' : e);

/** listPackages rows: installtime only when the client reported it. */
export function installedPackage(p: InstalledPackage): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    release: p.release,
    epoch: spaceEpoch(p.epoch),
    arch: p.arch,
    installtime: p.installtime === null ? null : new Date(p.installtime * 1000),
  };
}

/** listExtraPackages rows: epoch left out when there is none. */
export function extraPackage(p: InstalledPackage): Record<string, unknown> {
  return { ...installedPackage(p), epoch: p.epoch === '' ? null : p.epoch };
}

/** listLatestUpgradablePackages rows (to_package_id is an int, whatever the old doc says). */
export function upgradablePackage(u: UpgradablePackage): Record<string, unknown> {
  return {
    name: u.name,
    arch: u.to.arch,
    from_epoch: spaceEpoch(u.from.epoch),
    from_version: u.from.version,
    from_release: u.from.release,
    from_arch: u.from.arch,
    to_epoch: spaceEpoch(u.to.epoch),
    to_version: u.to.version,
    to_release: u.to.release,
    to_arch: u.to.arch,
    to_package_id: u.toPackageId,
  };
}

/** ErrataSerializer (getUnscheduledErrata). */
export function erratumBrief(e: ErratumHead, zone: Zone): Record<string, unknown> {
  return { id: e.id, date: formatShortDate(zone, e.updateDate), advisory_synopsis: e.synopsis, advisory_name: e.advisoryName, advisory_type: e.advisoryType };
}

/** PackageMetadata.comparison values. */
export const Comparison = { Same: 0, OnlyThis: 1, ThisNewer: 2, OnlyOther: 3, OtherNewer: 4 } as const;

const evrText = (p: PackageNevra | undefined): string => (p ? `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}` : '');

/**
 * Spacewalk numbers package names (rhnPackageName.id); Skylab has no such table, so the id is a
 * stable 31-bit FNV-1a hash of the name: the same name always gets the same number.
 */
export function packageNameId(name: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return (h & 0x7fffffff) || 1;
}

/** One PackageMetadata row: the package fields come from this side when it has the package. */
export function packageMetadata(mine: PackageNevra | undefined, other: PackageNevra | undefined, comparison: number): Record<string, unknown> {
  const p = (mine ?? other)!;
  return {
    package_name_id: packageNameId(p.name),
    package_name: p.name,
    package_epoch: p.epoch,
    package_version: p.version,
    package_release: p.release,
    package_arch: p.arch,
    this_system: evrText(mine),
    other_system: evrText(other),
    comparison,
  };
}
