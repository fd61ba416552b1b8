// How Python 2 prints decoded XML-RPC values with str() and repr(): Spacewalk builds some stored
// messages that way (queue.submit's "Missing-Packages: [...]", "<message> [<result>]").

function reprString(s: string): string {
  const ascii = !/[^\x00-\x7f]/.test(s);
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c > 0xff && c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c > 0xffff) out += `\\U${c.toString(16).padStart(8, '0')}`;
    else if (c >= 0x80) out += `\\x${c.toString(16)}`;
    else out += ch;
  }
  // xmlrpclib hands back non-ASCII text as unicode, which Python 2 shows with a u prefix
  return `${ascii ? '' : 'u'}${quote}${out}${quote}`;
}

/** repr(value) for a decoded XML-RPC value. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return reprString(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Date) return `<DateTime '${v.toISOString().slice(0, 19).replace(/[-]/g, '')}'>`;
  if (Buffer.isBuffer(v)) return '<xmlrpclib.Binary instance>';
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${reprString(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** str(value): text as it is, everything else as repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** type(value) as Python 2 names it, for fault texts. */
export function pyTypeName(v: unknown): string {
  if (typeof v === 'string') return /[^\x00-\x7f]/.test(v) ? "<type 'unicode'>" : "<type 'str'>";
  if (typeof v === 'boolean') return "<type 'bool'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<type 'int'>" : "<type 'float'>";
  if (Array.isArray(v)) return "<type 'list'>";
  if (v instanceof Date) return '<type \'instance\'>';
  if (v === null || v === undefined) return "<type 'NoneType'>";
  return "<type 'dict'>";
}
