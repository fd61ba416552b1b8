// Strict XML-RPC decoder on saxes: methodCall and methodResponse documents into typed values.
// Refuses DOCTYPE (no entity expansion), bounds nesting and value counts, rejects bad scalars.
import { SaxesParser } from 'saxes';
import { parseXmlRpcDate, Zone } from './zone.js';
import {
  type MethodCall,
  type Param,
  type WireType,
  type XmlRpcStruct,
  type XmlRpcValue,
  XmlDecodeError,
  XmlRpcFault,
} from './types.js';

export interface DecodeLimits {
  maxDepth: number;
  maxValues: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxDepth: 64, maxValues: 2_000_000 };

const SCALARS: Record<string, WireType> = {
  string: 'string',
  int: 'int',
  i4: 'int',
  i8: 'i8',
  boolean: 'boolean',
  double: 'double',
  'dateTime.iso8601': 'dateTime',
  base64: 'base64',
  nil: 'nil',
  'ex:nil': 'nil',
};

type Frame =
  | { tag: 'root' }
  | { tag: 'methodCall' | 'methodResponse' | 'params' | 'param' | 'fault' | 'data' }
  | { tag: 'methodName' }
  | { tag: 'value'; text: string; result?: Param }
  | { tag: 'scalar'; name: string; type: WireType }
  | { tag: 'struct'; obj: XmlRpcStruct }
  | { tag: 'member'; name?: string; value?: Param }
  | { tag: 'name' }
  | { tag: 'array'; items: XmlRpcValue[] };

// Which element may appear inside which: anything else is a malformed document.
const ALLOWED: Record<string, readonly string[]> = {
  root: ['methodCall', 'methodResponse'],
  methodCall: ['methodName', 'params'],
  methodResponse: ['params', 'fault'],
  params: ['param'],
  param: ['value'],
  fault: ['value'],
  value: [...Object.keys(SCALARS), 'struct', 'array'],
  struct: ['member'],
  member: ['name', 'value'],
  array: ['data'],
  data: ['value'],
  scalar: [],
  name: [],
  methodName: [],
};

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64_RE = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function scalarValue(zone: Zone, type: WireType, raw: string): XmlRpcValue {
  switch (type) {
    case 'string':
      return raw;
    case 'nil':
      return '';
    case 'int': {
      const t = raw.trim();
      const n = Number(t);
      if (!INT_RE.test(t) || n > 2147483647 || n < -2147483648) throw new XmlDecodeError(`bad <int> value: ${clip(raw)}`);
      return n;
    }
    case 'i8': {
      const t = raw.trim();
      const n = Number(t);
      if (!INT_RE.test(t) || !Number.isSafeInteger(n)) throw new XmlDecodeError(`bad <i8> value: ${clip(raw)}`);
      return n;
    }
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      if (t === '1' || t === 'true') return true;
      if (t === '0' || t === 'false') return false;
      throw new XmlDecodeError(`bad <boolean> value: ${clip(raw)}`);
    }
    case 'double': {
      const t = raw.trim();
      if (!DOUBLE_RE.test(t)) throw new XmlDecodeError(`bad <double> value: ${clip(raw)}`);
      return Number(t);
    }
    case 'dateTime': {
      const d = parseXmlRpcDate(zone, raw.trim());
      if (!d) throw new XmlDecodeError(`bad <dateTime.iso8601> value: ${clip(raw)}`);
      return d;
    }
    case 'base64':
      if (!BASE64_RE.test(raw)) throw new XmlDecodeError('bad <base64> value');
      return Buffer.from(raw, 'base64');
    default:
      throw new XmlDecodeError(`unexpected scalar ${type}`);
  }
}

function clip(s: string): string {
  return s.length > 40 ? JSON.stringify(s.slice(0, 40)) + '...' : JSON.stringify(s);
}

interface DecodedDocument {
  kind: 'call' | 'response';
  methodName?: string;
  params: Param[];
  fault?: Param;
}

function decodeDocument(body: string | Buffer, zone: Zone, limits: DecodeLimits): DecodedDocument {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: Frame[] = [{ tag: 'root' }];
  const doc: DecodedDocument = { kind: 'call', params: [] };
  let methodName: string | undefined;
  let depth = 0;
  let values = 0;
  let text = '';
  let sawRoot = false;

  const top = (): Frame => stack[stack.length - 1]!;

  parser.on('doctype', () => {
    throw new XmlDecodeError('DOCTYPE is not allowed in XML-RPC requests');
  });
  parser.on('processinginstruction', () => {
    throw new XmlDecodeError('processing instructions are not allowed');
  });
  parser.on('opentag', (node) => {
    const parent = top();
    const name = node.name;
    const allowedKey = parent.tag;
    if (!ALLOWED[allowedKey]!.includes(name)) {
      throw new XmlDecodeError(`unexpected <${name}> inside <${parent.tag === 'scalar' ? parent.name : parent.tag}>`);
    }
    if (parent.tag === 'root') {
      if (sawRoot) throw new XmlDecodeError('more than one root element');
      sawRoot = true;
      doc.kind = name === 'methodCall' ? 'call' : 'response';
    }
    text = '';
    if (parent.tag === 'value') {
      if (parent.result) throw new XmlDecodeError('a <value> holds more than one typed value');
      if (parent.text.trim() !== '') throw new XmlDecodeError('text mixed with a typed value');
    }
    switch (name) {
      case 'value':
        if (++depth > limits.maxDepth) throw new XmlDecodeError(`values nested deeper than ${limits.maxDepth}`);
        if (++values > limits.maxValues) throw new XmlDecodeError(`more than ${limits.maxValues} values`);
        stack.push({ tag: 'value', text: '' });
        return;
      case 'struct':
        stack.push({ tag: 'struct', obj: Object.create(null) as XmlRpcStruct });
        return;
      case 'array':
        stack.push({ tag: 'array', items: [] });
        return;
      case 'member':
        stack.push({ tag: 'member' });
        return;
      case 'name':
        stack.push({ tag: 'name' });
        return;
      case 'methodName':
        stack.push({ tag: 'methodName' });
        return;
      default:
        if (name in SCALARS) {
          stack.push({ tag: 'scalar', name, type: SCALARS[name]! });
          return;
        }
        stack.push({ tag: name as 'params' });
    }
  });
  parser.on('text', (t) => {
    const f = top();
    if (f.tag === 'value') f.text += t;
    else if (f.tag === 'scalar' || f.tag === 'name' || f.tag === 'methodName') text += t;
    else if (t.trim() !== '') throw new XmlDecodeError(`unexpected text inside <${f.tag}>`);
  });
  parser.on('cdata', (t) => {
    const f = top();
    if (f.tag === 'value') f.text += t;
    else if (f.tag === 'scalar' || f.tag === 'name' || f.tag === 'methodName') text += t;
    else throw new XmlDecodeError(`unexpected CDATA inside <${f.tag}>`);
  });
  parser.on('closetag', () => {
    const f = stack.pop()!;
    const parent = top();
    switch (f.tag) {
      case 'scalar': {
        (parent as Extract<Frame, { tag: 'value' }>).result = { type: f.type, value: scalarValue(zone, f.type, text) };
        text = '';
        return;
      }
      case 'struct':
        (parent as Extract<Frame, { tag: 'value' }>).result = { type: 'struct', value: f.obj };
        return;
      case 'array':
        (parent as Extract<Frame, { tag: 'value' }>).result = { type: 'array', value: f.items };
        return;
      case 'name':
        (parent as Extract<Frame, { tag: 'member' }>).name = text;
        text = '';
        return;
      case 'methodName':
        methodName = text.trim();
        text = '';
        return;
      case 'value': {
        depth--;
        const result: Param = f.result ?? { type: 'string', value: f.text };
        if (parent.tag === 'param') doc.params.push(result);
        else if (parent.tag === 'data') (stack[stack.length - 2] as Extract<Frame, { tag: 'array' }>).items.push(result.value);
        else if (parent.tag === 'member') parent.value = result;
        else if (parent.tag === 'fault') doc.fault = result;
        return;
      }
      case 'member': {
        if (f.name === undefined || f.value === undefined) throw new XmlDecodeError('<member> needs a <name> and a <value>');
        (parent as Extract<Frame, { tag: 'struct' }>).obj[f.name] = f.value.value;
        return;
      }
      default:
        return;
    }
  });

  try {
    parser.write(typeof body === 'string' ? body : body.toString('utf8'));
    parser.close();
  } catch (err) {
    if (err instanceof XmlDecodeError) throw err;
    throw new XmlDecodeError(`malformed XML: ${(err as Error).message}`);
  }
  if (!sawRoot) throw new XmlDecodeError('empty document');
  if (methodName !== undefined) doc.methodName = methodName;
  return doc;
}

/** Decodes a `methodCall` request body. Throws XmlDecodeError on anything unacceptable. */
export function decodeCall(body: string | Buffer, zone: Zone, limits: DecodeLimits = DEFAULT_LIMITS): MethodCall {
  const doc = decodeDocument(body, zone, limits);
  if (doc.kind !== 'call') throw new XmlDecodeError('expected <methodCall>');
  if (!doc.methodName) throw new XmlDecodeError('missing <methodName>');
  return { methodName: doc.methodName, params: doc.params };
}

/** Decodes a `methodResponse`; a fault comes back as a thrown XmlRpcFault. */
export function decodeResponse(body: string | Buffer, zone: Zone, limits: DecodeLimits = DEFAULT_LIMITS): XmlRpcValue {
  const doc = decodeDocument(body, zone, limits);
  if (doc.kind !== 'response') throw new XmlDecodeError('expected <methodResponse>');
  if (doc.fault) {
    const f = doc.fault.value as XmlRpcStruct;
    throw new XmlRpcFault(Number(f['faultCode']), String(f['faultString']));
  }
  if (doc.params.length !== 1) throw new XmlDecodeError('a response carries exactly one <param>');
  return doc.params[0]!.value;
}
