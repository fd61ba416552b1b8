// The errors of the download layer: FetchError for anything that went wrong reaching or reading
// an upstream, DecompressError for a local metadata file that does not decode or verify.
import { tlsCauseOf } from './tls-alerts.js';

/** What went wrong, so callers can tell "upstream broken" from "we were cancelled" without parsing text. */
export type FetchErrorKind =
  | 'http' // an HTTP status that is not a success
  | 'network' // connection refused/reset/cut, DNS, proxy tunnel failure
  | 'timeout' // connect, response headers or body idle time exceeded
  | 'tls' // certificate verification or a TLS alert (client certificate refused, ...)
  | 'checksum' // the bytes do not hash to the expected checksum
  | 'size' // more or fewer bytes than expected, or over the caller's limit
  | 'not-found' // file:// path missing
  | 'io' // file:// read error
  | 'invalid' // unusable URL, relative path or option
  | 'aborted'; // the fetcher's AbortSignal fired

export class FetchError extends Error {
  override readonly name = 'FetchError';
  /** the server's Retry-After, honoured (within limits) before the next attempt */
  retryAfterMs?: number | undefined;
  constructor(
    message: string,
    readonly kind: FetchErrorKind,
    readonly url: string,
    /** true when trying again later (or on another mirror) may succeed */
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure writing the local copy (disk full, permissions): never a mirror's fault, so never retried. */
export class LocalWriteError extends Error {
  override readonly name = 'LocalWriteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type DecompressErrorKind = 'corrupt' | 'checksum' | 'size' | 'unsupported';

export class DecompressError extends Error {
  override readonly name = 'DecompressError';
  constructor(
    message: string,
    readonly kind: DecompressErrorKind,
    readonly path: string,
    readonly codec: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Statuses worth retrying on the same server: server-side trouble, request timeout, rate limiting. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;
/** Errors that will not change by retrying the same host soon (it will not start resolving or accept us). */
const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'UND_ERR_INVALID_ARG']);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.cause?.code === 'string' ? e.cause.code : '';
}

/** Turns whatever undici or the socket threw into a FetchError with a kind and a retry verdict. */
export function classifyError(err: unknown, url: string): FetchError {
  if (err instanceof FetchError) return err;
  const alert = tlsCauseOf(err);
  if (alert) return tlsError(alert, url);
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const suffix = code && !detail.includes(code) ? ` (${code})` : '';
  if (TIMEOUT_CODES.has(code)) return new FetchError(`${url}: timed out: ${detail}${suffix}`, 'timeout', url, true, undefined, { cause: err });
  if (TLS_CODE.test(code) || /certificate|ssl|tls alert/i.test(detail)) return tlsError(err, url);
  // undici reports a proxy's refusal (407 bad credentials, 403 forbidden port) as a plain error
  const proxyStatus = /Proxy (?:response|Authentication Required) \((\d{3})\)/.exec(detail);
  if (proxyStatus) {
    const status = Number(proxyStatus[1]);
    return new FetchError(`${url}: the proxy refused the request: HTTP ${status}`, 'http', url, retryableStatus(status), status, { cause: err });
  }
  const retryable = !PERMANENT_NETWORK_CODES.has(code);
  return new FetchError(`${url}: ${detail}${suffix}`, 'network', url, retryable, undefined, { cause: err });
}

const CLIENT_CERT_REFUSED = /certificate required|alert bad certificate|alert handshake failure|alert unknown ca|certificate unknown/i;

function tlsError(err: unknown, url: string): FetchError {
  const code = errorCode(err);
  const detail = (err instanceof Error ? err.message : String(err)).trim();
  const hint = CLIENT_CERT_REFUSED.test(detail) ? 'the server refused our TLS client certificate (or its absence): ' : '';
  return new FetchError(`${url}: TLS failure: ${hint}${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, 'tls', url, false, undefined, { cause: err });
}

export function abortedError(url: string, reason: unknown): FetchError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new FetchError(`${url}: download cancelled: ${why}`, 'aborted', url, false, undefined, { cause: reason });
}
