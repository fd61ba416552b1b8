// The rpm header vocabulary Skylab reads: tag numbers, value types and flag bits, named once
// so that the reader and the XML writers never carry bare numbers.

/** Value types of a header index entry (rpm's rpmTagType). */
export const TagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;
export type TagTypeCode = (typeof TagType)[keyof typeof TagType];

/** Tags of the main header. */
export const Tag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  ARCHIVESIZE: 1046,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090,
  COOKIE: 1094,
  SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  OLDSUGGESTSNAME: 1156,
  OLDSUGGESTSVERSION: 1157,
  OLDSUGGESTSFLAGS: 1158,
  OLDENHANCESNAME: 1159,
  OLDENHANCESVERSION: 1160,
  OLDENHANCESFLAGS: 1161,
  LONGARCHIVESIZE: 271,
  LONGFILESIZES: 5008,
  LONGSIZE: 5009,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
} as const;

/** Tags of the signature header (rpm's RPMSIGTAG_*). rpm merges some into the main header. */
export const SigTag = {
  /** Header + payload size. */
  SIZE: 1000,
  PGP: 1002,
  MD5: 1004,
  GPG: 1005,
  /** Uncompressed payload (archive) size; rpm shows it as ARCHIVESIZE. */
  PAYLOADSIZE: 1007,
  DSA: 267,
  RSA: 268,
  SHA1: 269,
  LONGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256: 273,
} as const;

/** Dependency flag bits (rpm's rpmsenseFlags) that Skylab interprets. */
export const Sense = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  /** Mask of the comparison bits. */
  SENSEMASK: 0x0f,
  PREREQ: 1 << 6,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  /** Old-style weak dependency (a Requires entry that is really a Recommends). */
  MISSINGOK: 1 << 19,
  RPMLIB: 1 << 24,
  /** Old-style strong weak dependency (Suggests -> Recommends, Enhances -> Supplements). */
  STRONG: 1 << 27,
} as const;

/** File flag bits (rpm's rpmfileAttrs). */
export const FileFlag = {
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  GHOST: 1 << 6,
  LICENSE: 1 << 7,
} as const;

/** File type bits of st_mode. */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;

/** Magic numbers of the file format. */
export const LEAD_MAGIC = 0xedabeedb;
export const HEADER_MAGIC = 0x8eade801;
export const LEAD_SIZE = 96;
/** Lead signature type meaning "a header-style signature follows" (the only one in use). */
export const LEAD_SIGTYPE_HEADER = 5;
