-- Repository sync: content sources (Spacewalk's "repos") attached to channels, their filters,
-- sync schedules and history, the
-- extra advisory data updateinfo.xml carries, and per-channel comps/modules for republishing.
-- (A package's upstream location is its primary snippet's <location>; the repos of the channels
-- holding it say where to fetch it from.)

CREATE TABLE repos (
  id                INTEGER PRIMARY KEY,
  org_id            INTEGER NOT NULL REFERENCES orgs(id),
  label             TEXT NOT NULL,
  type              TEXT NOT NULL DEFAULT 'yum',
  url               TEXT NOT NULL,
  -- PEM text (or a path on the server) of the CA, client certificate and key for CDN-style repos
  ssl_ca_cert       TEXT,
  ssl_client_cert   TEXT,
  ssl_client_key    TEXT,
  proxy_url         TEXT,
  download_policy   TEXT NOT NULL DEFAULT 'on_demand' CHECK (download_policy IN ('on_demand', 'immediate')),
  -- sha256 of the repomd.xml last imported from this repo: an unchanged one means nothing to parse
  repomd_sha256     TEXT,
  created           INTEGER NOT NULL,
  last_modified     INTEGER NOT NULL,
  UNIQUE (org_id, label)
);

CREATE TABLE channel_repos (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  repo_id    INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, repo_id)
) WITHOUT ROWID;
CREATE INDEX channel_repos_repo ON channel_repos(repo_id);

-- include (+) / exclude (-) name patterns, applied in sort_order; see repo-sync filters
CREATE TABLE repo_filters (
  repo_id    INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  sort_order INTEGER NOT NULL,
  flag       TEXT NOT NULL CHECK (flag IN ('+', '-')),
  filter     TEXT NOT NULL,
  PRIMARY KEY (repo_id, sort_order)
) WITHOUT ROWID;

-- Quartz cron expression as the API received it, and the sync parameters that go with it
ALTER TABLE channels ADD COLUMN sync_cron TEXT;
ALTER TABLE channels ADD COLUMN sync_params TEXT;

CREATE TABLE sync_runs (
  id               INTEGER PRIMARY KEY,
  channel_id       INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  trigger          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'unchanged')),
  started          INTEGER NOT NULL,
  ended            INTEGER,
  -- process that holds the run while it is 'running' (a dead holder frees the channel)
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  packages_total   INTEGER NOT NULL DEFAULT 0,
  packages_added   INTEGER NOT NULL DEFAULT 0,
  errata_added     INTEGER NOT NULL DEFAULT 0,
  errata_updated   INTEGER NOT NULL DEFAULT 0,
  bytes            INTEGER NOT NULL DEFAULT 0,
  warnings         TEXT NOT NULL DEFAULT '',
  error            TEXT
);
CREATE INDEX sync_runs_channel ON sync_runs(channel_id, id);

-- advisory details updateinfo.xml carries beyond Spacewalk's errata columns
ALTER TABLE errata ADD COLUMN status TEXT NOT NULL DEFAULT 'final';
ALTER TABLE errata ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE errata ADD COLUMN rights TEXT NOT NULL DEFAULT '';
ALTER TABLE errata ADD COLUMN pushcount TEXT NOT NULL DEFAULT '';
ALTER TABLE errata ADD COLUMN reboot_suggested INTEGER NOT NULL DEFAULT 0;
-- where an advisory came from: api, cefs, or the label of the repo whose updateinfo brought it
ALTER TABLE errata ADD COLUMN source TEXT NOT NULL DEFAULT 'api';

-- references that are neither bugzilla (errata_bugs) nor cve (errata_cves): self, erratum, other
CREATE TABLE errata_refs (
  errata_id INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  type      TEXT NOT NULL,
  ref_id    TEXT NOT NULL DEFAULT '',
  href      TEXT NOT NULL DEFAULT '',
  title     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX errata_refs_errata ON errata_refs(errata_id);

-- module stream an advisory's package belongs to ("name:stream:version:context:arch"), if any
ALTER TABLE errata_packages ADD COLUMN module TEXT;

-- comps (group) and modules documents of a channel, decompressed, as the last sync found them
CREATE TABLE channel_metadata (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('group', 'modules')),
  content    BLOB NOT NULL,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (channel_id, kind)
) WITHOUT ROWID;

-- packages_nvra (name, version, release, arch) already serves lookups by name; one index less
-- to maintain on every imported package
DROP INDEX packages_name;

-- the channel revision whose repodata is published (files under <data-dir>/repodata/)
ALTER TABLE channels ADD COLUMN published_revision INTEGER;
