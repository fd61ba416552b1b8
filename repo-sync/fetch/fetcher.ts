// The download layer of repository sync: mirror resolution, then per file a loop over mirrors,
// each with retries, exponential backoff and Range resume, verified while the bytes stream.
import { setTimeout as sleep } from 'node:timers/promises';
import { expectationProblem, type Expectation } from './checksum.js';
import { DispatcherCache } from './dispatchers.js';
import { FetchError, abortedError } from './errors.js';
import { discoverMirrors, initialMirrors, type MirrorState } from './discovery.js';
import { asBaseUrl } from './mirrors.js';
import { proxyFor } from './proxy.js';
import { BufferSink, FileSink, type Sink } from './sinks.js';
import { loadTls, type TlsMaterial } from './tls.js';
import { fileAttempt, httpAttempt, type ResumePolicy } from './transfer.js';
import type { FetcherOptions, FetchResult, RepoAccess } from './types.js';
import { joinUrl, parseRepoUrl } from './urls.js';

const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;
const REPOMD = 'repodata/repomd.xml';

interface Settings {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  connections: number;
  userAgent: string;
  globalProxy: string | null;
  env: Record<string, string | undefined>;
  mirrorTtlMs: number;
}

function settingsFrom(o: FetcherOptions): Settings {
  const connections = o.connectionsPerHost ?? 6;
  if (!Number.isInteger(connections) || connections < 1 || connections > 8) {
    throw new RangeError(`connectionsPerHost must be 1-8, got ${connections}`);
  }
  return {
    timeoutMs: o.timeoutMs ?? 30_000,
    retries: o.retries ?? 3,
    backoffMs: o.backoffMs ?? 500,
    connections,
    userAgent: o.userAgent ?? 'Skylab-reposync/0.1',
    globalProxy: o.globalProxy ?? null,
    env: o.env ?? process.env,
    mirrorTtlMs: o.mirrorTtlMs ?? 3_600_000,
  };
}

const accessKey = (a: RepoAccess): string => JSON.stringify([a.url, a.sslCaCert ?? '', a.sslClientCert ?? '', a.sslClientKey ?? '', a.proxyUrl ?? '']);

export class Fetcher {
  private readonly s: Settings;
  private readonly signal: AbortSignal;
  private readonly dispatchers: DispatcherCache;
  private readonly tlsByAccess = new Map<string, Promise<TlsMaterial>>();
  private readonly mirrorsByAccess = new Map<string, { state: Promise<MirrorState>; at: number }>();

  constructor(options: FetcherOptions = {}) {
    this.s = settingsFrom(options);
    this.signal = options.signal ?? new AbortController().signal;
    this.dispatchers = new DispatcherCache({ connections: this.s.connections, timeoutMs: this.s.timeoutMs });
  }

  /** Base URLs (ending in "/") to fetch from, best first: the mirrors of a mirrorlist or metalink, else the URL itself (cached for mirrorTtlMs). */
  async resolveMirrors(access: RepoAccess): Promise<string[]> {
    const state = await this.mirrorState(access);
    return [...(state.tentative ? await this.rediscover(access) : state).mirrors];
  }

  /**
   * Downloads relPath (relative to the repository base) to dest, through a temp file renamed on
   * success; nothing is left at dest (or beside it) on failure. repodata/repomd.xml from a
   * metalink repository is checked against the metalink's hash when no expectation is given.
   */
  async fetchFile(access: RepoAccess, relPath: string, dest: string, expect: Expectation = {}, onBytes?: (n: number) => void): Promise<FetchResult> {
    return this.withMirrors(access, async (state) => {
      const sink = await FileSink.create(dest, this.expectation(state, relPath, expect), onBytes);
      try {
        const got = await this.download(access, state, relPath, sink);
        await sink.commit();
        return got;
      } catch (e) {
        await sink.discard();
        throw e;
      }
    });
  }

  /** A small file (repomd.xml) in memory; more than maxBytes is an error. */
  async fetchBuffer(access: RepoAccess, relPath: string, maxBytes: number, expect: Expectation = {}): Promise<{ body: Buffer; url: string; sha256: string }> {
    return this.withMirrors(access, async (state) => {
      const sink = new BufferSink(maxBytes, this.expectation(state, relPath, expect));
      const got = await this.download(access, state, relPath, sink);
      return { body: sink.body(), url: got.url, sha256: got.sha256 };
    });
  }

  /**
   * Runs a download against the repository's mirrors. A URL taken as the base URL without
   * reading it that then fails is read as a mirror document after all, and the download tried
   * again on the mirrors it names.
   */
  private async withMirrors<T>(access: RepoAccess, run: (state: MirrorState) => Promise<T>): Promise<T> {
    const state = await this.mirrorState(access);
    try {
      const result = await run(state);
      state.tentative = false;
      return result;
    } catch (e) {
      // only "nothing there" (not a refused proxy, a TLS failure or an unreachable host)
      const notThere = e instanceof FetchError && (e.kind === 'not-found' || (e.kind === 'http' && e.status !== 407 && (e.status ?? 0) < 500));
      if (!state.tentative || !notThere) throw e;
      const found = await this.rediscover(access);
      if (found.tentative) throw e;
      return run(found);
    }
  }

  /** Reads the repository URL as a mirror document (after its use as a base URL failed). */
  private async rediscover(access: RepoAccess): Promise<MirrorState> {
    const state = await discoverMirrors(access.url, (url, maxBytes) => this.probe(access, url, maxBytes));
    if (state.mirrors.length === 1 && state.mirrors[0] === asBaseUrl(parseRepoUrl(access.url).href) && !state.repomd) return { ...state, tentative: true };
    this.mirrorsByAccess.set(accessKey(access), { state: Promise.resolve(state), at: Date.now() });
    return state;
  }

  /** Waits for requests in flight, then releases every connection. */
  async close(): Promise<void> {
    await this.dispatchers.close();
  }

  private expectation(state: MirrorState, relPath: string, expect: Expectation): Expectation {
    const problem = expectationProblem(expect);
    if (problem) throw new FetchError(`${relPath}: ${problem}`, 'invalid', relPath, false);
    const none = !expect.checksum && expect.size == null;
    return none && relPath === REPOMD && state.repomd ? state.repomd : expect;
  }

  /** A long-lived fetcher (on-demand package downloads) reads a mirror document again after mirrorTtlMs. */
  private mirrorState(access: RepoAccess): Promise<MirrorState> {
    const key = accessKey(access);
    const cached = this.mirrorsByAccess.get(key);
    if (cached && Date.now() - cached.at < this.s.mirrorTtlMs) return cached.state;
    const state = initialMirrors(access.url, (url, maxBytes) => this.probe(access, url, maxBytes));
    this.mirrorsByAccess.set(key, { state, at: Date.now() });
    state.catch(() => this.mirrorsByAccess.delete(key));
    return state;
  }

  /** The body at an absolute URL (for mirror discovery), with the usual retries. */
  private async probe(access: RepoAccess, url: URL, maxBytes: number): Promise<Buffer> {
    const sink = new BufferSink(maxBytes);
    await this.fromMirror(access, url, sink);
    return sink.body();
  }

  /** Tries each mirror in turn (the last good one first); the error says why each failed. */
  private async download(access: RepoAccess, state: MirrorState, relPath: string, sink: Sink): Promise<FetchResult> {
    const failures: FetchError[] = [];
    const n = state.mirrors.length;
    for (let k = 0; k < n; k++) {
      const index = (state.preferred + k) % n;
      const url = joinUrl(state.mirrors[index]!, relPath);
      // another mirror's partial bytes are only trusted when a checksum will vouch for the whole
      if (sink.offset > 0 && !sink.checksummed) await sink.reset();
      try {
        const sha256 = await this.fromMirror(access, url, sink);
        state.preferred = index;
        return { bytes: sink.offset, sha256, url: url.href };
      } catch (e) {
        if (!(e instanceof FetchError) || e.kind === 'aborted' || e.kind === 'invalid') throw e;
        failures.push(e);
      }
    }
    throw allFailed(relPath, failures);
  }

  /** One mirror: retries retryable failures that made no progress, resumes the ones that did. */
  private async fromMirror(access: RepoAccess, url: URL, sink: Sink): Promise<string> {
    const resume: ResumePolicy = { allowed: false, ifRange: null };
    let failures = 0;
    let stitched = false;
    let cleanRetryUsed = false;
    for (;;) {
      if (this.signal.aborted) throw abortedError(url.href, this.signal.reason);
      const before = sink.offset;
      resume.allowed = sink.checksummed || resume.ifRange != null;
      if (before > 0 && resume.allowed) stitched = true;
      try {
        await this.attempt(access, url, sink, resume);
      } catch (e) {
        if (!(e instanceof FetchError) || !e.retryable) throw e;
        failures = sink.offset > before ? 0 : failures + 1;
        if (failures > this.s.retries) throw e;
        await this.pause(failures, e, url);
        continue;
      }
      const { sha256, problem } = sink.verify();
      if (!problem) return sha256;
      await sink.reset();
      // bytes stitched from several responses may mix two versions of the file: one clean try
      if (stitched && !cleanRetryUsed) {
        cleanRetryUsed = true;
        stitched = false;
        continue;
      }
      throw new FetchError(`${url.href}: ${problem.message}`, problem.kind, url.href, false);
    }
  }

  private async attempt(access: RepoAccess, url: URL, sink: Sink, resume: ResumePolicy): Promise<void> {
    if (url.protocol === 'file:') return fileAttempt(url, sink, this.signal);
    const proxy = proxyFor(url, { repoProxy: access.proxyUrl, globalProxy: this.s.globalProxy, env: this.s.env });
    const dispatcher = this.dispatchers.get(await this.tls(access), proxy);
    await httpAttempt(url, sink, { dispatcher, userAgent: this.s.userAgent, signal: this.signal }, resume);
  }

  private tls(access: RepoAccess): Promise<TlsMaterial> {
    const key = accessKey(access);
    let p = this.tlsByAccess.get(key);
    if (!p) {
      p = loadTls(access).catch((e: Error) => {
        this.tlsByAccess.delete(key);
        throw new FetchError(`${access.url}: ${e.message}`, 'invalid', access.url, false, undefined, { cause: e });
      });
      this.tlsByAccess.set(key, p);
    }
    return p;
  }

  /** Exponential backoff with jitter; a server's Retry-After stretches it (up to a minute). */
  private async pause(failures: number, err: FetchError, url: URL): Promise<void> {
    const base = Math.min(MAX_BACKOFF_MS, this.s.backoffMs * 2 ** (failures - 1));
    let ms = base * (0.75 + Math.random() * 0.5);
    if (err.retryAfterMs !== undefined) ms = Math.max(ms, Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS));
    try {
      await sleep(ms, undefined, { signal: this.signal });
    } catch {
      throw abortedError(url.href, this.signal.reason);
    }
  }
}

function allFailed(relPath: string, failures: FetchError[]): FetchError {
  if (failures.length === 1) return failures[0]!;
  const last = failures[failures.length - 1]!;
  const detail = failures.map((f) => f.message).join('; ');
  return new FetchError(`${relPath}: all ${failures.length} mirrors failed: ${detail}`, last.kind, last.url, failures.some((f) => f.retryable), last.status, {
    cause: new AggregateError(failures),
  });
}
