// Turning a repository base URL and a repodata-relative path (a `location href`) into the URL
// to fetch, refusing paths that would climb out of the repository.
import { FetchError } from './errors.js';

const SCHEMES = new Set(['http:', 'https:', 'file:']);

/** The repository URL as given, parsed; only http, https and file are fetched. */
export function parseRepoUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (e) {
    throw new FetchError(`invalid repository URL "${raw}"`, 'invalid', raw, false, undefined, { cause: e });
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new FetchError(`${raw}: unsupported URL scheme ${url.protocol} (http, https and file are)`, 'invalid', raw, false);
  }
  return url;
}

/**
 * base + relPath. A relPath comes from upstream metadata, so it may not be absolute, carry a
 * scheme or contain ".." (on a file:// repository that would read any file on this host).
 * Characters that would end the path ("#", "?") and stray "%" are escaped; "+" and "~" stay as
 * yum sends them.
 */
export function joinUrl(base: string, relPath: string): URL {
  const bad =
    relPath.startsWith('/') || relPath.includes('\\') || /^[a-z][a-z0-9+.-]*:/i.test(relPath) || relPath.split('/').some((s) => s === '..');
  if (bad || relPath.includes('\0')) {
    throw new FetchError(`refusing relative path "${relPath}": it leaves the repository`, 'invalid', base + relPath, false);
  }
  const escaped = relPath.replace(/%(?![0-9a-fA-F]{2})/g, '%25').replace(/[#? ]/g, (c) => encodeURIComponent(c));
  const root = new URL(base.endsWith('/') ? base : `${base}/`);
  const url = new URL(escaped, root);
  // the URL parser also reads "%2e%2e" as ".."
  if (url.origin !== root.origin || !url.pathname.startsWith(root.pathname)) {
    throw new FetchError(`refusing relative path "${relPath}": it leaves the repository`, 'invalid', url.href, false);
  }
  return url;
}
