-- Skylab core schema: organisations, users and API sessions, software channels, packages and
-- errata. Every owned row carries org_id; times are Unix seconds (UTC).

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE orgs (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL
);

CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  org_id              INTEGER NOT NULL REFERENCES orgs(id),
  login               TEXT NOT NULL,
  login_lc            TEXT NOT NULL UNIQUE,
  password_hash       TEXT NOT NULL,
  first_name          TEXT NOT NULL DEFAULT '',
  last_name           TEXT NOT NULL DEFAULT '',
  email               TEXT NOT NULL DEFAULT '',
  prefix              TEXT NOT NULL DEFAULT '',
  enabled             INTEGER NOT NULL DEFAULT 1,
  read_only           INTEGER NOT NULL DEFAULT 0,
  use_pam             INTEGER NOT NULL DEFAULT 0,
  errata_notification INTEGER NOT NULL DEFAULT 1,
  created             INTEGER NOT NULL,
  last_login          INTEGER
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role    TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE sessions (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  created    INTEGER NOT NULL,
  expires    INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires);

CREATE TABLE channels (
  id                INTEGER PRIMARY KEY,
  org_id            INTEGER REFERENCES orgs(id),
  label             TEXT NOT NULL UNIQUE,
  name              TEXT NOT NULL UNIQUE,
  summary           TEXT NOT NULL,
  description       TEXT NOT NULL DEFAULT '',
  arch_label        TEXT NOT NULL,
  parent_id         INTEGER REFERENCES channels(id),
  checksum_label    TEXT NOT NULL DEFAULT 'sha1',
  gpg_key_url       TEXT NOT NULL DEFAULT '',
  gpg_key_id        TEXT NOT NULL DEFAULT '',
  gpg_key_fp        TEXT NOT NULL DEFAULT '',
  maintainer_name   TEXT NOT NULL DEFAULT '',
  maintainer_email  TEXT NOT NULL DEFAULT '',
  maintainer_phone  TEXT NOT NULL DEFAULT '',
  support_policy    TEXT NOT NULL DEFAULT '',
  end_of_life       INTEGER,
  clone_original_id INTEGER REFERENCES channels(id) ON DELETE SET NULL,
  access            TEXT NOT NULL DEFAULT 'private',
  created           INTEGER NOT NULL,
  last_modified     INTEGER NOT NULL,
  last_synced       INTEGER,
  -- bumped on every content change: keys cached answers and published repodata
  revision          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX channels_parent ON channels(parent_id);

-- orgs granted access to a 'protected' channel (channel.org.enableAccess)
CREATE TABLE channel_org_access (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  org_id     INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, org_id)
) WITHOUT ROWID;

CREATE TABLE packages (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER REFERENCES orgs(id),
  name           TEXT NOT NULL,
  epoch          TEXT NOT NULL DEFAULT '',
  version        TEXT NOT NULL,
  release        TEXT NOT NULL,
  arch           TEXT NOT NULL,
  checksum_type  TEXT NOT NULL,
  checksum       TEXT NOT NULL,
  filename       TEXT NOT NULL,
  summary        TEXT NOT NULL DEFAULT '',
  description    TEXT NOT NULL DEFAULT '',
  license        TEXT NOT NULL DEFAULT '',
  vendor         TEXT NOT NULL DEFAULT '',
  group_name     TEXT NOT NULL DEFAULT '',
  build_host     TEXT NOT NULL DEFAULT '',
  url            TEXT NOT NULL DEFAULT '',
  packager       TEXT NOT NULL DEFAULT '',
  sourcerpm      TEXT NOT NULL DEFAULT '',
  cookie         TEXT NOT NULL DEFAULT '',
  build_time     INTEGER,
  size_package   INTEGER,
  size_installed INTEGER,
  size_archive   INTEGER,
  header_start   INTEGER,
  header_end     INTEGER,
  -- sha256 of the file in the blob store; NULL while only the metadata is known
  blob_sha256    TEXT,
  created        INTEGER NOT NULL,
  last_modified  INTEGER NOT NULL,
  UNIQUE (checksum_type, checksum)
);
CREATE INDEX packages_name ON packages(name);
CREATE INDEX packages_nvra ON packages(name, version, release, arch);
CREATE INDEX packages_filename ON packages(filename);

-- per-package repodata snippets (the <package> elements of primary, filelists, other),
-- kept apart so scans of packages stay small
CREATE TABLE package_xml (
  package_id    INTEGER PRIMARY KEY REFERENCES packages(id) ON DELETE CASCADE,
  primary_xml   TEXT NOT NULL,
  filelists_xml TEXT,
  other_xml     TEXT
);

CREATE TABLE channel_packages (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  package_id INTEGER NOT NULL REFERENCES packages(id),
  added      INTEGER NOT NULL,
  PRIMARY KEY (channel_id, package_id)
) WITHOUT ROWID;
CREATE INDEX channel_packages_package ON channel_packages(package_id);

CREATE TABLE errata (
  id                INTEGER PRIMARY KEY,
  org_id            INTEGER REFERENCES orgs(id),
  advisory_name     TEXT NOT NULL,
  advisory_type     TEXT NOT NULL,
  advisory_release  INTEGER NOT NULL DEFAULT 1,
  synopsis          TEXT NOT NULL DEFAULT '',
  product           TEXT NOT NULL DEFAULT '',
  errata_from       TEXT NOT NULL DEFAULT '',
  topic             TEXT NOT NULL DEFAULT '',
  description       TEXT NOT NULL DEFAULT '',
  refs              TEXT NOT NULL DEFAULT '',
  notes             TEXT NOT NULL DEFAULT '',
  solution          TEXT NOT NULL DEFAULT '',
  severity          TEXT,
  issue_date        INTEGER NOT NULL,
  update_date       INTEGER NOT NULL,
  published         INTEGER NOT NULL DEFAULT 0,
  clone_original_id INTEGER REFERENCES errata(id) ON DELETE SET NULL,
  created           INTEGER NOT NULL,
  last_modified     INTEGER NOT NULL
);
CREATE UNIQUE INDEX errata_org_name ON errata(ifnull(org_id, 0), advisory_name);

CREATE TABLE errata_bugs (
  errata_id INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  bug_id    INTEGER NOT NULL,
  summary   TEXT NOT NULL DEFAULT '',
  url       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (errata_id, bug_id)
) WITHOUT ROWID;

CREATE TABLE errata_keywords (
  errata_id INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  keyword   TEXT NOT NULL,
  PRIMARY KEY (errata_id, keyword)
) WITHOUT ROWID;

CREATE TABLE errata_cves (
  errata_id INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  cve       TEXT NOT NULL,
  PRIMARY KEY (errata_id, cve)
) WITHOUT ROWID;
CREATE INDEX errata_cves_cve ON errata_cves(cve);

CREATE TABLE errata_packages (
  errata_id  INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  PRIMARY KEY (errata_id, package_id)
) WITHOUT ROWID;
CREATE INDEX errata_packages_package ON errata_packages(package_id);

CREATE TABLE channel_errata (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  errata_id  INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, errata_id)
) WITHOUT ROWID;
CREATE INDEX channel_errata_errata ON channel_errata(errata_id);
