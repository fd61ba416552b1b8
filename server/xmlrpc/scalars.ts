// The XML-RPC scalar types: which tags exist and how their text is read. Anything a strict
// reading refuses (12abc, 2 as a boolean, 1e999, unpadded base64) is an XmlDecodeError.
import { parseXmlRpcDate, type Zone } from './zone.js';
import { XmlDecodeError, type WireType, type XmlRpcValue } from './types.js';

export const SCALARS: Record<string, WireType> = {
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

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Padded base64 as Python and Java write it (line breaks allowed); anything else is refused.
// A simple character loop: a grouped repetition overflows V8's regexp stack on large blobs.
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function scalarValue(zone: Zone, type: WireType, raw: string): XmlRpcValue {
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
      const n = Number(t);
      if (!DOUBLE_RE.test(t) || !Number.isFinite(n)) throw new XmlDecodeError(`bad <double> value: ${clip(raw)}`);
      return n;
    }
    case 'dateTime': {
      const d = parseXmlRpcDate(zone, raw.trim());
      if (!d) throw new XmlDecodeError(`bad <dateTime.iso8601> value: ${clip(raw)}`);
      return d;
    }
    case 'base64': {
      const compact = raw.replace(/[ \t\r\n]+/g, '');
      if (compact.length % 4 !== 0 || !BASE64_RE.test(compact)) throw new XmlDecodeError('bad <base64> value');
      return Buffer.from(compact, 'base64');
    }
    default:
      throw new XmlDecodeError(`unexpected scalar ${type}`);
  }
}

/** A quoted excerpt of refused text for error messages (they are echoed to the caller). */
export function clip(s: string): string {
  return s.length > 40 ? JSON.stringify(s.slice(0, 40)) + '...' : JSON.stringify(s);
}

export function clipName(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}
