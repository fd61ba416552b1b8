// Channel repodata publishing: repodata generated from the database per channel revision,
// swapped in atomically and cached on disk (layout.ts), readers' lookups, and the channel
// export that makes a plain yum repository folder of it.
export { publishChannel, type PublishOptions, type PublishResult } from './publish-channel.js';
export { channelRepodataRoot, findPublishedFile, publishedRepodataPath } from './layout.js';
export { exportChannel, ExportIncomplete, notDownloadedYet, PackageNotDownloaded, type EnsurePackageFile, type ExportOptions, type ExportResult } from './export.js';
export { PublishBusy } from './lock.js';
export { packageHref } from './package-xml.js';
export type { RepodataFile } from './repomd.js';
