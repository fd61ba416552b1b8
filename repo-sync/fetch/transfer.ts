// One attempt at moving a file's bytes into a sink: an HTTP GET (continuing with Range when
// allowed) or a read from a file:// path. Retries and mirror choice belong to the fetcher.
import { createReadStream } from 'node:fs';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { FetchError, LocalWriteError, abortedError, classifyError, retryableStatus } from './errors.js';
import { OverLimit, type Sink } from './sinks.js';

export interface AttemptContext {
  dispatcher: Dispatcher;
  userAgent: string;
  signal: AbortSignal;
}

/** How a cut transfer may continue: `ifRange` guards against the file changing in between. */
export interface ResumePolicy {
  allowed: boolean;
  ifRange?: string | null;
}

const READ_CHUNK = 256 * 1024;

/** Streams the response into the sink; a full (200) response's strong validator goes into `resume.ifRange` for the next Range request. */
export async function httpAttempt(url: URL, sink: Sink, ctx: AttemptContext, resume: ResumePolicy): Promise<void> {
  const href = url.href;
  const offset = sink.resumable && resume.allowed ? sink.offset : 0;
  if (offset === 0 && sink.offset > 0) await sink.reset();
  const headers: Record<string, string> = { 'user-agent': ctx.userAgent, accept: '*/*' };
  if (offset > 0) {
    headers['range'] = `bytes=${offset}-`;
    if (resume.ifRange) headers['if-range'] = resume.ifRange;
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await ctx.dispatcher.request({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers, signal: ctx.signal });
  } catch (e) {
    throw ctx.signal.aborted ? abortedError(href, ctx.signal.reason) : classifyError(e, href);
  }
  if (res.statusCode === 200) resume.ifRange = strongValidator(res.headers);
  if (await startBody(res, sink, offset, href)) await pump(res.body, sink, href, ctx.signal);
}

/** Checks the status against what was asked; false when there is no body to read (already complete). */
async function startBody(res: Dispatcher.ResponseData, sink: Sink, offset: number, href: string): Promise<boolean> {
  const status = res.statusCode;
  if (status === 200) {
    if (sink.offset > 0) await sink.reset(); // Range ignored (or If-Range failed): the whole file again
    return true;
  }
  const range = contentRange(res.headers['content-range']);
  if (status === 206 && range?.start === offset) return true;
  await res.body.dump().catch(() => {});
  if (status === 416 && range?.total === offset && offset > 0) return false;
  if (status === 206 || status === 416) {
    await sink.reset();
    throw new FetchError(`${href}: server answered Range bytes=${offset}- with ${status} ${res.headers['content-range'] ?? ''}; restarting`, 'http', href, true, status);
  }
  const err = new FetchError(`${href}: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd(), 'http', href, retryableStatus(status), status);
  err.retryAfterMs = retryAfter(res.headers['retry-after']);
  throw err;
}

async function pump(body: AsyncIterable<Uint8Array>, sink: Sink, href: string, signal: AbortSignal): Promise<void> {
  try {
    for await (const chunk of body) await sink.write(chunk);
  } catch (e) {
    if (e instanceof OverLimit) throw new FetchError(`${href}: body is ${e.message}`, 'size', href, false, undefined, { cause: e });
    if (e instanceof LocalWriteError) throw e;
    throw signal.aborted ? abortedError(href, signal.reason) : classifyError(e, href);
  }
}

/** Reads a file:// URL into the sink (always from the start: a local read has nothing to resume). */
export async function fileAttempt(url: URL, sink: Sink, signal: AbortSignal): Promise<void> {
  const href = url.href;
  if (sink.offset > 0) await sink.reset();
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (e) {
    throw new FetchError(`${href}: ${(e as Error).message}`, 'invalid', href, false, undefined, { cause: e });
  }
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK, signal })) await sink.write(chunk as Buffer);
  } catch (e) {
    if (e instanceof OverLimit) throw new FetchError(`${href}: file is ${e.message}`, 'size', href, false, undefined, { cause: e });
    if (e instanceof LocalWriteError) throw e;
    if (signal.aborted) throw abortedError(href, signal.reason);
    const code = (e as { code?: string }).code;
    const kind = code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? 'not-found' : 'io';
    throw new FetchError(`${href}: ${(e as Error).message}`, kind, href, false, undefined, { cause: e });
  }
}

function strongValidator(headers: IncomingHttpHeaders): string | null {
  const etag = headers['etag'];
  if (typeof etag === 'string' && !etag.startsWith('W/')) return etag;
  const lm = headers['last-modified'];
  return typeof lm === 'string' ? lm : null;
}

function contentRange(value: string | string[] | undefined): { start: number | null; total: number | null } | null {
  const m = typeof value === 'string' ? /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!m) return null;
  return { start: m[1] !== undefined ? Number(m[1]) : null, total: m[2] !== '*' ? Number(m[2]) : null };
}

/** Retry-After in milliseconds (seconds or an HTTP date), when the server sent one. */
function retryAfter(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
