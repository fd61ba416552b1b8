// Assembles the parallel-array parts of a header (dependency triples, the compressed file
// list, changelog columns) into records, refusing arrays that disagree in length.

import { RpmFormatError } from './errors.js';
import type { HeaderStore } from './store.js';
import { FileFlag, S_IFDIR, S_IFMT, Sense, Tag } from './tags.js';
import type { RpmChangelogEntry, RpmDependencies, RpmDependency, RpmFile } from './types.js';

const PRE_BITS = Sense.PREREQ | Sense.SCRIPT_PRE | Sense.SCRIPT_POST;

const DEP_TAGS: Record<keyof RpmDependencies, [name: number, flags: number, version: number]> = {
  provides: [Tag.PROVIDENAME, Tag.PROVIDEFLAGS, Tag.PROVIDEVERSION],
  requires: [Tag.REQUIRENAME, Tag.REQUIREFLAGS, Tag.REQUIREVERSION],
  conflicts: [Tag.CONFLICTNAME, Tag.CONFLICTFLAGS, Tag.CONFLICTVERSION],
  obsoletes: [Tag.OBSOLETENAME, Tag.OBSOLETEFLAGS, Tag.OBSOLETEVERSION],
  recommends: [Tag.RECOMMENDNAME, Tag.RECOMMENDFLAGS, Tag.RECOMMENDVERSION],
  suggests: [Tag.SUGGESTNAME, Tag.SUGGESTFLAGS, Tag.SUGGESTVERSION],
  supplements: [Tag.SUPPLEMENTNAME, Tag.SUPPLEMENTFLAGS, Tag.SUPPLEMENTVERSION],
  enhances: [Tag.ENHANCENAME, Tag.ENHANCEFLAGS, Tag.ENHANCEVERSION],
  oldSuggests: [Tag.OLDSUGGESTSNAME, Tag.OLDSUGGESTSFLAGS, Tag.OLDSUGGESTSVERSION],
  oldEnhances: [Tag.OLDENHANCESNAME, Tag.OLDENHANCESFLAGS, Tag.OLDENHANCESVERSION],
};

function sameLength(what: string, expected: number, actual: number | undefined): void {
  if (actual !== undefined && actual !== expected) {
    throw new RpmFormatError(`main header: ${what} has ${actual} entries, expected ${expected}`);
  }
}

function readDependencyList(main: HeaderStore, kind: string, tags: [number, number, number]): RpmDependency[] {
  const names = main.strings(tags[0]);
  if (!names) return [];
  const flags = main.numbers(tags[1]);
  const versions = main.strings(tags[2]);
  sameLength(`${kind} flags`, names.length, flags?.length);
  sameLength(`${kind} versions`, names.length, versions?.length);
  return names.map((name, i) => {
    const f = flags?.[i] ?? 0;
    return { name, flags: f, version: versions?.[i] ?? '', pre: (f & PRE_BITS) !== 0 };
  });
}

export function readDependencies(main: HeaderStore): RpmDependencies {
  const out = {} as RpmDependencies;
  for (const [kind, tags] of Object.entries(DEP_TAGS) as [keyof RpmDependencies, [number, number, number]][]) {
    out[kind] = readDependencyList(main, kind, tags);
  }
  return out;
}

// Packages built before rpm 4.0 list whole paths in OLDFILENAMES; rpm splits them on read.
function splitOldFilenames(main: HeaderStore): { dirs: string[]; bases: string[]; indexes: number[] } | undefined {
  const old = main.strings(Tag.OLDFILENAMES);
  if (!old) return undefined;
  const dirs: string[] = [];
  const dirIndex = new Map<string, number>();
  const bases: string[] = [];
  const indexes: number[] = [];
  for (const path of old) {
    const cut = path.lastIndexOf('/') + 1;
    const dir = path.slice(0, cut);
    let idx = dirIndex.get(dir);
    if (idx === undefined) {
      idx = dirs.push(dir) - 1;
      dirIndex.set(dir, idx);
    }
    bases.push(path.slice(cut));
    indexes.push(idx);
  }
  return { dirs, bases, indexes };
}

function fileNameColumns(main: HeaderStore): { dirs: string[]; bases: string[]; indexes: number[] } | undefined {
  const bases = main.strings(Tag.BASENAMES);
  if (!bases) return splitOldFilenames(main);
  const dirs = main.strings(Tag.DIRNAMES) ?? [];
  const indexes = main.numbers(Tag.DIRINDEXES) ?? [];
  sameLength('DIRINDEXES', bases.length, indexes.length);
  return { dirs, bases, indexes };
}

export function readFiles(main: HeaderStore): RpmFile[] {
  const columns = fileNameColumns(main);
  if (!columns) return [];
  const { dirs, bases, indexes } = columns;
  const modes = main.numbers(Tag.FILEMODES);
  const flags = main.numbers(Tag.FILEFLAGS);
  const sizes = main.numbers(Tag.LONGFILESIZES) ?? main.numbers(Tag.FILESIZES);
  sameLength('FILEMODES', bases.length, modes?.length);
  sameLength('FILEFLAGS', bases.length, flags?.length);
  sameLength('FILESIZES', bases.length, sizes?.length);
  return bases.map((base, i) => {
    const dir = dirs[indexes[i]!];
    if (dir === undefined) {
      throw new RpmFormatError(`main header: file ${i} has directory index ${indexes[i]}, only ${dirs.length} directories`);
    }
    const mode = modes?.[i] ?? 0;
    const f = flags?.[i] ?? 0;
    return {
      path: dir + base,
      mode,
      flags: f,
      size: sizes?.[i] ?? 0,
      isDir: (mode & S_IFMT) === S_IFDIR,
      isGhost: (f & FileFlag.GHOST) !== 0,
    };
  });
}

export function readChangelog(main: HeaderStore): RpmChangelogEntry[] {
  const times = main.numbers(Tag.CHANGELOGTIME);
  if (!times) return [];
  const names = main.strings(Tag.CHANGELOGNAME) ?? [];
  const texts = main.strings(Tag.CHANGELOGTEXT) ?? [];
  sameLength('CHANGELOGNAME', times.length, names.length);
  sameLength('CHANGELOGTEXT', times.length, texts.length);
  return times.map((time, i) => ({ time, author: names[i]!, text: texts[i]! }));
}
