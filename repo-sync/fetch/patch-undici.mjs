#!/usr/bin/env node
// Run at install (package.json "prepare"): fixes a crash in undici 7's HTTP/1.1 client. When an
// upstream closes the connection after a response (HTTP/1.0, "Connection: close") while the body
// reader applies backpressure, the parser is paused and `finish()` hits `assert(!this.paused)`
// inside a socket event: an uncaught exception that ends the whole process. undici 8 fixed it,
// but needs Node 22. This resumes the parser and drains what the socket still holds before
// signalling the end, as a paused parser would have done. Idempotent; fails loudly if the code
// it patches is not the one it knows.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARKER = 'skylab: drain a paused parser before EOF';
const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve('undici/package.json')), 'lib', 'dispatcher', 'client-h1.js');
const source = readFileSync(file, 'utf8');

if (source.includes(MARKER)) process.exit(0);

const anchor = /(\n  finish \(\) \{\n    assert\(currentParser === null\)\n    assert\(this\.ptr != null\)\n)    assert\(!this\.paused\)\n\n    const \{ llhttp \} = this\n/;
if (!anchor.test(source)) {
  if (!/assert\(!this\.paused\)\n\n    const \{ llhttp \} = this\n\n    let ret\n\n    try \{\n      currentParser = this\n      ret = llhttp\.llhttp_finish/.test(source)) {
    // A newer undici without the bug: nothing to do.
    process.exit(0);
  }
  console.error(`patch-undici: ${file} is not the undici 7 code this patch knows; refusing to guess`);
  process.exit(1);
}
const fixed = source.replace(
  anchor,
  `$1
    const { llhttp } = this

    // ${MARKER}: resume and feed the bytes the socket still holds
    // (each pass delivers at least one chunk to the body; an empty pass lets a completed
    // message settle), and only then let llhttp see the end of input.
    while (this.paused) {
      llhttp.llhttp_resume(this.ptr)
      this.paused = false
      const data = this.socket.read() || EMPTY_BUF
      this.execute(data)
      if (data.length === 0) break
    }
    if (this.paused) {
      llhttp.llhttp_resume(this.ptr)
      this.paused = false
    }
`,
);
writeFileSync(file, fixed);
console.log(`patch-undici: patched ${file}`);
