// One undici dispatcher per distinct (TLS material, proxy) pair, shared by every repository
// that has the same pair, so the per-host connection bound holds across repositories.
import { Agent, Pool, ProxyAgent, interceptors, type Dispatcher } from 'undici';
import type { TlsMaterial } from './tls.js';
import { watchTlsAlerts } from './tls-alerts.js';

export interface DispatcherSettings {
  connections: number;
  timeoutMs: number;
}

const MAX_REDIRECTS = 5;

export class DispatcherCache {
  private readonly byKey = new Map<string, Dispatcher>();

  constructor(private readonly settings: DispatcherSettings) {
    watchTlsAlerts();
  }

  get(tls: TlsMaterial, proxy: string | null): Dispatcher {
    const key = JSON.stringify([tls.ca ?? '', tls.cert ?? '', tls.key ?? '', proxy ?? '']);
    let d = this.byKey.get(key);
    if (!d) {
      d = this.create(tls, proxy);
      this.byKey.set(key, d);
    }
    return d;
  }

  private create(tls: TlsMaterial, proxy: string | null): Dispatcher {
    const { connections, timeoutMs } = this.settings;
    const timeouts = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
    const connect = { ...tls, timeout: timeoutMs };
    // Every pool, including the one to the proxy itself, gets the same bound and timeouts
    // (undici's plain-forwarding proxy path would otherwise open an unbounded pool).
    const factory = (origin: string | URL, opts: object): Dispatcher => new Pool(origin, { ...opts, ...timeouts, connections });
    const base = proxy
      ? new ProxyAgent({
          uri: proxy,
          // http:// targets are forwarded as plain proxy requests, as yum and curl do: many proxies
          // allow CONNECT only to port 443.
          proxyTunnel: false,
          requestTls: connect,
          proxyTls: { timeout: timeoutMs },
          factory,
          connections,
          ...timeouts,
        })
      : new Agent({ connections, connect, ...timeouts });
    return base.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  }

  async close(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((d) => d.close()));
  }
}
