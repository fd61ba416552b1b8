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
