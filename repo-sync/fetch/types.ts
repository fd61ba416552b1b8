// The inputs of the download layer: how to reach one repository, and the fetcher's settings.

/** How to reach one repository: plain values from the repos table. Certificates and keys are PEM text or file paths on this host. */
export interface RepoAccess {
  /** base URL (http, https, file), a mirrorlist URL or a metalink URL */
  url: string;
  /** CA certificate(s) that replace the system trust store for this repository */
  sslCaCert?: string | null;
  /** client certificate for CDN-style repositories (may also hold the key) */
  sslClientCert?: string | null;
  sslClientKey?: string | null;
  /** proxy for this repository only: http://[user:pass@]host:port (a bare host:port means http) */
  proxyUrl?: string | null;
}

export interface FetcherOptions {
  /** proxy for every repository without its own; NO_PROXY applies to it */
  globalProxy?: string | null;
  /** connect, response-headers and body-idle timeout, each (default 30 s) */
  timeoutMs?: number;
  /** retries per mirror after a retryable failure that made no progress (default 3) */
  retries?: number;
  /** first backoff delay; doubles per retry, with jitter, capped at 30 s (default 500 ms) */
  backoffMs?: number;
  /** concurrent connections per upstream host, 1-8 (default 6) */
  connectionsPerHost?: number;
  userAgent?: string;
  /** cancels every request, backoff wait and mirror lookup of this fetcher */
  signal?: AbortSignal;
  /** how long a repository's resolved mirror list is reused (default 1 hour) */
  mirrorTtlMs?: number;
  /** where HTTP(S)_PROXY / NO_PROXY are read from (default process.env) */
  env?: Record<string, string | undefined>;
}

/** What fetchFile produced. */
export interface FetchResult {
  bytes: number;
  sha256: string;
  /** the URL the bytes finally came from */
  url: string;
}
