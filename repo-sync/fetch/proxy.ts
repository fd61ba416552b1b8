// Which proxy a request goes through: the repository's own, else the global one, else the
// standard HTTPS_PROXY/HTTP_PROXY environment; NO_PROXY exempts hosts from the last two.
import { BlockList, isIP } from 'node:net';

export interface ProxyChoice {
  repoProxy?: string | null;
  globalProxy?: string | null;
  env: Record<string, string | undefined>;
}

/** Spacewalk stores proxies as host:port; undici wants a URL. */
export function normaliseProxyUrl(proxy: string): string {
  const p = proxy.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : `http://${p}`;
}

function envVar(env: Record<string, string | undefined>, name: string): string | undefined {
  // lowercase first, as curl does (and libcurl ignores uppercase HTTP_PROXY for CGI safety)
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

/** The proxy URL for a request to `target`, or null for a direct connection. */
export function proxyFor(target: URL, choice: ProxyChoice): string | null {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return null;
  if (choice.repoProxy?.trim()) return normaliseProxyUrl(choice.repoProxy);
  const configured = choice.globalProxy?.trim()
    || envVar(choice.env, target.protocol === 'https:' ? 'https_proxy' : 'http_proxy')
    || envVar(choice.env, 'all_proxy');
  if (!configured) return null;
  if (noProxyMatches(target, envVar(choice.env, 'no_proxy') ?? '')) return null;
  return normaliseProxyUrl(configured);
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/**
 * curl's NO_PROXY rules: comma- or space-separated entries; `*` matches everything; a name matches
 * itself and its subdomains (a leading dot is optional); an IP matches exactly, CIDR blocks match
 * addresses inside; `:port` restricts an entry to that port.
 */
export function noProxyMatches(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const { name, port } = splitPort(entry);
    if (port && port !== defaultPort(target)) continue;
    if (entryMatches(host, name)) return true;
  }
  return false;
}

function splitPort(entry: string): { name: string; port: string | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, port: bracketed[2] ?? null };
  const m = /^([^:]+):(\d+)$/.exec(entry); // one colon: host:port; several: a bare IPv6 address
  return m ? { name: m[1]!, port: m[2]! } : { name: entry, port: null };
}

function entryMatches(host: string, name: string): boolean {
  const slash = name.indexOf('/');
  if (slash > 0 && isIP(host)) return inCidr(host, name.slice(0, slash), Number(name.slice(slash + 1)));
  if (isIP(host) || isIP(name)) return host === name;
  const bare = name.replace(/^\*?\./, '');
  return host === bare || host.endsWith(`.${bare}`);
}

function inCidr(host: string, network: string, prefix: number): boolean {
  const family = isIP(network);
  if (!family || family !== isIP(host) || !Number.isInteger(prefix)) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  try {
    list.addSubnet(network, prefix, type);
  } catch {
    return false;
  }
  return list.check(host, type);
}
