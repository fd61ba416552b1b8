// The public face of the domain: records, errors, version comparison and the rules that
// client-shim, repo-sync and server build on. Only this file is imported from outside.
export * from './model.js';
export * from './model-systems.js';
export * from './errors.js';
export * from './rpmvercmp.js';
export * from './nevra.js';
export * from './arches.js';
export * from './roles.js';
export * from './passwords.js';
export { Stores, openStores, attachStores, MigrationError } from './stores/index.js';
export type { ImportResult, ProvidingChannel, ErratumChannel, ErrataWindow, ImportedAdvisory, PackageWindow, RunHolder } from './stores/index.js';
export type { LeaseHolder, PublishErratum, PublishErratumPackage, PublishPackageRow, PublishState } from './stores/index.js';
export * from './channel-rules.js';
export * from './errata-rules.js';
export * from './relevance.js';
export type { IndexCacheStats, RelevanceCounts, RelevantErratum, SystemOverviewRow, UpgradablePackage } from './stores/index.js';
export { BlobStore, BlobTooLarge, type StagedBlob } from './stores/blobs.js';
