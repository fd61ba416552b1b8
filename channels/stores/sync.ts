// SQL for channel syncs: the run history (which doubles as the one-sync-per-channel lock),
// schedules, comps/modules documents, and the single transaction that applies a sync.
import type { Db } from './db.js';
import type { ChannelMetadataKind, SyncCommit, SyncCommitResult, SyncCounts, SyncRun, SyncSchedule, SyncStatus } from '../model.js';
import { Conflict } from '../errors.js';
import type { ErrataStore } from './errata.js';
import { nowSeconds, toDate, toDateOrNull, toSeconds } from './rows.js';

interface RunRow {
  id: number;
  channel_id: number;
  trigger: string;
  status: SyncStatus;
  started: number;
  ended: number | null;
  host: string;
  pid: number;
  packages_total: number;
  packages_added: number;
  errata_added: number;
  errata_updated: number;
  bytes: number;
  warnings: string;
  error: string | null;
}

function toRun(r: RunRow): SyncRun {
  return {
    id: r.id,
    channelId: r.channel_id,
    trigger: r.trigger,
    status: r.status,
    started: toDate(r.started),
    ended: toDateOrNull(r.ended),
    host: r.host,
    pid: r.pid,
    packagesTotal: r.packages_total,
    packagesAdded: r.packages_added,
    errataAdded: r.errata_added,
    errataUpdated: r.errata_updated,
    bytes: r.bytes,
    warnings: r.warnings ? r.warnings.split('\n') : [],
    error: r.error,
  };
}

export interface RunHolder {
  host: string;
  pid: number;
}

export class SyncStore {
  constructor(
    private readonly db: Db,
    private readonly errata: ErrataStore,
  ) {}

  /**
   * Starts a run, unless one is already running for the channel in a live process (then
   * Conflict). A run whose process is gone is marked failed on the way.
   */
  async begin(channelId: number, trigger: string, holder: RunHolder, isAlive: (h: RunHolder) => boolean): Promise<number> {
    return this.db.transaction(() => {
      const running = this.db.prepare("SELECT * FROM sync_runs WHERE channel_id = ? AND status = 'running'").all(channelId) as RunRow[];
      for (const r of running) {
        if (isAlive({ host: r.host, pid: r.pid })) {
          throw new Conflict('sync.running', `A sync of this channel is already running (started ${toDate(r.started).toISOString()}, pid ${r.pid} on ${r.host})`);
        }
        this.db.prepare("UPDATE sync_runs SET status = 'failed', ended = ?, error = ? WHERE id = ?").run(nowSeconds(), 'interrupted: the syncing process ended', r.id);
      }
      const info = this.db
        .prepare("INSERT INTO sync_runs (channel_id, trigger, status, started, host, pid) VALUES (?, ?, 'running', ?, ?, ?)")
        .run(channelId, trigger, nowSeconds(), holder.host, holder.pid);
      return Number(info.lastInsertRowid);
    })();
  }

  async finish(runId: number, status: Exclude<SyncStatus, 'running'>, counts: SyncCounts, error: string | null = null): Promise<void> {
    this.db
      .prepare(
        `UPDATE sync_runs SET status = ?, ended = ?, packages_total = ?, packages_added = ?, errata_added = ?, errata_updated = ?,
           bytes = ?, warnings = ?, error = ? WHERE id = ?`,
      )
      .run(status, nowSeconds(), counts.packagesTotal, counts.packagesAdded, counts.errataAdded, counts.errataUpdated, counts.bytes, counts.warnings.join('\n'), error, runId);
  }

  async history(channelId: number, limit = 50): Promise<SyncRun[]> {
    return (this.db.prepare('SELECT * FROM sync_runs WHERE channel_id = ? ORDER BY id DESC LIMIT ?').all(channelId, limit) as RunRow[]).map(toRun);
  }

  async run(id: number): Promise<SyncRun | null> {
    const r = this.db.prepare('SELECT * FROM sync_runs WHERE id = ?').get(id) as RunRow | undefined;
    return r ? toRun(r) : null;
  }

  async setSchedule(channelId: number, cron: string | null, params: Record<string, boolean> | null): Promise<void> {
    this.db.prepare('UPDATE channels SET sync_cron = ?, sync_params = ? WHERE id = ?').run(cron, params ? JSON.stringify(params) : null, channelId);
  }

  async schedules(): Promise<SyncSchedule[]> {
    const rows = this.db.prepare("SELECT id, label, sync_cron, sync_params FROM channels WHERE sync_cron IS NOT NULL AND sync_cron <> '' ORDER BY id").all() as {
      id: number;
      label: string;
      sync_cron: string;
      sync_params: string | null;
    }[];
    return rows.map((r) => ({ channelId: r.id, label: r.label, cron: r.sync_cron, params: r.sync_params ? (JSON.parse(r.sync_params) as Record<string, boolean>) : {} }));
  }

  async metadata(channelId: number, kind: ChannelMetadataKind): Promise<{ content: Buffer; sha256: string } | null> {
    return (this.db.prepare('SELECT content, sha256 FROM channel_metadata WHERE channel_id = ? AND kind = ?').get(channelId, kind) as { content: Buffer; sha256: string } | undefined) ?? null;
  }

  /** Applies a sync: packages, errata, comps/modules, repo state, in one transaction. */
  async commit(c: SyncCommit): Promise<SyncCommitResult> {
    return this.db.transaction(() => {
      const now = toSeconds(c.syncedAt);
      const link = this.db.prepare('INSERT OR IGNORE INTO channel_packages (channel_id, package_id, added) VALUES (?, ?, ?)');
      let packagesAdded = 0;
      for (const id of c.packageIds) packagesAdded += link.run(c.channelId, id, now).changes;
      const { added, updated } = this.applyErrata(c);
      for (const [kind, doc] of Object.entries(c.metadata)) {
        this.db.prepare('INSERT OR REPLACE INTO channel_metadata (channel_id, kind, content, sha256) VALUES (?, ?, ?, ?)').run(c.channelId, kind, doc.content, doc.sha256);
      }
      for (const r of c.repos) this.db.prepare('UPDATE repos SET repomd_sha256 = ? WHERE id = ?').run(r.repomdSha256, r.repoId);
      const changed = packagesAdded > 0 || added > 0 || updated > 0 || Object.keys(c.metadata).length > 0;
      this.db
        .prepare(`UPDATE channels SET last_synced = ?${changed ? ', last_modified = ?, revision = revision + 1' : ''} WHERE id = ?`)
        .run(...(changed ? [now, now, c.channelId] : [now, c.channelId]));
      return { packagesAdded, errataAdded: added, errataUpdated: updated };
    })();
  }

  /** Creates new advisories, refreshes ones whose update date moved, links all to the channel. */
  private applyErrata(c: SyncCommit): { added: number; updated: number } {
    let added = 0;
    let updated = 0;
    const find = this.db.prepare('SELECT id, update_date FROM errata WHERE org_id = ? AND advisory_name = ?');
    const linkPkg = this.db.prepare('INSERT INTO errata_packages (errata_id, package_id, module) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET module = excluded.module');
    const linkChannel = this.db.prepare('INSERT OR IGNORE INTO channel_errata (channel_id, errata_id) VALUES (?, ?)');
    for (const e of c.errata) {
      const existing = find.get(c.orgId, e.advisoryName) as { id: number; update_date: number } | undefined;
      let id: number;
      if (!existing) {
        id = this.errata.insertInTx({ ...e, orgId: c.orgId, packageIds: [] }, e.extras);
        this.db.prepare('UPDATE errata SET published = 1 WHERE id = ?').run(id);
        added++;
      } else {
        id = existing.id;
        if (toSeconds(e.updateDate) > existing.update_date) {
          this.refreshInTx(id, e);
          updated++;
        }
      }
      this.replaceReferences(id, e.otherReferences, !existing || toSeconds(e.updateDate) > existing.update_date);
      for (const p of e.packages) linkPkg.run(id, p.packageId, p.module);
      linkChannel.run(c.channelId, id);
    }
    return { added, updated };
  }

  private refreshInTx(id: number, e: SyncCommit['errata'][number]): void {
    this.db
      .prepare(
        `UPDATE errata SET advisory_type = ?, advisory_release = ?, synopsis = ?, product = ?, errata_from = ?, topic = ?,
           description = ?, refs = ?, notes = ?, solution = ?, severity = ?, issue_date = ?, update_date = ?, status = ?,
           version = ?, rights = ?, pushcount = ?, reboot_suggested = ?, last_modified = ? WHERE id = ?`,
      )
      .run(
        e.advisoryType, e.advisoryRelease, e.synopsis, e.product, e.errataFrom ?? '', e.topic, e.description, e.references ?? '',
        e.notes ?? '', e.solution, e.severity ?? null, toSeconds(e.issueDate), toSeconds(e.updateDate), e.extras.status,
        e.extras.version, e.extras.rights, e.extras.pushcount, e.extras.rebootSuggested ? 1 : 0, nowSeconds(), id,
      );
    this.errata.replaceChildren(id, { bugs: e.bugs ?? [], keywords: e.keywords ?? [], cves: e.cves ?? [] });
  }

  private replaceReferences(id: number, refs: SyncCommit['errata'][number]['otherReferences'], replace: boolean): void {
    if (!replace) return;
    this.db.prepare('DELETE FROM errata_refs WHERE errata_id = ?').run(id);
    const ins = this.db.prepare('INSERT INTO errata_refs (errata_id, type, ref_id, href, title) VALUES (?, ?, ?, ?, ?)');
    for (const r of refs) ins.run(id, r.type, r.id, r.href, r.title);
  }
}
