-- Guests: registered systems (ids from 1000010000, a per-system secret signing the systemid),
-- their channels, package and hardware profiles and client capabilities; activation keys;
-- actions and their per-system state; system groups, notes, custom values, stored package
-- profiles, distribution channel maps; and the relevance (needed packages and errata) kept
-- per system.

CREATE TABLE systems (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id           INTEGER NOT NULL REFERENCES orgs(id),
  name             TEXT NOT NULL,
  -- 64 lower-case hex: signs the systemid (client-protocol.md 2.2)
  secret           TEXT NOT NULL,
  os_release       TEXT NOT NULL,
  release_name     TEXT NOT NULL,
  architecture     TEXT NOT NULL,
  username         TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL DEFAULT '',
  creator_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created          INTEGER NOT NULL,
  last_checkin     INTEGER NOT NULL,
  last_boot        INTEGER,
  running_kernel   TEXT NOT NULL DEFAULT '',
  hostname         TEXT NOT NULL DEFAULT '',
  ip               TEXT NOT NULL DEFAULT '',
  ip6              TEXT NOT NULL DEFAULT '',
  uuid             TEXT NOT NULL DEFAULT '',
  virt_type        TEXT NOT NULL DEFAULT '',
  auto_update      INTEGER NOT NULL DEFAULT 0,
  locked           INTEGER NOT NULL DEFAULT 0,
  -- administratively disabled: the client gets fault 31
  disabled         INTEGER NOT NULL DEFAULT 0,
  base_entitlement TEXT NOT NULL DEFAULT 'enterprise_entitled',
  address1         TEXT NOT NULL DEFAULT '',
  address2         TEXT NOT NULL DEFAULT '',
  city             TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL DEFAULT '',
  country          TEXT NOT NULL DEFAULT '',
  building         TEXT NOT NULL DEFAULT '',
  room             TEXT NOT NULL DEFAULT '',
  rack             TEXT NOT NULL DEFAULT '',
  -- bumped whenever the package profile changes: keys the relevance kept below
  profile_revision INTEGER NOT NULL DEFAULT 0
);
-- Spacewalk's server ids start at 1000010000; clients pad them as ID-%09d.
INSERT INTO sqlite_sequence (name, seq) VALUES ('systems', 1000009999);
CREATE INDEX systems_org ON systems(org_id);
CREATE INDEX systems_checkin ON systems(last_checkin);

CREATE TABLE system_channels (
  system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  PRIMARY KEY (system_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX system_channels_channel ON system_channels(channel_id);

CREATE TABLE system_entitlements (
  system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  entitlement TEXT NOT NULL,
  PRIMARY KEY (system_id, entitlement)
) WITHOUT ROWID;

-- the installed packages as the client reports them (epoch '' when none)
CREATE TABLE system_packages (
  system_id   INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  version     TEXT NOT NULL,
  release     TEXT NOT NULL,
  arch        TEXT NOT NULL,
  installtime INTEGER,
  PRIMARY KEY (system_id, name, arch, version, release, epoch)
) WITHOUT ROWID;
CREATE INDEX system_packages_name ON system_packages(name);

-- hardware items as sent (class plus the item's members as JSON)
CREATE TABLE system_hardware (
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  class     TEXT NOT NULL,
  data      TEXT NOT NULL,
  PRIMARY KEY (system_id, seq)
) WITHOUT ROWID;

CREATE TABLE system_capabilities (
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  version   INTEGER NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (system_id, name)
) WITHOUT ROWID;

-- what the system needs, computed from its profile and channels (see channels/relevance.ts)
CREATE TABLE system_needed_packages (
  system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  -- the installed build it upgrades: name, arch and EVR from the profile
  from_name    TEXT NOT NULL,
  from_arch    TEXT NOT NULL,
  from_epoch   TEXT NOT NULL,
  from_version TEXT NOT NULL,
  from_release TEXT NOT NULL,
  PRIMARY KEY (system_id, package_id, from_arch)
) WITHOUT ROWID;
CREATE INDEX system_needed_packages_package ON system_needed_packages(package_id);

CREATE TABLE system_needed_errata (
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  errata_id INTEGER NOT NULL REFERENCES errata(id) ON DELETE CASCADE,
  PRIMARY KEY (system_id, errata_id)
) WITHOUT ROWID;
CREATE INDEX system_needed_errata_errata ON system_needed_errata(errata_id);

-- the profile and channel state the relevance above was computed from
CREATE TABLE system_relevance_state (
  system_id        INTEGER PRIMARY KEY REFERENCES systems(id) ON DELETE CASCADE,
  profile_revision INTEGER NOT NULL,
  channels_state   TEXT NOT NULL
);

CREATE TABLE activation_keys (
  id                INTEGER PRIMARY KEY,
  org_id            INTEGER NOT NULL REFERENCES orgs(id),
  key               TEXT NOT NULL UNIQUE,
  description       TEXT NOT NULL DEFAULT '',
  base_channel_id   INTEGER REFERENCES channels(id) ON DELETE SET NULL,
  usage_limit       INTEGER NOT NULL DEFAULT 0,
  universal_default INTEGER NOT NULL DEFAULT 0,
  disabled          INTEGER NOT NULL DEFAULT 0,
  config_deploy     INTEGER NOT NULL DEFAULT 0,
  creator_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created           INTEGER NOT NULL
);

CREATE TABLE activation_key_channels (
  key_id     INTEGER NOT NULL REFERENCES activation_keys(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, channel_id)
) WITHOUT ROWID;

CREATE TABLE activation_key_entitlements (
  key_id      INTEGER NOT NULL REFERENCES activation_keys(id) ON DELETE CASCADE,
  entitlement TEXT NOT NULL,
  PRIMARY KEY (key_id, entitlement)
) WITHOUT ROWID;

CREATE TABLE activation_key_packages (
  key_id INTEGER NOT NULL REFERENCES activation_keys(id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  arch   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (key_id, name, arch)
) WITHOUT ROWID;

CREATE TABLE system_groups (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created     INTEGER NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE system_group_members (
  group_id  INTEGER NOT NULL REFERENCES system_groups(id) ON DELETE CASCADE,
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, system_id)
) WITHOUT ROWID;
CREATE INDEX system_group_members_system ON system_group_members(system_id);

CREATE TABLE activation_key_groups (
  key_id   INTEGER NOT NULL REFERENCES activation_keys(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL REFERENCES system_groups(id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, group_id)
) WITHOUT ROWID;

-- which keys registered a system (activationkey.listActivatedSystems, system.listActivationKeys)
CREATE TABLE system_activation_keys (
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL REFERENCES activation_keys(id) ON DELETE CASCADE,
  PRIMARY KEY (system_id, key_id)
) WITHOUT ROWID;
CREATE INDEX system_activation_keys_key ON system_activation_keys(key_id);

CREATE TABLE actions (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES orgs(id),
  type           TEXT NOT NULL,
  name           TEXT NOT NULL,
  scheduler_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
  earliest       INTEGER NOT NULL,
  prerequisite   INTEGER REFERENCES actions(id) ON DELETE SET NULL,
  version        INTEGER NOT NULL DEFAULT 2,
  -- what the encoder needs (package NEVRAs, erratum ids, ...) as JSON
  payload        TEXT NOT NULL DEFAULT '{}',
  archived       INTEGER NOT NULL DEFAULT 0,
  created        INTEGER NOT NULL,
  modified       INTEGER NOT NULL
);

-- status: 0 queued, 1 picked up, 2 completed, 3 failed (rhnActionStatus)
CREATE TABLE server_actions (
  system_id       INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  action_id       INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
  status          INTEGER NOT NULL DEFAULT 0,
  remaining_tries INTEGER NOT NULL DEFAULT 5,
  pickup_time     INTEGER,
  completion_time INTEGER,
  result_code     INTEGER,
  result_msg      TEXT,
  created         INTEGER NOT NULL,
  modified        INTEGER NOT NULL,
  PRIMARY KEY (system_id, action_id)
) WITHOUT ROWID;
CREATE INDEX server_actions_action ON server_actions(action_id);
CREATE INDEX server_actions_open ON server_actions(system_id, status);

CREATE TABLE system_notes (
  id         INTEGER PRIMARY KEY,
  system_id  INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  creator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  subject    TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  created    INTEGER NOT NULL,
  modified   INTEGER NOT NULL
);
CREATE INDEX system_notes_system ON system_notes(system_id);

CREATE TABLE custom_keys (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  label       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created     INTEGER NOT NULL,
  UNIQUE (org_id, label)
);

CREATE TABLE system_custom_values (
  system_id INTEGER NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL REFERENCES custom_keys(id) ON DELETE CASCADE,
  value     TEXT NOT NULL,
  PRIMARY KEY (system_id, key_id)
) WITHOUT ROWID;

-- stored package profiles (system.createPackageProfile / comparePackageProfile)
CREATE TABLE package_profiles (
  id          INTEGER PRIMARY KEY,
  org_id      INTEGER NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  channel_id  INTEGER REFERENCES channels(id) ON DELETE SET NULL,
  created     INTEGER NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE package_profile_packages (
  profile_id INTEGER NOT NULL REFERENCES package_profiles(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  epoch      TEXT NOT NULL,
  version    TEXT NOT NULL,
  release    TEXT NOT NULL,
  arch       TEXT NOT NULL,
  PRIMARY KEY (profile_id, name, arch, version, release, epoch)
) WITHOUT ROWID;

-- (os, release, channel arch) -> base channel for username/password registration; org_id
-- NULL rows are the defaults every org falls back to (distchannel.*)
CREATE TABLE dist_channel_maps (
  id         INTEGER PRIMARY KEY,
  org_id     INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
  os         TEXT NOT NULL,
  release    TEXT NOT NULL,
  arch_label TEXT NOT NULL,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  UNIQUE (org_id, release, arch_label)
);
