// How header strings become JS strings: UTF-8 when the bytes are UTF-8, otherwise the same
// ISO-8859-1 rescue createrepo_c applies, so our repodata says what createrepo_c's would.

const utf8 = new TextDecoder('utf-8');

/** libxml2's xmlCheckUTF8: lead byte and continuation-byte shape only (createrepo_c's test). */
export function looksLikeUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    let len: number;
    if (c < 0x80) len = 1;
    else if ((c & 0xe0) === 0xc0) len = 2;
    else if ((c & 0xf0) === 0xe0) len = 3;
    else if ((c & 0xf8) === 0xf0) len = 4;
    else return false;
    if (i + len > bytes.length) return false;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return false;
    i += len;
  }
  return true;
}

// createrepo_c drops the 0x80-0xBF range (taken as misencoded cp1252) and maps 0xC0-0xFF to
// their Latin-1 code points. It also drops C0 controls here, but only after refusing any
// package that has them, so they are kept: the snippet writer must still see and refuse them.
function rescueLatin1(bytes: Uint8Array): string {
  let out = '';
  for (const c of bytes) {
    if (c < 0x80 || c >= 0xc0) out += String.fromCharCode(c);
  }
  return out;
}

export function decodeHeaderText(bytes: Uint8Array): string {
  let ascii = true;
  for (const c of bytes) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return looksLikeUtf8(bytes) ? utf8.decode(bytes) : rescueLatin1(bytes);
}
