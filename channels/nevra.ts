// NEVRA values: parsing package labels and rpm file names, and formatting them back.
// Pure string work; ordering lives in rpmvercmp.ts.

export interface Nevra {
  name: string;
  /** '' when the package has no epoch. */
  epoch: string;
  version: string;
  release: string;
  arch: string;
}

/** A label or file name that does not have the shape name-[epoch:]version-release.arch. */
export class InvalidNevra extends Error {
  override readonly name = 'InvalidNevra';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid NEVRA ${JSON.stringify(input)}: ${reason}`);
  }
}

// rpm refuses these in name, version, release and arch at build time; rejecting them here
// keeps garbage (and path tricks in file names) out of package identities.
function checkChars(input: string, part: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 47 /* / */ || c === 92 /* \ */) {
      throw new InvalidNevra(input, `${part} contains a forbidden character`);
    }
  }
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// Every rpm arch (x86_64, noarch, src, ppc64le, armv7hl, ...) fits; a '-' or '.' here
// means the input had no arch at all and the split landed inside version or release.
function isArch(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** Split `n-v-r.a` with an optional epoch already removed from the front or the version. */
function splitNvra(input: string, label: string, epoch: string): Nevra {
  const dot = label.lastIndexOf('.');
  const relDash = dot < 0 ? -1 : label.lastIndexOf('-', dot);
  const verDash = relDash <= 0 ? -1 : label.lastIndexOf('-', relDash - 1);
  if (dot < 0) throw new InvalidNevra(input, 'no .arch');
  if (relDash < 0) throw new InvalidNevra(input, 'no -release');
  if (verDash < 0) throw new InvalidNevra(input, 'no -version');
  const name = label.slice(0, verDash);
  let version = label.slice(verDash + 1, relDash);
  const colon = version.indexOf(':');
  if (colon >= 0) {
    if (epoch !== '') throw new InvalidNevra(input, 'two epochs');
    epoch = version.slice(0, colon);
    version = version.slice(colon + 1);
    if (!isDigits(epoch)) throw new InvalidNevra(input, 'epoch is not a number');
  }
  const nevra: Nevra = {
    name,
    epoch,
    version,
    release: label.slice(relDash + 1, dot),
    arch: label.slice(dot + 1),
  };
  for (const part of ['name', 'version', 'release', 'arch'] as const) {
    const value = nevra[part];
    if (value === '') throw new InvalidNevra(input, `empty ${part}`);
    if (value.includes(':')) throw new InvalidNevra(input, `${part} contains ':'`);
    checkChars(input, part, value);
  }
  if (!isArch(nevra.arch)) throw new InvalidNevra(input, 'arch is not [A-Za-z0-9_]+');
  return nevra;
}

/**
 * Parse `name-[epoch:]version-release.arch` (rpm's %{nevra}). The yum form
 * `epoch:name-version-release.arch` is accepted too: rpm forbids ':' in names, so the two
 * cannot be confused. Epoch is '' when absent and kept as written otherwise ('0' stays '0').
 */
export function parseNevra(input: string): Nevra {
  const colon = input.indexOf(':');
  const dash = input.indexOf('-');
  if (colon >= 0 && (dash < 0 || colon < dash)) {
    const epoch = input.slice(0, colon);
    if (!isDigits(epoch)) throw new InvalidNevra(input, 'epoch is not a number');
    return splitNvra(input, input.slice(colon + 1), epoch);
  }
  return splitNvra(input, input, '');
}

/**
 * Parse an rpm file name such as `sw-hello-1.1-1.el8.noarch.rpm` or `x-1-1.src.rpm`.
 * A leading directory (a repository location href) is dropped. File names carry no
 * epoch, so epoch is always ''.
 */
export function parseRpmFilename(input: string): Nevra {
  const base = input.slice(input.lastIndexOf('/') + 1);
  if (!base.endsWith('.rpm')) throw new InvalidNevra(input, 'does not end in .rpm');
  const label = base.slice(0, -4);
  if (label.includes(':')) throw new InvalidNevra(input, 'rpm file names carry no epoch');
  return splitNvra(input, label, '');
}

export function formatNvra(n: Nevra): string {
  return `${n.name}-${n.version}-${n.release}.${n.arch}`;
}

function isZeroEpoch(e: string): boolean {
  for (let i = 0; i < e.length; i++) if (e.charCodeAt(i) !== 48) return false;
  return true; // '' too
}

/**
 * `name-[epoch:]version-release.arch`. The epoch is shown only when it is non-empty and not
 * zero ('0', '00', ...): rpm treats a missing epoch as 0, so `n-0:1-1.x` and `n-1-1.x` are
 * the same package and must format to the same string (the form `rpm -q` and yum print).
 */
export function formatNevra(n: Nevra): string {
  if (isZeroEpoch(n.epoch)) return formatNvra(n);
  return `${n.name}-${n.epoch}:${n.version}-${n.release}.${n.arch}`;
}

/** The conventional file name `name-version-release.arch.rpm` (never an epoch). */
export function rpmFilename(n: Nevra): string {
  return `${formatNvra(n)}.rpm`;
}
