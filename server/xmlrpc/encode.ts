// XML-RPC encoder with Spacewalk's conventions: explicit <string>, integers as <i4> (never
// <i8>), dates as YYYYMMDDTHH:MM:SS in the configured zone, null struct members omitted.
import { Double, RawXml, XmlRpcFault } from './types.js';
import { formatXmlRpcDate, Zone } from './zone.js';

// XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/FFFF; Python's expat would
// reject the whole answer, so such characters are replaced.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NEEDS_WORK = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

export function escapeXml(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return (
    s
      .replace(INVALID_XML_CHARS, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // A raw CR reaches the reader as LF (XML line-end normalisation); a reference keeps it.
      .replace(/\r/g, '&#13;')
  );
}

export class Encoder {
  constructor(readonly zone: Zone) {}

  /** The body of one `<value>` element (without the wrapper). */
  value(v: unknown): string {
    switch (typeof v) {
      case 'string':
        return `<string>${escapeXml(v)}</string>`;
      case 'number':
        if (Number.isInteger(v)) return `<i4>${v | 0}</i4>`;
        if (!Number.isFinite(v)) throw new Error(`cannot encode ${v}`);
        return `<double>${v}</double>`;
      case 'boolean':
        return v ? '<boolean>1</boolean>' : '<boolean>0</boolean>';
      case 'bigint':
        return `<i4>${Number(BigInt.asIntN(32, v))}</i4>`;
      case 'object':
        return this.object(v);
      default:
        throw new Error(`cannot encode a ${typeof v}`);
    }
  }

  private object(v: object | null): string {
    if (v === null) throw new Error('cannot encode null');
    if (v instanceof RawXml) return v.xml;
    if (Array.isArray(v)) return this.array(v);
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw new Error('cannot encode an invalid Date');
      return `<dateTime.iso8601>${formatXmlRpcDate(this.zone, v)}</dateTime.iso8601>`;
    }
    if (Buffer.isBuffer(v)) return `<base64>${v.toString('base64')}</base64>`;
    if (v instanceof Double) {
      if (!Number.isFinite(v.value)) throw new Error(`cannot encode ${v.value}`);
      return `<double>${Number.isInteger(v.value) ? v.value.toFixed(1) : v.value}</double>`;
    }
    return this.struct(v as Record<string, unknown>);
  }

  array(items: readonly unknown[]): string {
    let out = '<array><data>';
    for (const item of items) {
      if (item === null || item === undefined) continue;
      out += '<value>' + this.value(item) + '</value>';
    }
    return out + '</data></array>';
  }

  struct(obj: Record<string, unknown>): string {
    let out = '<struct>';
    for (const key in obj) {
      const member = obj[key];
      if (member === null || member === undefined) continue;
      out += '<member><name>' + escapeXml(key) + '</name><value>' + this.value(member) + '</value></member>';
    }
    return out + '</struct>';
  }

  response(result: unknown): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><params><param><value>' +
      this.value(result) +
      '</value></param></params></methodResponse>\n'
    );
  }

  call(methodName: string, params: readonly unknown[]): string {
    let out = '<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>' + escapeXml(methodName) + '</methodName><params>';
    for (const p of params) out += '<param><value>' + this.value(p) + '</value></param>';
    return out + '</params></methodCall>\n';
  }
}

export function encodeFault(fault: XmlRpcFault): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><fault><value><struct>' +
    `<member><name>faultCode</name><value><int>${fault.faultCode | 0}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeXml(fault.faultString)}</string></value></member>` +
    '</struct></value></fault></methodResponse>\n'
  );
}
