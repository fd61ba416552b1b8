// Strict XML-RPC decoder on saxes: methodCall and methodResponse documents into typed values.
// Refuses DOCTYPE (no entity expansion), bounds nesting and value counts, rejects bad scalars.
import { SaxesParser } from 'saxes';
import { bodyText } from './charset.js';
import { fastDecodeCall } from './fast-decode.js';
import { clipName, scalarValue, SCALARS } from './scalars.js';
import type { Zone } from './zone.js';
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
  /** longest methodName accepted: it is echoed in faults and logs */
  maxNameLength: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxDepth: 64, maxValues: 2_000_000, maxNameLength: 256 };

// `seen` counts children where the grammar allows only one of each (one <value> per
// <param>, one <methodName>, ...).
type Frame =
  | { tag: 'root' }
  | { tag: 'methodCall' | 'methodResponse' | 'params' | 'param' | 'fault' | 'data'; seen: Record<string, number> }
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

// Elements that may appear at most once in their parent (and must appear, for <param>/<fault>).
const SINGLE: Record<string, readonly string[]> = {
  methodCall: ['methodName', 'params'],
  methodResponse: ['params', 'fault'],
  param: ['value'],
  fault: ['value'],
};

interface DecodedDocument {
  kind: 'call' | 'response';
  methodName?: string;
  params: Param[];
  fault?: Param;
}

type ValueFrame = Extract<Frame, { tag: 'value' }>;

/** Builds the document from saxes events, one frame per open element. */
class DocumentReader {
  readonly doc: DecodedDocument = { kind: 'call', params: [] };
  sawRoot = false;
  private readonly stack: Frame[] = [{ tag: 'root' }];
  private depth = 0;
  private values = 0;
  private text = '';

  constructor(
    private readonly zone: Zone,
    private readonly limits: DecodeLimits,
  ) {}

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  open(name: string): void {
    const parent = this.top();
    if (!ALLOWED[parent.tag]!.includes(name)) {
      throw new XmlDecodeError(`unexpected <${clipName(name)}> inside <${parent.tag === 'scalar' ? parent.name : parent.tag}>`);
    }
    if ('seen' in parent && SINGLE[parent.tag]?.includes(name)) {
      parent.seen[name] = (parent.seen[name] ?? 0) + 1;
      if (parent.seen[name] > 1) throw new XmlDecodeError(`<${parent.tag}> holds more than one <${name}>`);
    }
    if (parent.tag === 'root') {
      if (this.sawRoot) throw new XmlDecodeError('more than one root element');
      this.sawRoot = true;
      this.doc.kind = name === 'methodCall' ? 'call' : 'response';
    }
    if (parent.tag === 'value') {
      if (parent.result) throw new XmlDecodeError('a <value> holds more than one typed value');
      if (parent.text.trim() !== '') throw new XmlDecodeError('text mixed with a typed value');
    }
    if (parent.tag === 'member' && name === 'name' && parent.name !== undefined) throw new XmlDecodeError('<member> holds more than one <name>');
    if (parent.tag === 'member' && name === 'value' && parent.value !== undefined) throw new XmlDecodeError('<member> holds more than one <value>');
    this.text = '';
    this.stack.push(this.frameFor(name));
  }

  private frameFor(name: string): Frame {
    switch (name) {
      case 'value':
        if (++this.depth > this.limits.maxDepth) throw new XmlDecodeError(`values nested deeper than ${this.limits.maxDepth}`);
        if (++this.values > this.limits.maxValues) throw new XmlDecodeError(`more than ${this.limits.maxValues} values`);
        return { tag: 'value', text: '' };
      case 'struct':
        return { tag: 'struct', obj: Object.create(null) as XmlRpcStruct };
      case 'array':
        return { tag: 'array', items: [] };
      case 'member':
        return { tag: 'member' };
      case 'name':
      case 'methodName':
        return { tag: name };
      default:
        if (name in SCALARS) return { tag: 'scalar', name, type: SCALARS[name]! };
        return { tag: name as 'params', seen: {} };
    }
  }

  addText(t: string, cdata: boolean): void {
    const f = this.top();
    if (f.tag === 'value') {
      if (f.result && t.trim() !== '') throw new XmlDecodeError('text mixed with a typed value');
      f.text += t;
    } else if (f.tag === 'scalar' || f.tag === 'name' || f.tag === 'methodName') {
      this.text += t;
      if (f.tag === 'methodName' && this.text.length > this.limits.maxNameLength) {
        throw new XmlDecodeError(`<methodName> longer than ${this.limits.maxNameLength} characters`);
      }
    } else if (cdata || t.trim() !== '') {
      throw new XmlDecodeError(`unexpected ${cdata ? 'CDATA' : 'text'} inside <${f.tag}>`);
    }
  }

  close(): void {
    const f = this.stack.pop()!;
    const parent = this.top();
    switch (f.tag) {
      case 'scalar':
        (parent as ValueFrame).result = { type: f.type, value: scalarValue(this.zone, f.type, this.text) };
        return;
      case 'struct':
        (parent as ValueFrame).result = { type: 'struct', value: f.obj };
        return;
      case 'array':
        (parent as ValueFrame).result = { type: 'array', value: f.items };
        return;
      case 'name':
        (parent as Extract<Frame, { tag: 'member' }>).name = this.text;
        return;
      case 'methodName':
        this.doc.methodName = this.text.trim();
        return;
      case 'value':
        this.depth--;
        this.closeValue(f.result ?? { type: 'string', value: f.text }, parent);
        return;
      case 'member':
        if (f.name === undefined || f.value === undefined) throw new XmlDecodeError('<member> needs a <name> and a <value>');
        (parent as Extract<Frame, { tag: 'struct' }>).obj[f.name] = f.value.value;
        return;
      default:
        if ((f.tag === 'param' || f.tag === 'fault') && !f.seen['value']) throw new XmlDecodeError(`<${f.tag}> needs a <value>`);
    }
  }

  private closeValue(result: Param, parent: Frame): void {
    if (parent.tag === 'param') this.doc.params.push(result);
    else if (parent.tag === 'data') (this.stack[this.stack.length - 2] as Extract<Frame, { tag: 'array' }>).items.push(result.value);
    else if (parent.tag === 'member') parent.value = result;
    else if (parent.tag === 'fault') this.doc.fault = result;
  }
}

function decodeDocument(body: string | Uint8Array | null | undefined, zone: Zone, limits: DecodeLimits): DecodedDocument {
  const text = bodyText(body);
  const parser = new SaxesParser({ xmlns: false, position: true });
  const reader = new DocumentReader(zone, limits);
  parser.on('doctype', () => {
    throw new XmlDecodeError('DOCTYPE is not allowed in XML-RPC requests');
  });
  parser.on('processinginstruction', () => {
    throw new XmlDecodeError('processing instructions are not allowed');
  });
  parser.on('opentag', (node) => reader.open(node.name));
  parser.on('text', (t) => reader.addText(t, false));
  parser.on('cdata', (t) => reader.addText(t, true));
  parser.on('closetag', () => reader.close());
  try {
    parser.write(text);
    parser.close();
  } catch (err) {
    if (err instanceof XmlDecodeError) throw err;
    // saxes reports position and kind only; anything else (a RangeError) is said in general terms.
    throw new XmlDecodeError(`malformed XML: ${err instanceof Error && /^\d+:\d+: /.test(err.message) ? err.message : 'unreadable document'}`);
  }
  if (!reader.sawRoot) throw new XmlDecodeError('empty document');
  return reader.doc;
}

/** Decodes a `methodCall` request body. Throws XmlDecodeError on anything unacceptable. */
export function decodeCall(body: string | Uint8Array | null | undefined, zone: Zone, limits: DecodeLimits = DEFAULT_LIMITS): MethodCall {
  const text = bodyText(body);
  return fastDecodeCall(text, zone, limits) ?? strictDecodeCall(text, zone, limits);
}

/** decodeCall without the fast path: the saxes reading every document gets when the fast path gives up. */
export function strictDecodeCall(body: string | Uint8Array | null | undefined, zone: Zone, limits: DecodeLimits = DEFAULT_LIMITS): MethodCall {
  const doc = decodeDocument(body, zone, limits);
  if (doc.kind !== 'call') throw new XmlDecodeError('expected <methodCall>');
  if (!doc.methodName) throw new XmlDecodeError('missing <methodName>');
  return { methodName: doc.methodName, params: doc.params };
}

/** Decodes a `methodResponse`; a fault comes back as a thrown XmlRpcFault. */
export function decodeResponse(body: string | Uint8Array | null | undefined, zone: Zone, limits: DecodeLimits = DEFAULT_LIMITS): XmlRpcValue {
  const doc = decodeDocument(body, zone, limits);
  if (doc.kind !== 'response') throw new XmlDecodeError('expected <methodResponse>');
  if (doc.fault) {
    if (doc.params.length > 0) throw new XmlDecodeError('a response carries either <params> or a <fault>');
    const f = doc.fault.value as XmlRpcStruct;
    if (doc.fault.type !== 'struct' || typeof f['faultCode'] !== 'number' || typeof f['faultString'] !== 'string') {
      throw new XmlDecodeError('a <fault> is a struct of faultCode and faultString');
    }
    throw new XmlRpcFault(f['faultCode'], f['faultString']);
  }
  if (doc.params.length !== 1) throw new XmlDecodeError('a response carries exactly one <param>');
  return doc.params[0]!.value;
}
