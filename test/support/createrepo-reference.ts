// Runs test/support/createrepo-reference.py: createrepo_c's own parsers (records as JSON, with
// Skylab's field names) and expat's well-formedness verdict, the oracles of the scanner tests.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./createrepo-reference.py', import.meta.url));

export type MetadataKind = 'primary' | 'filelists' | 'other';

async function* jsonLines(args: string[]): AsyncGenerator<Record<string, unknown>> {
  const child = spawn('/usr/bin/python3', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  for await (const line of createInterface({ input: child.stdout })) yield JSON.parse(line) as Record<string, unknown>;
  const code = await exited;
  if (code !== 0) throw new Error(`createrepo-reference.py ${args[0]} exited with ${code}`);
}

/** createrepo_c's records for the file at `path` (gz or plain), in document order. */
export function referenceRecords(kind: MetadataKind, path: string): AsyncGenerator<Record<string, unknown>> {
  return jsonLines([kind, path]);
}

/** createrepo_c's records for a document given as text or bytes. */
export async function referenceRecordsOf(kind: MetadataKind, doc: string | Buffer): Promise<Record<string, unknown>[]> {
  return withFiles([doc], async ([path]) => {
    const out: Record<string, unknown>[] = [];
    for await (const rec of referenceRecords(kind, path!)) out.push(rec);
    return out;
  });
}

/** expat's verdict on each document: true when well-formed XML. */
export async function expatWellFormed(docs: (string | Buffer)[]): Promise<boolean[]> {
  return withFiles(docs, async (paths) => {
    const out: boolean[] = [];
    for await (const r of jsonLines(['wellformed', ...paths])) out.push(r.wellformed === true);
    return out;
  });
}

async function withFiles<T>(docs: (string | Buffer)[], use: (paths: string[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'skylab-ref-'));
  try {
    const paths = docs.map((_, i) => join(dir, `doc-${i}.xml`));
    await Promise.all(docs.map((doc, i) => writeFile(paths[i]!, doc)));
    return await use(paths);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
