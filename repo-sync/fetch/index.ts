// The download layer of repository sync: fetching repodata and packages from http, https and
// file:// upstreams (mirrors, proxies, TLS client certificates, retries, resume, checksums) and
// reading the downloaded metadata files through the right decompressor.
export { Fetcher } from './fetcher.js';
export type { FetcherOptions, FetchResult, RepoAccess } from './types.js';
export type { Expectation } from './checksum.js';
export { hashAlgorithm } from './checksum.js';
export { DecompressError, FetchError, LocalWriteError, type DecompressErrorKind, type FetchErrorKind } from './errors.js';
export { openDecompressed, codecOf } from './decompress.js';
export type { Codec } from './codecs.js';
export { parseMetalink, parseMirrorlist, type MirrorDocument } from './mirrors.js';
export { noProxyMatches, proxyFor } from './proxy.js';
