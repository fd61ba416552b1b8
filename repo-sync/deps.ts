// Reads the dependency lists back out of a stored primary.xml <package> snippet (packages are
// kept as their repodata XML, so there is no separate dependency table to query).

export type DependencyType = 'provides' | 'requires' | 'conflicts' | 'obsoletes' | 'suggests' | 'recommends' | 'supplements' | 'enhances';
export const DEPENDENCY_TYPES: readonly DependencyType[] = ['requires', 'conflicts', 'obsoletes', 'provides', 'recommends', 'suggests', 'supplements', 'enhances'];

export interface Dependency {
  type: DependencyType;
  name: string;
  flags: string | null;
  epoch: string | null;
  version: string | null;
  release: string | null;
  pre: boolean;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITY[e]!,
  );
}

const SECTION = /<rpm:(provides|requires|conflicts|obsoletes|suggests|recommends|supplements|enhances)>([\s\S]*?)<\/rpm:\1>/g;
const ENTRY = /<rpm:entry\b([^>]*?)\/?>/g;
const ATTR = /([a-z]+)=(?:"([^"]*)"|'([^']*)')/g;

export function dependenciesFromPrimaryXml(xml: string): Dependency[] {
  const out: Dependency[] = [];
  for (const section of xml.matchAll(SECTION)) {
    const type = section[1] as DependencyType;
    for (const entry of section[2]!.matchAll(ENTRY)) {
      const attrs: Record<string, string> = {};
      for (const a of entry[1]!.matchAll(ATTR)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '');
      if (!attrs['name']) continue;
      out.push({
        type,
        name: attrs['name'],
        flags: attrs['flags'] ?? null,
        epoch: attrs['epoch'] ?? null,
        version: attrs['ver'] ?? null,
        release: attrs['rel'] ?? null,
        pre: attrs['pre'] === '1' || attrs['pre'] === 'true',
      });
    }
  }
  return out;
}

const SENSE: Record<string, string> = { EQ: '=', LT: '<', LE: '<=', GT: '>', GE: '>=' };

/** "<= 1:2.3-4" as Spacewalk shows a versioned dependency; "" when unversioned. */
export function dependencyModifier(d: Dependency): string {
  if (!d.flags || !SENSE[d.flags] || !d.version) return '';
  const epoch = d.epoch && d.epoch !== '0' ? `${d.epoch}:` : '';
  return `${SENSE[d.flags]} ${epoch}${d.version}${d.release ? '-' + d.release : ''}`;
}
