// Request bytes to text for the XML-RPC decoder: the BOM or the XML declaration names the
// encoding (UTF-8 by default, as XML says); bytes that are not valid in it are refused.
import { isAscii, isUtf8 } from 'node:buffer';
import { XmlDecodeError } from './types.js';

const DECL_ENCODING = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * UTF-8 without a TextDecoder: building one per request (ICU) cost more than decoding the body.
 * Plain ASCII, what the clients send, becomes a one-byte string directly; a BOM is dropped as the
 * TextDecoder drops it.
 */
function utf8(bytes: Uint8Array): string {
  const b = asBuffer(bytes);
  if (isAscii(b)) return b.toString('latin1');
  if (!isUtf8(b)) throw new XmlDecodeError('the request is not valid UTF-8');
  const bom = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  return b.toString('utf8', bom);
}

function strict(label: 'utf-8' | 'utf-16le' | 'utf-16be', bytes: Uint8Array): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new XmlDecodeError(`the request is not valid ${label.toUpperCase()}`);
  }
}

/** The document text of a request body; throws XmlDecodeError for bytes the encoding cannot hold. */
export function bodyText(body: string | Uint8Array | null | undefined): string {
  if (typeof body === 'string') return body;
  if (!body || body.length === 0) return '';
  if (body[0] === 0xfe && body[1] === 0xff) return strict('utf-16be', body);
  if (body[0] === 0xff && body[1] === 0xfe) return strict('utf-16le', body);
  const head = asBuffer(body).toString('latin1', 0, Math.min(256, body.length));
  const declared = DECL_ENCODING.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  switch (declared) {
    case 'utf-8':
    case 'utf8':
      return utf8(body);
    case 'us-ascii':
    case 'ascii':
      if (body.some((b) => b > 0x7f)) throw new XmlDecodeError('the request is not valid US-ASCII');
      return Buffer.from(body).toString('latin1');
    // Buffer's latin1 is ISO-8859-1 proper (WHATWG TextDecoder would read windows-1252).
    case 'iso-8859-1':
    case 'iso8859-1':
    case 'iso_8859-1':
    case 'latin1':
      return Buffer.from(body).toString('latin1');
    default:
      throw new XmlDecodeError(`unsupported encoding ${JSON.stringify(declared.slice(0, 40))}`);
  }
}
