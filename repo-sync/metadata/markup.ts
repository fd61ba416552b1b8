// Owns the rarely seen markup of repodata documents: comments, CDATA boundaries, processing
// instructions, the XML declaration, and the refusal of DTD declarations.
import { NAME_CHAR, NAME_START, WS } from './chars.js';
import { ScanFault } from './errors.js';

const XML_DECL = /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][\w.-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>$/;

/** The index after the comment starting at lt, or -1 if it does not end within s. */
export function commentEnd(s: string, lt: number): number {
  const end = s.indexOf('-->', lt + 4);
  if (end < 0) return -1;
  if (s.indexOf('--', lt + 4) !== end) throw new ScanFault("'--' inside a comment", lt);
  return end + 3;
}

/** `<!` that is neither a comment nor CDATA: -1 while it could still become one, else a refusal. */
export function refuseDeclaration(s: string, lt: number): number {
  if (s.length - lt < 10) return -1;
  if (s.startsWith('<!DOCTYPE', lt)) {
    throw new ScanFault('DOCTYPE declarations are refused (no DTD, no entity expansion)', lt);
  }
  throw new ScanFault("markup declarations ('<!...') are refused", lt);
}

/**
 * The index after the processing instruction at lt (-1 if it does not end within s). The XML
 * declaration is accepted only where `declarationAllowed`, and only for UTF-8.
 */
export function instructionEnd(s: string, lt: number, declarationAllowed: boolean): number {
  const end = s.indexOf('?>', lt + 2);
  if (end < 0) return -1;
  let i = lt + 2;
  if (NAME_START[s.charCodeAt(i)] !== 1) throw new ScanFault('malformed processing instruction', lt);
  while (NAME_CHAR[s.charCodeAt(i)] === 1) i++;
  if (i - lt - 2 === 3 && s.slice(lt + 2, i).toLowerCase() === 'xml') {
    if (!declarationAllowed) throw new ScanFault('XML declaration not at the start of the document', lt);
    const decl = XML_DECL.exec(s.slice(lt, end + 2));
    if (decl === null) throw new ScanFault('malformed XML declaration', lt);
    if (decl[3] !== undefined && !/^utf-?8$/i.test(decl[3])) {
      throw new ScanFault(`unsupported encoding "${decl[3]}" (only UTF-8 is read)`, lt);
    }
  } else if (WS[s.charCodeAt(i)] !== 1 && i !== end) {
    throw new ScanFault('malformed processing instruction', lt);
  }
  return end + 2;
}

/** The index of the first non-whitespace character of s[start, end), or -1. */
export function firstNonWhitespace(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) if (WS[s.charCodeAt(i)] !== 1) return i;
  return -1;
}
