// The XML-RPC documents the client protocol carries inside strings: the systemid (a `<params>`
// document) and action payloads (a `<methodCall>`), written as Python's xmlrpclib.dumps writes
// them, and a strict reader for `<params>` documents coming back from clients.
import { SaxesParser } from 'saxes';

/** What the writer takes: strings, int32 integers, booleans, arrays and plain-object structs. */
export type EmbeddedValue = string | number | boolean | readonly EmbeddedValue[] | { readonly [key: string]: EmbeddedValue };

/** What the reader gives back (structs are prototype-less records). */
export type ReadValue = string | number | boolean | ReadValue[] | { [key: string]: ReadValue };

export class EmbeddedXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedXmlError';
  }
}

// Python writes &, < and > escaped and everything else raw. Characters XML 1.0 cannot carry would
// make the client's expat refuse the whole document, so they are dropped; a CR is kept as a
// reference because a raw one reads back as LF.
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Drops the characters an XML 1.0 document cannot carry. */
export function xmlSafe(s: string): string {
  return s.replace(INVALID_XML, '');
}

function escape(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function dump(v: EmbeddedValue, out: string[]): void {
  if (typeof v === 'string') {
    out.push('<value><string>', escape(v), '</string></value>\n');
  } else if (typeof v === 'number') {
    if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) throw new EmbeddedXmlError(`int exceeds XML-RPC limits: ${v}`);
    out.push('<value><int>', String(v), '</int></value>\n');
  } else if (typeof v === 'boolean') {
    out.push('<value><boolean>', v ? '1' : '0', '</boolean></value>\n');
  } else if (Array.isArray(v)) {
    out.push('<value><array><data>\n');
    for (const item of v) dump(item, out);
    out.push('</data></array></value>\n');
  } else if (v !== null && typeof v === 'object') {
    out.push('<value><struct>\n');
    for (const [k, member] of Object.entries(v)) {
      out.push('<member>\n', '<name>', escape(k), '</name>\n');
      dump(member, out);
      out.push('</member>\n');
    }
    out.push('</struct></value>\n');
  } else {
    throw new EmbeddedXmlError(`cannot marshal ${v === null ? 'null' : typeof v}`);
  }
}

/** xmlrpclib.dumps(params): a `<params>` block with no XML declaration. */
export function dumpParams(params: readonly EmbeddedValue[]): string {
  const out: string[] = ['<params>\n'];
  for (const p of params) {
    out.push('<param>\n');
    dump(p, out);
    out.push('</param>\n');
  }
  out.push('</params>\n');
  return out.join('');
}

/** xmlrpclib.dumps(params, methodname=name): a complete `<methodCall>` document. */
export function dumpMethodCall(methodName: string, params: readonly EmbeddedValue[]): string {
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${escape(methodName)}</methodName>\n${dumpParams(params)}</methodCall>\n`;
}

// ---- reader ----

const MAX_TEXT = 256 * 1024;
const MAX_DEPTH = 16;
const MAX_VALUES = 10_000;
const SCALAR_TAGS = new Set(['string', 'int', 'i4', 'boolean', 'double']);
const INT = /^[+-]?\d+$/;
const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

type Frame =
  | { tag: 'root' | 'params' | 'data' }
  | { tag: 'param'; seen: boolean }
  | { tag: 'value'; text: string; result?: ReadValue }
  | { tag: 'scalar'; name: string; text: string }
  | { tag: 'struct'; obj: { [key: string]: ReadValue } }
  | { tag: 'member'; name?: string; value?: ReadValue; nameText: string; inName: boolean }
  | { tag: 'array'; items: ReadValue[] };

const CHILDREN: Record<string, readonly string[]> = {
  root: ['params'],
  params: ['param'],
  param: ['value'],
  value: [...SCALAR_TAGS, 'struct', 'array'],
  struct: ['member'],
  member: ['name', 'value'],
  array: ['data'],
  data: ['value'],
};

function scalar(name: string, raw: string): ReadValue {
  const t = raw.trim();
  switch (name) {
    case 'string':
      return raw;
    case 'int':
    case 'i4':
      if (!INT.test(t) || Number(t) > 2147483647 || Number(t) < -2147483648) throw new EmbeddedXmlError(`bad <${name}>`);
      return Number(t);
    case 'boolean':
      if (t !== '0' && t !== '1') throw new EmbeddedXmlError('bad <boolean>');
      return t === '1';
    default:
      if (!DOUBLE.test(t)) throw new EmbeddedXmlError('bad <double>');
      return Number(t);
  }
}

type ValueFrame = Extract<Frame, { tag: 'value' }>;

/** Builds the values from saxes events, one frame per open element. */
class ParamsReader {
  readonly params: ReadValue[] = [];
  sawRoot = false;
  private readonly stack: Frame[] = [{ tag: 'root' }];
  private depth = 0;
  private values = 0;

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  open(name: string): void {
    const parent = this.top();
    if (parent.tag === 'member' && name === 'name') {
      if (parent.name !== undefined || parent.inName) throw new EmbeddedXmlError('<member> holds more than one <name>');
      parent.inName = true;
      return;
    }
    const allowed = parent.tag === 'scalar' ? [] : CHILDREN[parent.tag]!;
    if (!allowed.includes(name) || (parent.tag === 'member' && parent.inName)) throw new EmbeddedXmlError(`unexpected <${name.slice(0, 40)}>`);
    if (parent.tag === 'root') {
      if (this.sawRoot) throw new EmbeddedXmlError('more than one root element');
      this.sawRoot = true;
    }
    if (parent.tag === 'value' && (parent.result !== undefined || parent.text.trim() !== '')) throw new EmbeddedXmlError('a <value> holds one value');
    if (parent.tag === 'param') {
      if (parent.seen) throw new EmbeddedXmlError('a <param> holds one <value>');
      parent.seen = true;
    }
    this.stack.push(this.frameFor(name));
  }

  private frameFor(name: string): Frame {
    if (name === 'value') {
      if (++this.depth > MAX_DEPTH || ++this.values > MAX_VALUES) throw new EmbeddedXmlError('document too deep or too large');
      return { tag: 'value', text: '' };
    }
    if (SCALAR_TAGS.has(name)) return { tag: 'scalar', name, text: '' };
    if (name === 'struct') return { tag: 'struct', obj: Object.create(null) as { [key: string]: ReadValue } };
    if (name === 'array') return { tag: 'array', items: [] };
    if (name === 'member') return { tag: 'member', nameText: '', inName: false };
    if (name === 'param') return { tag: 'param', seen: false };
    return { tag: name as 'params' };
  }

  text(t: string): void {
    const f = this.top();
    if (f.tag === 'value') {
      if (f.result !== undefined && t.trim() !== '') throw new EmbeddedXmlError('text mixed with a value');
      f.text += t;
    } else if (f.tag === 'scalar') f.text += t;
    else if (f.tag === 'member' && f.inName) f.nameText += t;
    else if (t.trim() !== '') throw new EmbeddedXmlError(`unexpected text in <${f.tag}>`);
  }

  close(name: string): void {
    const f = this.top();
    if (f.tag === 'member' && f.inName && name === 'name') {
      f.inName = false;
      f.name = f.nameText;
      return;
    }
    this.stack.pop();
    const parent = this.top();
    if (f.tag === 'scalar') (parent as ValueFrame).result = scalar(f.name, f.text);
    else if (f.tag === 'struct') (parent as ValueFrame).result = f.obj;
    else if (f.tag === 'array') (parent as ValueFrame).result = f.items;
    else if (f.tag === 'member') {
      if (f.name === undefined || f.value === undefined) throw new EmbeddedXmlError('<member> needs a <name> and a <value>');
      (parent as Extract<Frame, { tag: 'struct' }>).obj[f.name] = f.value;
    } else if (f.tag === 'param') {
      if (!f.seen) throw new EmbeddedXmlError('<param> needs a <value>');
    } else if (f.tag === 'value') {
      this.depth--;
      this.closeValue(f.result ?? f.text, parent);
    }
  }

  private closeValue(v: ReadValue, parent: Frame): void {
    if (parent.tag === 'param') this.params.push(v);
    else if (parent.tag === 'data') (this.stack[this.stack.length - 2] as Extract<Frame, { tag: 'array' }>).items.push(v);
    else if (parent.tag === 'member') {
      if (parent.value !== undefined) throw new EmbeddedXmlError('<member> holds more than one <value>');
      parent.value = v;
    }
  }
}

/** The values of a `<params>` document (the systemid form); throws EmbeddedXmlError on anything else. */
export function loadParams(text: string): ReadValue[] {
  if (text.length > MAX_TEXT) throw new EmbeddedXmlError('document too large');
  const reader = new ParamsReader();
  const parser = new SaxesParser({ xmlns: false });
  parser.on('doctype', () => {
    throw new EmbeddedXmlError('DOCTYPE is not allowed');
  });
  parser.on('processinginstruction', () => {
    throw new EmbeddedXmlError('processing instructions are not allowed');
  });
  parser.on('opentag', (node) => reader.open(node.name));
  parser.on('text', (t) => reader.text(t));
  parser.on('cdata', (t) => reader.text(t));
  parser.on('closetag', (node) => reader.close(node.name));
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof EmbeddedXmlError) throw err;
    throw new EmbeddedXmlError('malformed XML');
  }
  if (!reader.sawRoot) throw new EmbeddedXmlError('empty document');
  return reader.params;
}
