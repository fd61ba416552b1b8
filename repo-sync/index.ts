// Reading package metadata from outside Skylab and writing it back out: RPM headers, repodata
// parsers, (later) fetch, sync stages and channel repodata publishing.
export * from './deps.js';
export * as metadata from './metadata/index.js';
export * from './push.js';
export { importPrimaryFile, packageFromPrimary, type PrimaryImportResult } from './import-primary.js';
export * from './publish/index.js';
