// The domain records the stores hand out: plain data, times as Date, absent values as null.

export const ROLES = [
  'satellite_admin',
  'org_admin',
  'channel_admin',
  'config_admin',
  'system_group_admin',
  'activation_key_admin',
] as const;
export type Role = (typeof ROLES)[number];

export interface Org {
  id: number;
  name: string;
  created: Date;
}

export interface User {
  id: number;
  orgId: number;
  orgName: string;
  login: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  email: string;
  prefix: string;
  enabled: boolean;
  readOnly: boolean;
  usePam: boolean;
  errataNotification: boolean;
  created: Date;
  lastLogin: Date | null;
  roles: Role[];
}

export interface NewUser {
  orgId: number;
  login: string;
  passwordHash: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  prefix?: string;
  usePam?: boolean;
  roles?: Role[];
}

export type ChannelAccess = 'private' | 'public' | 'protected';

export interface Channel {
  id: number;
  orgId: number | null;
  label: string;
  name: string;
  summary: string;
  description: string;
  archLabel: string;
  parentId: number | null;
  parentLabel: string | null;
  checksumLabel: string;
  gpgKeyUrl: string;
  gpgKeyId: string;
  gpgKeyFp: string;
  maintainerName: string;
  maintainerEmail: string;
  maintainerPhone: string;
  supportPolicy: string;
  endOfLife: Date | null;
  cloneOriginalId: number | null;
  cloneOriginalLabel: string | null;
  access: ChannelAccess;
  created: Date;
  lastModified: Date;
  lastSynced: Date | null;
  revision: number;
}

/** A channel with the counts the channel lists show. */
export interface ChannelSummary extends Channel {
  packageCount: number;
  systemCount: number;
}

export interface NewChannel {
  orgId: number;
  label: string;
  name: string;
  summary: string;
  description?: string;
  archLabel: string;
  parentId: number | null;
  checksumLabel: string;
  gpgKeyUrl?: string;
  gpgKeyId?: string;
  gpgKeyFp?: string;
  maintainerName?: string;
  maintainerEmail?: string;
  maintainerPhone?: string;
  supportPolicy?: string;
  cloneOriginalId?: number | null;
}

export type ChannelUpdate = Partial<
  Pick<
    Channel,
    | 'name'
    | 'summary'
    | 'description'
    | 'checksumLabel'
    | 'gpgKeyUrl'
    | 'gpgKeyId'
    | 'gpgKeyFp'
    | 'maintainerName'
    | 'maintainerEmail'
    | 'maintainerPhone'
    | 'supportPolicy'
    | 'access'
  >
>;

export interface PackageNevra {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
}

export interface Package extends PackageNevra {
  id: number;
  orgId: number | null;
  checksumType: string;
  checksum: string;
  filename: string;
  summary: string;
  description: string;
  license: string;
  vendor: string;
  group: string;
  buildHost: string;
  url: string;
  packager: string;
  sourceRpm: string;
  cookie: string;
  buildTime: Date | null;
  sizePackage: number | null;
  sizeInstalled: number | null;
  sizeArchive: number | null;
  headerStart: number | null;
  headerEnd: number | null;
  blobSha256: string | null;
  created: Date;
  lastModified: Date;
}

/** What an import or a push hands to the package store. */
export interface NewPackage extends PackageNevra {
  checksumType: string;
  checksum: string;
  filename: string;
  summary?: string;
  description?: string;
  license?: string;
  vendor?: string;
  group?: string;
  buildHost?: string;
  url?: string;
  packager?: string;
  sourceRpm?: string;
  cookie?: string;
  buildTime?: number | null; // Unix seconds
  sizePackage?: number | null;
  sizeInstalled?: number | null;
  sizeArchive?: number | null;
  headerStart?: number | null;
  headerEnd?: number | null;
  blobSha256?: string | null;
  primaryXml: string;
  filelistsXml?: string | null;
  otherXml?: string | null;
}

/** One row of a channel's package list (what listAllPackages needs, nothing more). */
export interface ChannelPackageRow extends PackageNevra {
  id: number;
  checksumType: string;
  checksum: string;
  lastModified: Date;
}

export const ADVISORY_TYPES = ['Security Advisory', 'Bug Fix Advisory', 'Product Enhancement Advisory'] as const;
export type AdvisoryType = (typeof ADVISORY_TYPES)[number];
export const SEVERITIES = ['Low', 'Moderate', 'Important', 'Critical'] as const;

export interface Bug {
  id: number;
  summary: string;
  url: string;
}

export interface Erratum {
  id: number;
  orgId: number | null;
  advisoryName: string;
  advisoryType: string;
  advisoryRelease: number;
  synopsis: string;
  product: string;
  errataFrom: string;
  topic: string;
  description: string;
  references: string;
  notes: string;
  solution: string;
  severity: string | null;
  issueDate: Date;
  updateDate: Date;
  published: boolean;
  cloneOriginalId: number | null;
  created: Date;
  lastModified: Date;
}

export interface ErratumDetails extends Erratum {
  bugs: Bug[];
  keywords: string[];
  cves: string[];
}

export interface NewErratum {
  orgId: number;
  advisoryName: string;
  advisoryType: string;
  advisoryRelease: number;
  synopsis: string;
  product: string;
  errataFrom?: string;
  topic: string;
  description: string;
  references?: string;
  notes?: string;
  solution: string;
  severity?: string | null;
  issueDate: Date;
  updateDate: Date;
  bugs?: Bug[];
  keywords?: string[];
  cves?: string[];
  packageIds?: number[];
  cloneOriginalId?: number | null;
}

export type ErratumUpdate = Partial<
  Pick<
    Erratum,
    | 'advisoryName'
    | 'advisoryType'
    | 'advisoryRelease'
    | 'synopsis'
    | 'product'
    | 'errataFrom'
    | 'topic'
    | 'description'
    | 'references'
    | 'notes'
    | 'solution'
    | 'severity'
    | 'issueDate'
    | 'updateDate'
  >
> & { bugs?: Bug[]; keywords?: string[]; cves?: string[] };

export type DownloadPolicy = 'on_demand' | 'immediate';

/** A content source (Spacewalk's "repo"): an upstream yum repository channels sync from. */
export interface Repo {
  id: number;
  orgId: number;
  label: string;
  type: string;
  url: string;
  sslCaCert: string | null;
  sslClientCert: string | null;
  sslClientKey: string | null;
  proxyUrl: string | null;
  downloadPolicy: DownloadPolicy;
  repomdSha256: string | null;
  created: Date;
  lastModified: Date;
}

export interface NewRepo {
  orgId: number;
  label: string;
  type: string;
  url: string;
  sslCaCert?: string | null;
  sslClientCert?: string | null;
  sslClientKey?: string | null;
  proxyUrl?: string | null;
  downloadPolicy?: DownloadPolicy;
}

export type RepoUpdate = Partial<Pick<Repo, 'label' | 'url' | 'sslCaCert' | 'sslClientCert' | 'sslClientKey' | 'proxyUrl' | 'downloadPolicy' | 'repomdSha256'>>;

export interface RepoFilter {
  sortOrder: number;
  flag: '+' | '-';
  filter: string;
}

export type SyncStatus = 'running' | 'success' | 'failed' | 'unchanged';

export interface SyncRun {
  id: number;
  channelId: number;
  trigger: string;
  status: SyncStatus;
  started: Date;
  ended: Date | null;
  host: string;
  pid: number;
  packagesTotal: number;
  packagesAdded: number;
  errataAdded: number;
  errataUpdated: number;
  bytes: number;
  warnings: string[];
  error: string | null;
}

export interface SyncCounts {
  packagesTotal: number;
  packagesAdded: number;
  errataAdded: number;
  errataUpdated: number;
  bytes: number;
  warnings: string[];
}

export type ChannelMetadataKind = 'group' | 'modules';

/** Advisory details updateinfo.xml carries beyond Spacewalk's columns. */
export interface ErratumExtras {
  status: string;
  version: string;
  rights: string;
  pushcount: string;
  rebootSuggested: boolean;
  source: string;
}

export interface ErratumReference {
  type: string;
  id: string;
  href: string;
  title: string;
}

/** An advisory as a sync found it, ready to be created or updated in the channel's org. */
export interface SyncedErratum extends Omit<NewErratum, 'packageIds'> {
  extras: ErratumExtras;
  /** references other than bugzilla (bugs) and cve (cves): self, erratum, ... */
  otherReferences: ErratumReference[];
  packages: { packageId: number; module: string | null }[];
}

/** Everything one channel sync changes, applied in one transaction. */
export interface SyncCommit {
  channelId: number;
  orgId: number;
  /** packages the channel holds after the sync (those missing are added; none is removed) */
  packageIds: number[];
  errata: SyncedErratum[];
  metadata: Partial<Record<ChannelMetadataKind, { content: Buffer; sha256: string }>>;
  repos: { repoId: number; repomdSha256: string }[];
  syncedAt: Date;
}

export interface SyncCommitResult {
  packagesAdded: number;
  errataAdded: number;
  errataUpdated: number;
}

export interface SyncSchedule {
  channelId: number;
  label: string;
  cron: string;
  params: Record<string, boolean>;
}
