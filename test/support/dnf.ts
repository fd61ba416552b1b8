// Debian's dnf as a real yum-family client of an exported channel: a throwaway --installroot
// with its own config, repo file, cache and rpmdb, so nothing of the host is read or changed.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DnfResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DnfRoot {
  root: string;
  /** `dnf <args>` against the repo only; never throws, the caller checks `code` */
  dnf(args: string[]): Promise<DnfResult>;
  /** `rpm --root <root> -qa`, as sorted NEVRAs (name-version-release.arch) */
  installed(): Promise<string[]>;
  remove(): Promise<void>;
}

/** A fresh installroot whose only repository is `repoDir` (a folder with repodata/) as file://. */
export async function dnfRoot(repoId: string, repoDir: string): Promise<DnfRoot> {
  const base = await mkdtemp(join(tmpdir(), 'skylab-dnf-'));
  const root = join(base, 'root');
  const reposd = join(base, 'repos.d');
  await mkdir(root);
  await mkdir(reposd);
  const conf = join(base, 'dnf.conf');
  await writeFile(
    conf,
    ['[main]', 'gpgcheck=0', 'install_weak_deps=0', `reposdir=${reposd}`, `cachedir=${join(base, 'cache')}`, `logdir=${join(base, 'log')}`, 'metadata_expire=0', ''].join('\n'),
  );
  await writeFile(join(reposd, `${repoId}.repo`), [`[${repoId}]`, `name=${repoId}`, `baseurl=file://${repoDir}`, 'enabled=1', 'gpgcheck=0', ''].join('\n'));
  const common = ['-c', conf, `--installroot=${root}`, `--setopt=reposdir=${reposd}`, '--releasever=9', '--forcearch=x86_64', '--nogpgcheck'];
  return {
    root,
    async dnf(args) {
      try {
        const r = await run('dnf', [...common, ...args], { maxBuffer: 16 << 20, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    async installed() {
      const r = await run('rpm', ['--root', root, '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']);
      return r.stdout.split('\n').filter((l) => l && !l.startsWith('gpg-pubkey')).sort();
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
}
