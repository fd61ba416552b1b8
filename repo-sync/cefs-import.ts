// Owns importing a CEFS errata feed natively (what errata-import.pl does through the API): file
// names matched to packages in the org's channels, advisories created and published where their
// packages already are (never copying packages), re-runs only adding what is new.
import { ADVISORY_TYPES, MAX_ADVISORY_RELEASE, SEVERITIES, type AdvisoryType, type NewErratum, type Stores } from '../channels/index.js';
import type { CefsAdvisory, CefsFeed } from './metadata/cefs.js';

export interface WallClockTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface CefsImportOptions {
  orgId: number;
  /** the instant a feed date names; the server's zone, as errata-import.pl's dates are read (default UTC) */
  fromWallClock?: (w: WallClockTime) => Date;
}

export interface CefsChange {
  advisory: string;
  /** created: its packages and channels; updated: those newly added */
  packages: number;
  channels: number;
}

export interface CefsImportReport {
  created: CefsChange[];
  updated: CefsChange[];
  unchanged: string[];
  skipped: { advisory: string; reason: string }[];
}

const PREFIX_TYPES: [RegExp, AdvisoryType][] = [
  [/^(CE|RH|RL|AL|EL)SA-|^DSA-/, 'Security Advisory'],
  [/^(CE|RH|RL|AL|EL)BA-/, 'Bug Fix Advisory'],
  [/^(CE|RH|RL|AL|EL)EA-/, 'Product Enhancement Advisory'],
];

/** The `type` attribute when it is one of Spacewalk's three (any case), else what the id's prefix says. */
export function cefsAdvisoryType(a: Pick<CefsAdvisory, 'name' | 'type'>): AdvisoryType | null {
  const t = a.type.trim().toLowerCase();
  const named = ADVISORY_TYPES.find((x) => x.toLowerCase() === t);
  if (named) return named;
  if (t !== '') return null;
  return PREFIX_TYPES.find(([re]) => re.test(a.name))?.[1] ?? null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export function cefsIssueDate(text: string, fromWallClock: (w: WallClockTime) => Date): Date | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const w: WallClockTime = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) };
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return null;
  if (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDate() !== w.day) return null;
  return fromWallClock(w);
}

const utcWallClock = (w: WallClockTime): Date => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));

function release(text: string): number {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n >= 1 && n <= MAX_ADVISORY_RELEASE ? n : 1;
}

/** File name -> packages of that name in the org's channels, and those channels; read for the whole feed at once. */
class FileMatcher {
  private constructor(private readonly index: Map<string, { packageId: number; channelIds: number[] }[]>) {}

  static async load(stores: Stores, orgId: number, feed: CefsFeed): Promise<FileMatcher> {
    return new FileMatcher(await stores.errata.packagesByFilename(orgId, feed.advisories.flatMap((a) => a.packages)));
  }

  matchAll(files: readonly string[]): { ids: number[]; channels: number[] } {
    const ids = new Set<number>();
    const channels = new Set<number>();
    for (const f of files) {
      for (const p of this.index.get(f) ?? []) {
        ids.add(p.packageId);
        p.channelIds.forEach((id) => channels.add(id));
      }
    }
    return { ids: [...ids], channels: [...channels].sort((a, b) => a - b) };
  }
}

function toNewErratum(a: CefsAdvisory, orgId: number, type: AdvisoryType, issued: Date, packageIds: number[]): NewErratum {
  const severity = a.severity.trim().toLowerCase();
  return {
    orgId,
    advisoryName: a.name,
    advisoryType: type,
    advisoryRelease: release(a.release),
    synopsis: a.synopsis || a.name,
    product: a.product,
    errataFrom: a.from,
    topic: a.topic,
    description: a.description,
    references: a.references,
    notes: a.notes,
    solution: a.solution,
    severity: type === 'Security Advisory' ? (SEVERITIES.find((s) => s.toLowerCase() === severity) ?? null) : null,
    issueDate: issued,
    updateDate: issued,
    bugs: [],
    keywords: [...new Set(a.keywords)],
    cves: [...new Set(a.cves)],
    packageIds,
  };
}

/** Why an advisory cannot be imported, or what to import it as. */
function prepare(a: CefsAdvisory, matcher: FileMatcher, opts: CefsImportOptions): { reason: string } | { erratum: NewErratum; channels: number[] } {
  const type = cefsAdvisoryType(a);
  if (!type) return { reason: `advisory type ${JSON.stringify(a.type)} is none of ${ADVISORY_TYPES.join(', ')}` };
  const issued = cefsIssueDate(a.issueDate, opts.fromWallClock ?? utcWallClock);
  if (!issued) return { reason: `issue_date ${JSON.stringify(a.issueDate)} is not a YYYY-MM-DD HH:MM:SS date` };
  const { ids, channels } = matcher.matchAll(a.packages);
  if (ids.length === 0) {
    const binaries = a.packages.filter((f) => !f.endsWith('.src.rpm')).length;
    return { reason: `none of its ${binaries} package file${binaries === 1 ? '' : 's'} is in a channel of this organization` };
  }
  return { erratum: toNewErratum(a, opts.orgId, type, issued, ids.sort((x, y) => x - y)), channels };
}

/**
 * Imports a parsed feed into one org: one transaction per advisory (a re-run is idempotent:
 * existing advisories only gain newly matching packages and channels).
 */
export async function importCefs(stores: Stores, feed: CefsFeed, opts: CefsImportOptions): Promise<CefsImportReport> {
  const matcher = await FileMatcher.load(stores, opts.orgId, feed);
  const report: CefsImportReport = { created: [], updated: [], unchanged: [], skipped: [] };
  for (const a of feed.advisories) {
    const plan = prepare(a, matcher, opts);
    if ('reason' in plan) {
      report.skipped.push({ advisory: a.name, reason: plan.reason });
      continue;
    }
    const extras = { source: 'cefs', version: a.release, rebootSuggested: plan.erratum.keywords!.includes('reboot_suggested') };
    const r = await stores.errata.importAdvisory(plan.erratum, extras, plan.channels);
    if (r.created) report.created.push({ advisory: a.name, packages: plan.erratum.packageIds!.length, channels: plan.channels.length });
    else if (r.packagesAdded > 0 || r.channelsAdded > 0) report.updated.push({ advisory: a.name, packages: r.packagesAdded, channels: r.channelsAdded });
    else report.unchanged.push(a.name);
  }
  return report;
}
