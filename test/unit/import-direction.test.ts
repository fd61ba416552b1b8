// The folder import rules of design.md, checked on the real source with TypeScript's parser:
// server -> {client-shim, repo-sync} -> channels; client-shim and repo-sync reach channels only
// through channels/index.ts and never each other; channels stays free of HTTP, Fastify and cron;
// nothing imports server/; no cycles between folders.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/server.js';

const FOLDERS = ['server', 'client-shim', 'repo-sync', 'channels'] as const;
type Folder = (typeof FOLDERS)[number];

/** Which folders each folder may import from (besides itself). */
const MAY_IMPORT: Record<Folder, readonly Folder[]> = {
  server: ['client-shim', 'repo-sync', 'channels'],
  'client-shim': ['channels'],
  'repo-sync': ['channels'],
  channels: [],
};
const CHANNELS_ENTRY = 'channels/index.ts';
const NOT_IN_CHANNELS = /^(fastify|@fastify\/.*|fastify-.*|node-cron|undici|(node:)?https?|(node:)?http2)$/;

interface Edge {
  from: string; // repo-relative .ts path
  spec: string; // as written
  to: string | null; // repo-relative resolved path for relative specifiers, null for packages
}

function folderOf(path: string): Folder | null {
  const top = path.split('/')[0] as Folder;
  return FOLDERS.includes(top) ? top : null;
}

/** Every rule broken by a set of import edges, as readable lines. */
function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  const folderEdges = new Map<Folder, Set<Folder>>();
  for (const e of edges) {
    const from = folderOf(e.from)!;
    if (e.to === null) {
      if (from === 'channels' && NOT_IN_CHANNELS.test(e.spec)) out.push(`${e.from}: channels imports ${e.spec}`);
      continue;
    }
    const to = folderOf(e.to);
    if (to === null || to === from) continue;
    if (!folderEdges.has(from)) folderEdges.set(from, new Set());
    folderEdges.get(from)!.add(to);
    if (to === 'server') out.push(`${e.from}: imports server/ (${e.spec})`);
    else if (!MAY_IMPORT[from].includes(to)) out.push(`${e.from}: ${from} may not import ${to} (${e.spec})`);
    else if (to === 'channels' && from !== 'server' && e.to !== CHANNELS_ENTRY) out.push(`${e.from}: imports ${e.to}, not ${CHANNELS_ENTRY}`);
  }
  for (const cycle of folderCycles(folderEdges)) out.push(`folder cycle: ${cycle.join(' -> ')}`);
  return out;
}

function folderCycles(graph: Map<Folder, Set<Folder>>): Folder[][] {
  const cycles: Folder[][] = [];
  const visit = (node: Folder, path: Folder[]): void => {
    for (const next of graph.get(node) ?? []) {
      if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) visit(start, [start]);
  return cycles;
}

/** The module specifiers of one file: imports, re-exports, `import()` calls and `import('x').T` types. */
function specifiers(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function realEdges(): { edges: Edge[]; unresolved: string[]; files: number } {
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  const files = FOLDERS.flatMap((f) => tsFiles(join(ROOT, f)));
  for (const file of files) {
    const from = relative(ROOT, file);
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.')) {
        edges.push({ from, spec, to: null });
        continue;
      }
      const abs = resolve(dirname(file), spec);
      const target = [abs.replace(/\.js$/, '.ts'), abs, `${abs}.ts`, join(abs, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
      if (!target) unresolved.push(`${from}: ${spec}`);
      edges.push({ from, spec, to: relative(ROOT, target ?? abs.replace(/\.js$/, '.ts')) });
    }
  }
  return { edges, unresolved, files: files.length };
}

t.test('the checker catches each kind of violation', async (t) => {
  const bad: Edge[] = [
    { from: 'channels/model.ts', spec: 'fastify', to: null },
    { from: 'channels/stores/x.ts', spec: 'node:https', to: null },
    { from: 'channels/x.ts', spec: 'undici', to: null },
    { from: 'channels/y.ts', spec: 'node-cron', to: null },
    { from: 'channels/z.ts', spec: 'http', to: null },
    { from: 'repo-sync/a.ts', spec: '../channels/stores/db.js', to: 'channels/stores/db.ts' },
    { from: 'repo-sync/b.ts', spec: '../client-shim/c.js', to: 'client-shim/c.ts' },
    { from: 'client-shim/c.ts', spec: '../repo-sync/b.js', to: 'repo-sync/b.ts' },
    { from: 'channels/d.ts', spec: '../repo-sync/e.js', to: 'repo-sync/e.ts' },
    { from: 'repo-sync/f.ts', spec: '../server/app.js', to: 'server/app.ts' },
  ];
  const found = violations(bad);
  for (const e of bad) t.ok(found.some((v) => v.startsWith(`${e.from}:`)), `flags ${e.from} -> ${e.spec}`);
  t.ok(found.some((v) => v.startsWith('folder cycle:')), 'flags a folder cycle');
  const good: Edge[] = [
    { from: 'server/app.ts', spec: '../channels/stores/db.js', to: 'channels/stores/db.ts' },
    { from: 'server/app.ts', spec: 'fastify', to: null },
    { from: 'repo-sync/a.ts', spec: '../channels/index.js', to: 'channels/index.ts' },
    { from: 'repo-sync/a.ts', spec: 'node:http', to: null },
    { from: 'channels/stores/db.ts', spec: 'better-sqlite3', to: null },
    { from: 'channels/stores/db.ts', spec: '../model.js', to: 'channels/model.ts' },
  ];
  t.same(violations(good), [], 'allowed imports pass');
});

t.test('the source tree keeps the import direction', async (t) => {
  const { edges, unresolved, files } = realEdges();
  t.ok(files > 50, `${files} files read`);
  t.ok(edges.length > 200, `${edges.length} imports read`);
  t.same(unresolved, [], 'every relative import resolves to a file');
  t.same(violations(edges), [], 'no import breaks the rules');
  t.ok(edges.some((e) => e.from.startsWith('server/') && e.to === CHANNELS_ENTRY), 'server does import channels (the walk sees real edges)');
});
