// The small policies of the download layer: reading mirrorlists and metalinks (3.0 as
// MirrorManager writes it, 4.0 per RFC 5854), curl's NO_PROXY rules and proxy precedence, and
// joining repository paths without leaving the repository.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noProxyMatches, parseMetalink, parseMirrorlist, proxyFor } from '../../repo-sync/fetch/index.js';
import { joinUrl } from '../../repo-sync/fetch/urls.js';
import { scratchDir, writeMetalink, writeMirrorlist } from '../support/upstream.js';

const work = scratchDir('skylab-rules-');

t.test('mirrorlist: URLs kept in order with a trailing slash; comments, blanks and other schemes dropped', async (t) => {
  const bases = ['http://a.example/centos/7/os/x86_64/', 'https://b.example/centos/7/os/x86_64', 'file:///srv/mirror/os'];
  const text = writeMirrorlist(join(work, 'ml'), bases);
  t.same(parseMirrorlist(text), ['http://a.example/centos/7/os/x86_64/', 'https://b.example/centos/7/os/x86_64/', 'file:///srv/mirror/os/']);
  const messy = `# comment\r\n\r\n  http://a.example/x/  \r\nftp://old.example/x/\r\nrsync://r.example/x/\r\n<html>\r\nhttp://a.example/x/\r\n`;
  t.same(parseMirrorlist(messy), ['http://a.example/x/'], 'CRLF, whitespace, duplicates, ftp and rsync');
});

t.test('metalink 3.0: preference order, repomd.xml size and hashes', async (t) => {
  const repomd = join(work, 'repomd.xml');
  writeFileSync(repomd, '<repomd/>\n');
  const bases = ['https://m1.example/epel/9/x86_64/', 'http://m2.example/mirror&co/epel/9/x86_64/', 'https://m3.example/epel/9/x86_64/'];
  const doc = parseMetalink(writeMetalink(join(work, 'metalink'), bases, repomd));
  t.same(doc.mirrors, bases, 'the falling preference kept, &amp; decoded');
  t.equal(doc.repomd?.size, 10);
  t.same(Object.keys(doc.repomd?.hashes ?? {}).sort(), ['md5', 'sha1', 'sha256', 'sha512']);
  const reordered = parseMetalink(`<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files><file name="repomd.xml">
    <resources><url preference="10">http://low.example/r/repodata/repomd.xml</url><url preference="90">http://high.example/r/repodata/repomd.xml</url><url preference="95">http://iso.example/r/boot.iso</url></resources>
  </file></files></metalink>`);
  t.same(reordered.mirrors, ['http://high.example/r/', 'http://low.example/r/'], 'by preference; a URL that is not a repomd.xml dropped');
});

t.test('metalink 4.0 (RFC 5854): priority 1 first, sha-256 hashes', async (t) => {
  const doc = parseMetalink(`<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink">
  <file name="repomd.xml">
    <size>4242</size>
    <hash type="sha-256">ABCDEF</hash>
    <url location="de" priority="2">https://two.example/repo/repodata/repomd.xml</url>
    <url location="us" priority="1">https://one.example/repo/repodata/repomd.xml</url>
  </file>
</metalink>`);
  t.same(doc.mirrors, ['https://one.example/repo/', 'https://two.example/repo/']);
  t.same(doc.repomd, { size: 4242, hashes: { sha256: 'abcdef' } });
  t.throws(() => parseMetalink('<!DOCTYPE x [<!ENTITY a "b">]><metalink/>'), /DOCTYPE/, 'no DOCTYPE (no entity games)');
});

t.test('NO_PROXY as curl reads it', async (t) => {
  const cases: [string, string, boolean][] = [
    ['http://mirror.example.com/x', 'example.com', true],
    ['http://mirror.example.com/x', '.example.com', true],
    ['http://example.com/x', '.example.com', true],
    ['http://badexample.com/x', 'example.com', false],
    ['http://mirror.example.com/x', 'mirror.example.com:80', true],
    ['http://mirror.example.com:8080/x', 'mirror.example.com:80', false],
    ['https://mirror.example.com/x', 'mirror.example.com:443', true],
    ['http://10.1.2.3/x', '10.0.0.0/8', true],
    ['http://11.1.2.3/x', '10.0.0.0/8', false],
    ['http://10.1.2.3/x', '10.1.2.3', true],
    ['http://[::1]:8080/x', '::1', true],
    ['http://[::1]:8080/x', '[::1]:8080', true],
    ['http://anything/x', '*', true],
    ['http://anything/x', '', false],
    ['http://b.example/x', 'a.example, b.example', true],
    ['http://b.example/x', 'a.example b.example', true],
  ];
  for (const [url, noProxy, want] of cases) t.equal(noProxyMatches(new URL(url), noProxy), want, `${url} with NO_PROXY="${noProxy}"`);
});

t.test('which proxy: repository, then global, then the environment; file:// never', async (t) => {
  const u = new URL('https://cdn.example/repo/');
  const env = { HTTPS_PROXY: 'http://env:3128', http_proxy: 'http://envhttp:3128', NO_PROXY: 'cdn.example' };
  t.equal(proxyFor(u, { repoProxy: 'repo:8080', globalProxy: 'http://global:3128', env }), 'http://repo:8080', 'repository proxy, bare host:port');
  t.equal(proxyFor(u, { globalProxy: 'http://global:3128', env: {} }), 'http://global:3128');
  t.equal(proxyFor(u, { globalProxy: 'http://global:3128', env }), null, 'NO_PROXY exempts from the global proxy');
  t.equal(proxyFor(u, { env: { HTTPS_PROXY: 'http://env:3128' } }), 'http://env:3128');
  t.equal(proxyFor(new URL('http://x.example/'), { env }), 'http://envhttp:3128', 'http targets read http_proxy');
  t.equal(proxyFor(u, { env: { http_proxy: 'http://envhttp:3128' } }), null, 'https targets do not read http_proxy');
  t.equal(proxyFor(new URL('file:///srv/repo/'), { repoProxy: 'http://repo:8080', env }), null);
});

t.test('joining repository paths', async (t) => {
  t.equal(joinUrl('http://m.example/os', 'repodata/repomd.xml').href, 'http://m.example/os/repodata/repomd.xml');
  t.equal(joinUrl('http://m.example/os/', 'Packages/l/libstdc++-11.rpm').href, 'http://m.example/os/Packages/l/libstdc++-11.rpm', '+ stays');
  t.equal(joinUrl('http://m.example/os/', 'Packages/a#b?c d%.rpm').pathname, '/os/Packages/a%23b%3Fc%20d%25.rpm', '# ? space and stray % escaped');
  t.equal(joinUrl('http://m.example/os/', 'Packages/a%2Bb.rpm').pathname, '/os/Packages/a%2Bb.rpm', 'existing escapes kept');
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'https://evil.example/x', 'a/%2e%2e/%2E%2E/x', 'a\\..\\x']) {
    t.throws(() => joinUrl('http://m.example/os/', bad), { name: 'FetchError', kind: 'invalid' }, bad);
  }
});
