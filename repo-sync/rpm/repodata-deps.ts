// Which of a header's dependencies appear in primary.xml and how, following createrepo_c
// (parsehdr.c): rpmlib() and self-satisfied requires dropped, duplicates folded, only the
// newest libc.so.6 symbol-version require kept, legacy weak deps sorted into the new kinds.

import { rpmvercmp } from '../../channels/index.js';
import { Sense } from './tags.js';
import type { RpmDependency, RpmPackage } from './types.js';

export type DepFlag = 'LT' | 'GT' | 'EQ' | 'LE' | 'GE';

export interface RepoDep {
  name: string;
  /** null when unversioned (or when the comparison bits make no sense, as createrepo_c). */
  flags: DepFlag | null;
  epoch: string | null;
  ver: string | null;
  rel: string | null;
  /** Only ever true in `requires`. */
  pre: boolean;
}

export interface RepoDeps {
  provides: RepoDep[];
  requires: RepoDep[];
  conflicts: RepoDep[];
  obsoletes: RepoDep[];
  suggests: RepoDep[];
  enhances: RepoDep[];
  recommends: RepoDep[];
  supplements: RepoDep[];
}

const FLAG_NAMES: Partial<Record<number, DepFlag>> = { 2: 'LT', 4: 'GT', 8: 'EQ', 10: 'LE', 12: 'GE' };

export function flagName(flags: number): DepFlag | null {
  return FLAG_NAMES[flags & Sense.SENSEMASK] ?? null;
}

/** createrepo_c's cr_is_primary: the files listed in primary.xml. */
export function isPrimaryFile(path: string): boolean {
  return path.startsWith('/etc/') || path === '/usr/lib/sendmail' || path.includes('bin/');
}

/**
 * Split `[epoch:]version[-release]` as createrepo_c's cr_str_to_evr does. `epoch` is '0'
 * when there is none and null when it is not a number (createrepo_c then drops the dep).
 */
export function splitEvr(evr: string): { epoch: string | null; ver: string | null; rel: string | null } {
  if (evr === '') return { epoch: null, ver: null, rel: null };
  let epoch: string | null = '0';
  let rest = evr;
  const colon = evr.indexOf(':');
  if (colon >= 0) {
    const prefix = evr.slice(0, colon);
    // strtol must consume exactly the text before the colon.
    if (prefix !== '' && /^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(prefix)) epoch = prefix;
    else if (prefix !== '') epoch = null;
    rest = evr.slice(colon + 1);
  }
  const dash = rest.indexOf('-');
  if (dash < 0) return { epoch, ver: rest, rel: null };
  return { epoch, ver: rest.slice(0, dash), rel: rest.slice(dash + 1) || null };
}

// cr_compare_dependency: 2 when `b` carries the newer symbol version, 1 when `a` does.
function compareLibc(a: string, b: string): number {
  let va = a.indexOf('(');
  let vb = b.indexOf('(');
  if (va < 0 && vb < 0) return 0;
  if (va < 0) return 2;
  if (vb < 0) return 1;
  const ea = a.indexOf(')', va);
  const eb = b.indexOf(')', vb);
  if (ea < 0 && eb < 0) return -1;
  if (ea < 0) return 2;
  if (eb < 0) return 1;
  va++;
  vb++;
  if (va === ea && vb === eb) return 0;
  if (va === ea) return 2;
  if (vb === eb) return 1;
  while (va < a.length && !(a[va]! >= '0' && a[va]! <= '9')) va++;
  while (vb < b.length && !(b[vb]! >= '0' && b[vb]! <= '9')) vb++;
  if (va > ea && vb > eb) return 0;
  if (va > ea) return 2;
  if (vb > eb) return 1;
  const cmp = rpmvercmp(a.slice(va, ea), b.slice(vb, eb));
  return cmp === -1 ? 2 : cmp;
}

interface Seen {
  flags: DepFlag | null;
  version: string;
  pre: boolean;
}

class DepCollector {
  readonly out: RepoDeps = {
    provides: [], requires: [], conflicts: [], obsoletes: [],
    suggests: [], enhances: [], recommends: [], supplements: [],
  };
  private readonly provided = new Set<string>();
  private readonly required = new Map<string, Seen>();
  private libcHighest: RepoDep | null = null;

  constructor(private readonly files: Set<string>) {}

  // The requires-only filters; true when the entry is left out.
  private skipRequire(d: RpmDependency, flags: DepFlag | null, pre: boolean): boolean {
    if (d.name.startsWith('rpmlib(')) return true;
    if (d.name.startsWith('/') && this.files.has(d.name) && isPrimaryFile(d.name)) return true;
    if (this.provided.has(d.name + (flags ?? '') + d.version)) return true;
    const seen = this.required.get(d.name);
    return seen !== undefined && seen.flags === flags && seen.version === d.version && seen.pre === pre;
  }

  add(kind: keyof RepoDeps | 'oldSuggests' | 'oldEnhances', d: RpmDependency): void {
    const flags = flagName(d.flags);
    const pre = (d.flags & (Sense.PREREQ | Sense.SCRIPT_PRE | Sense.SCRIPT_POST)) !== 0;
    if (kind === 'requires' && this.skipRequire(d, flags, pre)) return;
    const evr = splitEvr(d.version);
    if (d.version !== '' && evr.epoch === null) return;
    const dep: RepoDep = { name: d.name, flags, ...evr, pre: false };
    if (kind === 'provides') this.provided.add(d.name + (flags ?? '') + d.version);
    if (kind === 'oldSuggests') kind = d.flags & Sense.STRONG ? 'recommends' : 'suggests';
    if (kind === 'oldEnhances') kind = d.flags & Sense.STRONG ? 'supplements' : 'enhances';
    if (kind !== 'requires') {
      this.out[kind].push(dep);
      return;
    }
    // The Debian/Fedora builds enable ENABLE_LEGACY_WEAKDEPS: MISSINGOK requires are recommends.
    if (d.flags & Sense.MISSINGOK) {
      this.out.recommends.push(dep);
      return;
    }
    dep.pre = pre;
    if (d.name.startsWith('libc.so.6')) {
      if (!this.libcHighest || compareLibc(this.libcHighest.name, d.name) === 2) this.libcHighest = dep;
      return;
    }
    this.out.requires.push(dep);
    this.required.set(d.name, { flags, version: d.version, pre });
  }

  finishRequires(): void {
    if (this.libcHighest) this.out.requires.push(this.libcHighest);
  }
}

/** The dependency lists createrepo_c would write for this package, in its order. */
export function repodataDeps(pkg: RpmPackage): RepoDeps {
  const c = new DepCollector(new Set(pkg.files.map((f) => f.path)));
  for (const d of pkg.provides) c.add('provides', d);
  for (const d of pkg.conflicts) c.add('conflicts', d);
  for (const d of pkg.obsoletes) c.add('obsoletes', d);
  for (const d of pkg.requires) c.add('requires', d);
  c.finishRequires();
  for (const d of pkg.suggests) c.add('suggests', d);
  for (const d of pkg.enhances) c.add('enhances', d);
  for (const d of pkg.recommends) c.add('recommends', d);
  for (const d of pkg.supplements) c.add('supplements', d);
  for (const d of pkg.oldSuggests) c.add('oldSuggests', d);
  for (const d of pkg.oldEnhances) c.add('oldEnhances', d);
  return c.out;
}
