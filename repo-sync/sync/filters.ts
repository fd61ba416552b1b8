// Spacewalk's repo filters: ordered include (+) / exclude (-) rules, each a list of shell
// globs (comma or space separated) matched against the package name. The first rule that
// matches decides; a package no rule matches is kept unless the first rule is an include
// (a list that starts with "+" is a whitelist), as spacewalk-repo-sync did.
import type { RepoFilter } from '../../channels/index.js';

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export type NameFilter = (name: string) => boolean;

export function compileFilters(filters: readonly RepoFilter[]): NameFilter {
  if (filters.length === 0) return () => true;
  const rules = [...filters]
    .sort((a, b) => a.sortOrder - b.sortOrder)
    .map((f) => ({ include: f.flag === '+', patterns: f.filter.split(/[\s,]+/).filter(Boolean).map(globToRegExp) }));
  const fallback = !rules[0]!.include;
  return (name) => {
    for (const rule of rules) if (rule.patterns.some((p) => p.test(name))) return rule.include;
    return fallback;
  };
}
