// The signer's key id inside an rpm signature tag (an OpenPGP signature packet, RFC 4880),
// which is what GPG-key checks compare. Unparseable signatures yield '' rather than throwing:
// a damaged signature is rpm's verification business, not a header format error.

const SIGNATURE_PACKET = 2;
const SUB_ISSUER = 16;
const SUB_ISSUER_FINGERPRINT = 33;

function packetBody(p: Uint8Array): Uint8Array | undefined {
  const first = p[0];
  if (first === undefined || (first & 0x80) === 0) return undefined;
  let tag: number;
  let len: number;
  let at: number;
  if (first & 0x40) {
    tag = first & 0x3f;
    const l0 = p[1];
    if (l0 === undefined) return undefined;
    if (l0 < 192) [len, at] = [l0, 2];
    else if (l0 < 224) [len, at] = [((l0 - 192) << 8) + (p[2] ?? 0) + 192, 3];
    else if (l0 === 255 && p.length >= 6) [len, at] = [((p[2]! << 24) | (p[3]! << 16) | (p[4]! << 8) | p[5]!) >>> 0, 6];
    else return undefined;
  } else {
    tag = (first >> 2) & 0x0f;
    const lenBytes = [1, 2, 4, 0][first & 3]!;
    if (lenBytes === 0 || p.length < 1 + lenBytes) return undefined;
    len = 0;
    for (let i = 0; i < lenBytes; i++) len = len * 256 + p[1 + i]!;
    at = 1 + lenBytes;
  }
  if (tag !== SIGNATURE_PACKET || at + len > p.length) return undefined;
  return p.subarray(at, at + len);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function issuerIn(area: Uint8Array): string | undefined {
  let i = 0;
  while (i < area.length) {
    const l0 = area[i]!;
    let len: number;
    if (l0 < 192) [len, i] = [l0, i + 1];
    else if (l0 < 255) [len, i] = [((l0 - 192) << 8) + (area[i + 1] ?? 0) + 192, i + 2];
    else [len, i] = [((area[i + 1]! << 24) | (area[i + 2]! << 16) | (area[i + 3]! << 8) | area[i + 4]!) >>> 0, i + 5];
    if (len < 1 || i + len > area.length) return undefined;
    const type = area[i]! & 0x7f;
    const data = area.subarray(i + 1, i + len);
    if (type === SUB_ISSUER && data.length === 8) return hex(data);
    if (type === SUB_ISSUER_FINGERPRINT && data.length >= 9) return hex(data.subarray(data.length - 8));
    i += len;
  }
  return undefined;
}

/** Lower-case hex key id of the key that made an OpenPGP signature packet, '' if not found. */
export function signatureKeyId(packet: Uint8Array): string {
  const body = packetBody(packet);
  if (!body) return '';
  if (body[0] === 3 && body.length >= 15) return hex(body.subarray(7, 15));
  if (body[0] !== 4 || body.length < 6) return '';
  const hashedLen = (body[4]! << 8) | body[5]!;
  const hashedEnd = 6 + hashedLen;
  if (hashedEnd + 2 > body.length) return '';
  const unhashedLen = (body[hashedEnd]! << 8) | body[hashedEnd + 1]!;
  if (hashedEnd + 2 + unhashedLen > body.length) return '';
  return (
    issuerIn(body.subarray(6, hashedEnd)) ?? issuerIn(body.subarray(hashedEnd + 2, hashedEnd + 2 + unhashedLen)) ?? ''
  );
}
