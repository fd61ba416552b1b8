// SQL for distribution channel maps (distchannel.*): (release, channel arch) -> base channel,
// per org over install-wide defaults; username/password registration resolves through them.
import type { Db } from './db.js';
import type { DistChannelMap } from '../model-systems.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { CHANNEL_VISIBLE } from './system-rows.js';

interface MapRow {
  org_id: number | null;
  os: string;
  release: string;
  arch_label: string;
  channel_id: number;
  channel_label: string;
}

const SELECT = 'SELECT m.org_id, m.os, m.release, m.arch_label, m.channel_id, c.label AS channel_label FROM dist_channel_maps m JOIN channels c ON c.id = m.channel_id';

const toMap = (r: MapRow): DistChannelMap => ({
  orgId: r.org_id,
  os: r.os,
  release: r.release,
  archLabel: r.arch_label,
  channelId: r.channel_id,
  channelLabel: r.channel_label,
});

export class DistMapStore {
  private readonly resolveStmt;

  constructor(private readonly db: Db) {
    // the org's own mapping wins over the default (org_id NULL sorts first, so DESC puts the org first)
    this.resolveStmt = db
      .prepare('SELECT channel_id FROM dist_channel_maps WHERE (org_id = ? OR org_id IS NULL) AND release = ? AND arch_label = ? ORDER BY org_id DESC LIMIT 1')
      .pluck();
  }

  /** The install-wide defaults, by os, release and arch. */
  async listDefaults(): Promise<DistChannelMap[]> {
    return (this.db.prepare(`${SELECT} WHERE m.org_id IS NULL ORDER BY m.os, m.release, m.arch_label`).all() as MapRow[]).map(toMap);
  }

  /** The maps in force for an org: its own, and the defaults it does not override. */
  async listForOrg(orgId: number): Promise<DistChannelMap[]> {
    const rows = this.db
      .prepare(
        `${SELECT} WHERE m.org_id = @org OR (m.org_id IS NULL AND NOT EXISTS (SELECT 1 FROM dist_channel_maps o
           WHERE o.org_id = @org AND o.release = m.release AND o.arch_label = m.arch_label))
         ORDER BY m.os, m.release, m.arch_label`,
      )
      .all({ org: orgId }) as MapRow[];
    return rows.map(toMap);
  }

  /**
   * Sets the org's mapping of (release, channel arch) to a visible base channel, replacing its
   * previous one; `channelId` null removes it (the default applies again).
   */
  async setForOrg(orgId: number, os: string, release: string, archLabel: string, channelId: number | null): Promise<void> {
    this.db.transaction(() => {
      if (channelId !== null) this.checkBaseInTx(orgId, channelId);
      this.db.prepare('DELETE FROM dist_channel_maps WHERE org_id = ? AND release = ? AND arch_label = ?').run(orgId, release, archLabel);
      if (channelId !== null) {
        this.db.prepare('INSERT INTO dist_channel_maps (org_id, os, release, arch_label, channel_id) VALUES (?, ?, ?, ?, ?)').run(orgId, os, release, archLabel, channelId);
      }
    })();
  }

  /** Sets or (null) removes an install-wide default. The table's UNIQUE does not cover NULL orgs, so this replaces by hand. */
  async setDefault(os: string, release: string, archLabel: string, channelId: number | null): Promise<void> {
    this.db.transaction(() => {
      if (channelId !== null) {
        const c = this.db.prepare('SELECT org_id, parent_id FROM channels WHERE id = ?').get(channelId) as { org_id: number | null; parent_id: number | null } | undefined;
        if (!c) throw new NotFound('channel', channelId);
        if (c.parent_id !== null) throw new InvalidArgument('distchannel.channel', `Channel ${channelId} is not a base channel`);
      }
      this.db.prepare('DELETE FROM dist_channel_maps WHERE org_id IS NULL AND release = ? AND arch_label = ?').run(release, archLabel);
      if (channelId !== null) {
        this.db.prepare('INSERT INTO dist_channel_maps (org_id, os, release, arch_label, channel_id) VALUES (NULL, ?, ?, ?, ?)').run(os, release, archLabel, channelId);
      }
    })();
  }

  private checkBaseInTx(orgId: number, channelId: number): void {
    const c = this.db.prepare(`SELECT c.parent_id FROM channels c WHERE c.id = @id AND ${CHANNEL_VISIBLE}`).get({ id: channelId, org: orgId }) as
      | { parent_id: number | null }
      | undefined;
    if (!c) throw new NotFound('channel', channelId);
    if (c.parent_id !== null) throw new InvalidArgument('distchannel.channel', `Channel ${channelId} is not a base channel`);
  }

  /** The base channel for a registration by username/password: the org's mapping, else the default, else null. */
  async resolve(orgId: number, release: string, archLabel: string): Promise<number | null> {
    return (this.resolveStmt.get(orgId, release, archLabel) as number | undefined) ?? null;
  }
}
