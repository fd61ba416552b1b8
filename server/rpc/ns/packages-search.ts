// packages.search.advanced: the Lucene query subset spacecmd and scripts send (field:value
// terms with * and ? wildcards, AND/OR, quoted values), evaluated over the org's packages.
import type { Package } from '../../../channels/index.js';
import { packageOverview } from '../../presenters/packages.js';
import { fault } from '../faults.js';
import { method, type NamespaceDef } from '../registry.js';

const FIELDS: Record<string, (p: Package) => string> = {
  name: (p) => p.name,
  summary: (p) => p.summary,
  description: (p) => p.description,
  version: (p) => p.version,
  release: (p) => p.release,
  arch: (p) => p.arch,
  epoch: (p) => p.epoch,
  filename: (p) => p.filename,
};

type Predicate = (p: Package) => boolean;

function termPredicate(term: string): Predicate {
  const m = /^(?:([a-z]+):)?(.+)$/.exec(term);
  if (!m) throw fault(2902, `Invalid search query term: ${term}`);
  const field = m[1] ?? 'name';
  const get = FIELDS[field];
  if (!get) throw fault(2902, `Unknown search field '${field}': use ${Object.keys(FIELDS).join(', ')}`);
  const raw = m[2]!.replace(/^"(.*)"$/, '$1');
  const hasWildcard = /[*?]/.test(raw);
  const pattern = raw.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  // Lucene matches analysed words; a substring match of the lower-cased text is close enough for names.
  const re = new RegExp(hasWildcard ? `^${pattern}$` : pattern, 'i');
  return (p) => re.test(get(p));
}

export function compileQuery(query: string): Predicate {
  const text = query.replace(/[()]/g, ' ').trim();
  if (text === '') throw fault(2902, 'Empty search query');
  const alternatives = text.split(/\s+OR\s+/).map((alt) => {
    const terms = alt.split(/\s+AND\s+|\s+(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter((t) => t !== '' && t !== 'AND');
    const preds = terms.map(termPredicate);
    return (p: Package) => preds.every((f) => f(p));
  });
  return (p) => alternatives.some((f) => f(p));
}

export const packagesSearchNamespace: NamespaceDef = {
  namespace: 'packages.search',
  handlerClass: 'PackagesSearchHandler',
  methods: [
    method(
      'advanced',
      ['string luceneQuery'],
      'PackageOverview[]',
      async (ctx, query: string) => {
        const match = compileQuery(query);
        const all = await ctx.services.stores.packages.listVisible(ctx.user.orgId);
        return all.filter(match).map((p) => packageOverview(p, ctx.user.orgName));
      },
      { faults: [2901, 2902] },
    ),
  ],
};
