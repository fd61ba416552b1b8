// SQL for content sources (repos), their filters and channel associations.
import type { Db } from './db.js';
import type { NewRepo, Repo, RepoFilter, RepoUpdate } from '../model.js';
import { AlreadyExists } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';

interface RepoRow {
  id: number;
  org_id: number;
  label: string;
  type: string;
  url: string;
  ssl_ca_cert: string | null;
  ssl_client_cert: string | null;
  ssl_client_key: string | null;
  proxy_url: string | null;
  download_policy: 'on_demand' | 'immediate';
  repomd_sha256: string | null;
  created: number;
  last_modified: number;
}

function toRepo(r: RepoRow): Repo {
  return {
    id: r.id,
    orgId: r.org_id,
    label: r.label,
    type: r.type,
    url: r.url,
    sslCaCert: r.ssl_ca_cert,
    sslClientCert: r.ssl_client_cert,
    sslClientKey: r.ssl_client_key,
    proxyUrl: r.proxy_url,
    downloadPolicy: r.download_policy,
    repomdSha256: r.repomd_sha256,
    created: toDate(r.created),
    lastModified: toDate(r.last_modified),
  };
}

const UPDATE_COLUMNS: Record<keyof RepoUpdate, string> = {
  label: 'label',
  url: 'url',
  sslCaCert: 'ssl_ca_cert',
  sslClientCert: 'ssl_client_cert',
  sslClientKey: 'ssl_client_key',
  proxyUrl: 'proxy_url',
  downloadPolicy: 'download_policy',
  repomdSha256: 'repomd_sha256',
};

export class RepoStore {
  constructor(private readonly db: Db) {}

  async create(r: NewRepo): Promise<Repo> {
    const id = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM repos WHERE org_id = ? AND label = ?').get(r.orgId, r.label)) throw new AlreadyExists('repo', 'label', r.label);
      if (this.db.prepare('SELECT 1 FROM repos WHERE org_id = ? AND url = ?').get(r.orgId, r.url)) throw new AlreadyExists('repo', 'url', r.url);
      const now = nowSeconds();
      const info = this.db
        .prepare(
          `INSERT INTO repos (org_id, label, type, url, ssl_ca_cert, ssl_client_cert, ssl_client_key, proxy_url, download_policy, created, last_modified)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(r.orgId, r.label, r.type, r.url, r.sslCaCert ?? null, r.sslClientCert ?? null, r.sslClientKey ?? null, r.proxyUrl ?? null, r.downloadPolicy ?? 'on_demand', now, now);
      return Number(info.lastInsertRowid);
    })();
    return (await this.getById(id))!;
  }

  async getById(id: number): Promise<Repo | null> {
    const r = this.db.prepare('SELECT * FROM repos WHERE id = ?').get(id) as RepoRow | undefined;
    return r ? toRepo(r) : null;
  }

  async getByLabel(orgId: number, label: string): Promise<Repo | null> {
    const r = this.db.prepare('SELECT * FROM repos WHERE org_id = ? AND label = ?').get(orgId, label) as RepoRow | undefined;
    return r ? toRepo(r) : null;
  }

  async list(orgId: number): Promise<Repo[]> {
    return (this.db.prepare('SELECT * FROM repos WHERE org_id = ? ORDER BY label').all(orgId) as RepoRow[]).map(toRepo);
  }

  async update(id: number, u: RepoUpdate): Promise<void> {
    const sets: string[] = [];
    const values: (string | null)[] = [];
    for (const [k, v] of Object.entries(u) as [keyof RepoUpdate, string | null | undefined][]) {
      if (v === undefined) continue;
      sets.push(`${UPDATE_COLUMNS[k]} = ?`);
      values.push(v);
    }
    if (sets.length === 0) return;
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT org_id FROM repos WHERE id = ?').get(id) as { org_id: number } | undefined;
      if (!row) return;
      if (u.label !== undefined && this.db.prepare('SELECT 1 FROM repos WHERE org_id = ? AND label = ? AND id <> ?').get(row.org_id, u.label, id)) {
        throw new AlreadyExists('repo', 'label', u.label);
      }
      if (u.url !== undefined && this.db.prepare('SELECT 1 FROM repos WHERE org_id = ? AND url = ? AND id <> ?').get(row.org_id, u.url, id)) {
        throw new AlreadyExists('repo', 'url', u.url);
      }
      // A new URL or new credentials mean the next sync must look at the repository afresh.
      const reset = u.url !== undefined || u.sslCaCert !== undefined || u.sslClientCert !== undefined || u.sslClientKey !== undefined;
      this.db
        .prepare(`UPDATE repos SET ${sets.join(', ')}${reset && u.repomdSha256 === undefined ? ', repomd_sha256 = NULL' : ''}, last_modified = ? WHERE id = ?`)
        .run(...values, nowSeconds(), id);
    })();
  }

  async delete(id: number): Promise<void> {
    this.db.prepare('DELETE FROM repos WHERE id = ?').run(id);
  }

  async filters(repoId: number): Promise<RepoFilter[]> {
    return this.db.prepare('SELECT sort_order AS sortOrder, flag, filter FROM repo_filters WHERE repo_id = ? ORDER BY sort_order').all(repoId) as RepoFilter[];
  }

  /** Replaces the repo's filters (renumbered in the given order). */
  async setFilters(repoId: number, filters: readonly Pick<RepoFilter, 'flag' | 'filter'>[]): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM repo_filters WHERE repo_id = ?').run(repoId);
      const ins = this.db.prepare('INSERT INTO repo_filters (repo_id, sort_order, flag, filter) VALUES (?, ?, ?, ?)');
      filters.forEach((f, i) => ins.run(repoId, i + 1, f.flag, f.filter));
      // Different filters select different packages: the next sync must not skip.
      this.db.prepare('UPDATE repos SET repomd_sha256 = NULL, last_modified = ? WHERE id = ?').run(nowSeconds(), repoId);
    })();
  }

  async channelRepos(channelId: number): Promise<Repo[]> {
    return (
      this.db.prepare('SELECT r.* FROM channel_repos cr JOIN repos r ON r.id = cr.repo_id WHERE cr.channel_id = ? ORDER BY r.label').all(channelId) as RepoRow[]
    ).map(toRepo);
  }

  async channelsOf(repoId: number): Promise<{ id: number; label: string }[]> {
    return this.db.prepare('SELECT c.id, c.label FROM channel_repos cr JOIN channels c ON c.id = cr.channel_id WHERE cr.repo_id = ? ORDER BY c.label').all(repoId) as {
      id: number;
      label: string;
    }[];
  }

  /** Channels with at least one repository, i.e. the ones a sync can act on. */
  async channelsWithRepos(): Promise<{ id: number; label: string }[]> {
    return this.db
      .prepare('SELECT DISTINCT c.id, c.label FROM channel_repos cr JOIN channels c ON c.id = cr.channel_id ORDER BY c.label')
      .all() as { id: number; label: string }[];
  }

  async associate(channelId: number, repoId: number, on: boolean): Promise<void> {
    if (on) this.db.prepare('INSERT OR IGNORE INTO channel_repos (channel_id, repo_id) VALUES (?, ?)').run(channelId, repoId);
    else this.db.prepare('DELETE FROM channel_repos WHERE channel_id = ? AND repo_id = ?').run(channelId, repoId);
  }

  /** Repositories of the channels that hold the package: where its file may be fetched from. */
  async reposForPackage(packageId: number): Promise<Repo[]> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT r.* FROM channel_packages cp JOIN channel_repos cr ON cr.channel_id = cp.channel_id
         JOIN repos r ON r.id = cr.repo_id WHERE cp.package_id = ? ORDER BY r.id`,
      )
      .all(packageId) as RepoRow[];
    return rows.map(toRepo);
  }

}
