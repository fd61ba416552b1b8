// Owns turning updateinfo advisories into the errata a channel sync commits: Spacewalk's three
// advisory types, severities, bugs/CVEs/other references, flag keywords, the channel-arch filter.
import {
  ADVISORY_TYPES,
  archAccepts,
  MAX_ADVISORY_RELEASE,
  SEVERITIES,
  type AdvisoryType,
  type Bug,
  type ErratumReference,
  type SyncedErratum,
} from '../channels/index.js';
import type { UpdateinfoAdvisory, UpdateinfoPackage } from './metadata/updateinfo.js';

/** One package of an erratum, before the caller maps it to a package id. */
export interface UpdateinfoPackageRef {
  name: string;
  /** '' when updateinfo gives none */
  epoch: string;
  version: string;
  release: string;
  arch: string;
  filename: string;
  sumType: string | null;
  sum: string | null;
  /** `name:stream:version:context:arch` of the module stream the package's collection names */
  module: string | null;
  rebootSuggested: boolean;
  restartSuggested: boolean;
  reloginSuggested: boolean;
}

/** A SyncedErratum without its org and with packages still as NEVRAs. */
export interface UpdateinfoErratum extends Omit<SyncedErratum, 'orgId' | 'packages'> {
  packages: UpdateinfoPackageRef[];
}

export interface ErrataFromUpdateinfoOptions {
  /** the channel's arch label (e.g. channel-x86_64): packages it does not accept are dropped */
  channelArch?: string;
  /** recorded as the errata's source (the repo label) */
  source: string;
  /** issue date of an advisory with neither `issued` nor `updated` (default 1970-01-01 UTC) */
  fallbackDate?: Date;
}

export interface ErrataFromUpdateinfo {
  errata: UpdateinfoErratum[];
  /** advisories left out, and why (no package for the channel's arch, or none at all) */
  dropped: { advisory: string; reason: string }[];
  warnings: string[];
}

const TYPES: Record<string, AdvisoryType> = {
  security: 'Security Advisory',
  bugfix: 'Bug Fix Advisory',
  recommended: 'Bug Fix Advisory',
  enhancement: 'Product Enhancement Advisory',
  newpackage: 'Product Enhancement Advisory',
  feature: 'Product Enhancement Advisory',
  optional: 'Product Enhancement Advisory',
};

/** Spacewalk's advisory type for an updateinfo `type`; unknown ones are bug fixes, as Spacewalk's reposync made them. */
export function advisoryType(raw: string): AdvisoryType {
  return TYPES[raw.trim().toLowerCase()] ?? ADVISORY_TYPES[1];
}

/** Amazon writes "medium" where Red Hat says Moderate. */
const SEVERITY_ALIASES: Record<string, string> = { medium: 'Moderate' };

/** Severity in Spacewalk's case, on security advisories only (as errata.create keeps it); None/unknown: none. */
export function advisorySeverity(type: AdvisoryType, raw: string): string | null {
  if (type !== 'Security Advisory') return null;
  const v = raw.trim().toLowerCase();
  return SEVERITIES.find((s) => s.toLowerCase() === v) ?? SEVERITY_ALIASES[v] ?? null;
}

/** `version` "2", "2.0" or "1.4" as Spacewalk's advisory release (whole part, 1-9999). */
export function advisoryRelease(version: string): number {
  const n = Math.trunc(Number.parseFloat(version));
  if (!Number.isFinite(n) || n < 1) return 1;
  return Math.min(n, MAX_ADVISORY_RELEASE);
}

const moduleId = (p: UpdateinfoPackage): string | null =>
  p.module ? `${p.module.name}:${p.module.stream}:${p.module.version}:${p.module.context}:${p.module.arch}` : null;

function isSource(arch: string): boolean {
  return arch === 'src' || arch === 'nosrc';
}

function packageRef(p: UpdateinfoPackage): UpdateinfoPackageRef {
  return {
    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, filename: p.filename, sumType: p.sumType, sum: p.sum,
    module: moduleId(p), rebootSuggested: p.rebootSuggested, restartSuggested: p.restartSuggested, reloginSuggested: p.reloginSuggested,
  };
}

const BUG_ID = /^\d{1,9}$/;
const BUG_IN_HREF = /[?&]id=(\d{1,9})(?:&|$)/;
const CVE_ID = /CVE-\d{4}-\d{4,}/i;

/** References split three ways: bugzilla with a usable number -> bugs, cve -> CVE ids, the rest kept as they are. */
export function splitReferences(refs: UpdateinfoAdvisory['references']): { bugs: Bug[]; cves: string[]; other: ErratumReference[] } {
  const bugs = new Map<number, Bug>();
  const cves = new Set<string>();
  const other: ErratumReference[] = [];
  for (const r of refs) {
    const type = r.type.toLowerCase();
    if (type === 'bugzilla') {
      const id = BUG_ID.test(r.id) ? r.id : BUG_IN_HREF.exec(r.href)?.[1];
      if (id !== undefined && Number(id) > 0) {
        if (!bugs.has(Number(id))) bugs.set(Number(id), { id: Number(id), summary: r.title, url: r.href });
        continue;
      }
    } else if (type === 'cve') {
      const id = CVE_ID.exec(r.id)?.[0] ?? CVE_ID.exec(r.href)?.[0] ?? CVE_ID.exec(r.title)?.[0];
      if (id) {
        cves.add(id.toUpperCase());
        continue;
      }
    }
    other.push({ type: r.type, id: r.id, href: r.href, title: r.title });
  }
  return { bugs: [...bugs.values()], cves: [...cves], other };
}

function keywordsOf(a: UpdateinfoAdvisory, pkgs: readonly UpdateinfoPackageRef[]): string[] {
  const out: string[] = [];
  if (a.rebootSuggested || pkgs.some((p) => p.rebootSuggested)) out.push('reboot_suggested');
  if (a.restartSuggested || pkgs.some((p) => p.restartSuggested)) out.push('restart_suggested');
  if (a.reloginSuggested || pkgs.some((p) => p.reloginSuggested)) out.push('relogin_suggested');
  return out;
}

function toErratum(a: UpdateinfoAdvisory, packages: UpdateinfoPackageRef[], opts: ErrataFromUpdateinfoOptions): UpdateinfoErratum {
  const type = advisoryType(a.type);
  const { bugs, cves, other } = splitReferences(a.references);
  // `updated` earlier than `issued` (Rocky) is kept as given: both are the producer's statements.
  const issueDate = a.issued ?? a.updated ?? opts.fallbackDate ?? new Date(0);
  const keywords = keywordsOf(a, packages);
  return {
    advisoryName: a.id,
    advisoryType: type,
    advisoryRelease: advisoryRelease(a.version),
    synopsis: a.title.trim() || a.id,
    product: a.release,
    errataFrom: a.from,
    topic: a.summary,
    description: a.description,
    references: [...new Set(a.references.map((r) => r.href).filter(Boolean))].join('\n'),
    notes: '',
    solution: a.solution,
    severity: advisorySeverity(type, a.severity),
    issueDate,
    updateDate: a.updated ?? issueDate,
    bugs,
    keywords,
    cves,
    extras: { status: a.status || 'final', version: a.version, rights: a.rights, pushcount: a.pushcount, rebootSuggested: keywords.includes('reboot_suggested'), source: opts.source },
    otherReferences: other,
    packages,
  };
}

function severityWarning(a: UpdateinfoAdvisory, e: UpdateinfoErratum): string | null {
  const v = a.severity.trim().toLowerCase();
  if (e.advisoryType !== 'Security Advisory' || v === '' || v === 'none' || e.severity !== null) return null;
  return `${a.id}: severity ${JSON.stringify(a.severity)} is not one of ${SEVERITIES.join('/')}; stored without severity`;
}

/**
 * The errata to commit for one channel, from (merged) updateinfo advisories: source packages
 * and, given `channelArch`, packages of arches the channel does not accept are dropped, and
 * so is an advisory left without packages.
 */
export function errataFromUpdateinfo(advisories: readonly UpdateinfoAdvisory[], opts: ErrataFromUpdateinfoOptions): ErrataFromUpdateinfo {
  const out: ErrataFromUpdateinfo = { errata: [], dropped: [], warnings: [] };
  for (const a of advisories) {
    const kept = a.packages.filter((p) => !isSource(p.arch) && (opts.channelArch === undefined || archAccepts(opts.channelArch, p.arch)));
    if (kept.length === 0) {
      const reason = a.packages.length === 0 ? 'lists no packages' : `none of its ${a.packages.length} packages is of an arch ${opts.channelArch ?? 'the channel'} accepts`;
      out.dropped.push({ advisory: a.id, reason });
      continue;
    }
    const e = toErratum(a, kept.map(packageRef), opts);
    const warning = severityWarning(a, e);
    if (warning) out.warnings.push(warning);
    out.errata.push(e);
  }
  return out;
}

/**
 * The erratum as the sync commits it, once the caller has mapped its packages to ids (`idOf`
 * answers null for a package the channel does not get); null when none maps.
 */
export function withPackageIds(e: UpdateinfoErratum, orgId: number, idOf: (p: UpdateinfoPackageRef) => number | null): SyncedErratum | null {
  const packages: SyncedErratum['packages'] = [];
  const seen = new Set<number>();
  for (const p of e.packages) {
    const id = idOf(p);
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    packages.push({ packageId: id, module: p.module });
  }
  if (packages.length === 0) return null;
  return { ...e, orgId, packages };
}
