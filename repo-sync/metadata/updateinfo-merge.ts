// Owns the merge of advisories an updateinfo.xml lists more than once under one id (EPEL,
// Photon): package and reference lists unioned, latest dates, flags from any copy.
import type { UpdateinfoAdvisory, UpdateinfoPackage, UpdateinfoReference } from './updateinfo.js';

const time = (d: Date | null): number => (d ? d.getTime() : -Infinity);

function latest(a: Date | null, b: Date | null): Date | null {
  return time(b) > time(a) ? b : a;
}

/** Packages are the same when their NEVRA is; an empty epoch is epoch 0. */
export function packageKey(p: Pick<UpdateinfoPackage, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return `${p.name}\0${p.epoch || '0'}\0${p.version}\0${p.release}\0${p.arch}`;
}

const referenceKey = (r: UpdateinfoReference): string => `${r.type}\0${r.id}\0${r.href}`;

function unionPackages(into: UpdateinfoPackage[], more: readonly UpdateinfoPackage[]): UpdateinfoPackage[] {
  const byKey = new Map(into.map((p) => [packageKey(p), p]));
  for (const p of more) {
    const seen = byKey.get(packageKey(p));
    if (!seen) {
      const copy = { ...p };
      byKey.set(packageKey(p), copy);
      into.push(copy);
      continue;
    }
    seen.rebootSuggested ||= p.rebootSuggested;
    seen.restartSuggested ||= p.restartSuggested;
    seen.reloginSuggested ||= p.reloginSuggested;
    seen.module ??= p.module;
    if (!seen.filename) seen.filename = p.filename;
    if (seen.sum === null && p.sum !== null) [seen.sumType, seen.sum] = [p.sumType, p.sum];
  }
  return into;
}

function unionReferences(into: UpdateinfoReference[], more: readonly UpdateinfoReference[]): UpdateinfoReference[] {
  const seen = new Set(into.map(referenceKey));
  for (const r of more) {
    if (!seen.has(referenceKey(r))) {
      seen.add(referenceKey(r));
      into.push(r);
    }
  }
  return into;
}

/** Which copy's texts (title, description, type, severity ...) win: the most recently changed one, the later in the file on a tie. */
function newer(a: UpdateinfoAdvisory, b: UpdateinfoAdvisory): UpdateinfoAdvisory {
  return time(b.updated ?? b.issued) >= time(a.updated ?? a.issued) ? b : a;
}

function mergeTwo(a: UpdateinfoAdvisory, b: UpdateinfoAdvisory): UpdateinfoAdvisory {
  const base = newer(a, b);
  return {
    ...base,
    issued: latest(a.issued, b.issued),
    updated: latest(a.updated, b.updated),
    rebootSuggested: a.rebootSuggested || b.rebootSuggested,
    restartSuggested: a.restartSuggested || b.restartSuggested,
    reloginSuggested: a.reloginSuggested || b.reloginSuggested,
    // the winner's lists first, so its order (and its package details) lead
    references: unionReferences([...(base === a ? a : b).references], base === a ? b.references : a.references),
    packages: unionPackages((base === a ? a : b).packages.map((p) => ({ ...p })), base === a ? b.packages : a.packages),
  };
}

/**
 * One advisory per id, in order of first appearance; ids seen more than once are merged:
 * package and reference lists unioned, issued and updated each the latest given, flags set if
 * any copy sets them, other fields from the copy updated last.
 */
export function mergeAdvisories(list: readonly UpdateinfoAdvisory[]): { advisories: UpdateinfoAdvisory[]; merged: string[] } {
  const byId = new Map<string, UpdateinfoAdvisory>();
  const merged = new Set<string>();
  for (const a of list) {
    const seen = byId.get(a.id);
    if (seen) merged.add(a.id);
    byId.set(a.id, seen ? mergeTwo(seen, a) : a);
  }
  return { advisories: [...byId.values()], merged: [...merged] };
}
