// The shape of a package as read from an .rpm header: plain data, no behaviour, so stores,
// importers and the XML writers can share it.

export interface RpmDependency {
  name: string;
  /** rpm's sense flags as stored (comparison bits, pre/post, rpmlib, ...). */
  flags: number;
  /** The version as stored: `[epoch:]version[-release]`, '' when unversioned. */
  version: string;
  /** createrepo_c's `pre="1"`: PREREQ, SCRIPT_PRE or SCRIPT_POST is set. */
  pre: boolean;
}

export interface RpmFile {
  /** Full path: dirname + basename. */
  path: string;
  mode: number;
  /** rpm file flags (config, doc, ghost, ...). */
  flags: number;
  size: number;
  isDir: boolean;
  isGhost: boolean;
}

export interface RpmChangelogEntry {
  /** Seconds since the epoch, as stored. */
  time: number;
  author: string;
  text: string;
}

export interface RpmDependencies {
  provides: RpmDependency[];
  requires: RpmDependency[];
  conflicts: RpmDependency[];
  obsoletes: RpmDependency[];
  recommends: RpmDependency[];
  suggests: RpmDependency[];
  supplements: RpmDependency[];
  enhances: RpmDependency[];
  /** Pre-4.12 weak dependencies (tags 1156-1161); the STRONG flag makes them recommends/supplements. */
  oldSuggests: RpmDependency[];
  oldEnhances: RpmDependency[];
}

export interface RpmPackage extends RpmDependencies {
  name: string;
  /** '' when the header has no EPOCH. */
  epoch: string;
  version: string;
  release: string;
  /** 'src' for source packages, else the header's ARCH. */
  arch: string;
  /** The ARCH tag as stored (the build arch, also for source packages). */
  headerArch: string;
  isSource: boolean;
  /** Byte range of the main header, as createrepo_c's rpm:header-range (end exclusive). */
  headerRange: { start: number; end: number };
  /** Text fields are '' when the tag is absent. */
  summary: string;
  description: string;
  license: string;
  vendor: string;
  group: string;
  buildhost: string;
  buildtime: number;
  url: string;
  packager: string;
  /** '' for source packages. */
  sourcerpm: string;
  cookie: string;
  /** Installed size in bytes. */
  size: number;
  /** Uncompressed payload size in bytes. */
  archiveSize: number;
  /** Hex digest of the compressed payload, '' when the package predates payload digests. */
  payloadDigest: string;
  /** rpm hash algorithm id of payloadDigest (8 = sha256), 0 when absent. */
  payloadDigestAlgo: number;
  /** Signature header digests of the main header (hex), '' when absent. */
  headerSha256: string;
  headerSha1: string;
  /** Signature header MD5 of header + payload (hex), '' when absent. */
  md5: string;
  /** Whether the signature header carries an RSA/DSA/PGP/GPG signature. */
  signed: boolean;
  /** Lower-case hex id (16 digits) of the signing key, '' when unsigned or unreadable. */
  signatureKeyId: string;
  files: RpmFile[];
  /** Newest first, as stored in the header. */
  changelog: RpmChangelogEntry[];
}
