// Dependencies of a stored package, read back from its primary.xml <package> snippet (packages
// are kept as their repodata XML, so there is no separate dependency table to query).
import { parsePrimarySnippet, type Dependency } from './metadata/index.js';

export const DEPENDENCY_TYPES = ['requires', 'conflicts', 'obsoletes', 'provides', 'recommends', 'suggests', 'supplements', 'enhances'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export interface TypedDependency extends Dependency {
  type: DependencyType;
}

export function dependenciesFromPrimaryXml(xml: string): TypedDependency[] {
  const pkg = parsePrimarySnippet(xml)[0];
  if (!pkg) return [];
  return DEPENDENCY_TYPES.flatMap((type) => pkg[type].map((d) => ({ ...d, type })));
}

const SENSE: Record<string, string> = { EQ: '=', LT: '<', LE: '<=', GT: '>', GE: '>=' };

/** "<= 1:2.3-4" as Spacewalk shows a versioned dependency; "" when unversioned. */
export function dependencyModifier(d: Dependency): string {
  if (!d.flags || !SENSE[d.flags] || !d.ver) return '';
  const epoch = d.epoch && d.epoch !== '0' ? `${d.epoch}:` : '';
  return `${SENSE[d.flags]} ${epoch}${d.ver}${d.rel ? '-' + d.rel : ''}`;
}
