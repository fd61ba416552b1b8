// The public face of the repodata scanners: streaming readers for primary, filelists and other
// (records with their exact XML), snippet parsers, and the error they all throw.
export { MetadataParseError } from './errors.js';
export type { ScanSummary } from './document.js';
export {
  type Dependency, type PackageFile, type PrimaryPackage, PRIMARY_NS, RPM_NS,
  parsePrimary, parsePrimarySnippet, scanPrimary,
} from './primary.js';
export {
  type FilelistsPackage, FILELISTS_NS, parseFilelists, parseFilelistsSnippet, scanFilelists,
} from './filelists.js';
export { type Changelog, type OtherPackage, OTHER_NS, parseOther, parseOtherSnippet, scanOther } from './other.js';
export { openMetadataFile } from './source.js';
