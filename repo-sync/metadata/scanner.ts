// Owns the tokenizer shared by the primary/filelists/other scanners: a strict, non-validating reader
// of one known vocabulary that checks well-formedness and hands the elements it knows to a handler.
import { WS, codesOf, matchAt } from './chars.js';
import { checkReferences, decodeText } from './entities.js';
import { ScanFault } from './errors.js';
import { commentEnd, firstNonWhitespace, instructionEnd, refuseDeclaration } from './markup.js';
import { type Attributes, TagReader, type Vocabulary } from './tags.js';

export type { Attributes, Vocabulary } from './tags.js';

export interface ScanHandler {
  /** A known element opened inside `parent` (-1 for the root); false ignores it and its content. */
  open(id: number, parent: number, attrs: Attributes): boolean;
  /** A kept element closed; `text` is its decoded character data for text elements, else ''. */
  close(id: number, text: string): void;
  /** The record element just closed; `xml` is its exact source text. */
  record(xml: string): void;
}

const SLASH = 0x2f;
const BANG = 0x21;
const QMARK = 0x3f;
const GT = 0x3e;
const LT = 0x3c;
const PROLOG = 0;
const IN_ROOT = 1;
const EPILOG = 2;

export class XmlScanner extends TagReader {
  private readonly isText: Uint8Array;
  private readonly rootId: number;
  private readonly recordId: number;
  private token = 0;
  private state = PROLOG;
  private docStart = true;
  private declAt = 0;
  /** Open elements: id (-1 when ignored or unknown), name and its code units. */
  private ids: number[] = [];
  private names: string[] = [];
  private codes: Uint16Array[] = [];
  private depth = 0;
  /** Depth of the outermost ignored element, 0 when nothing is being ignored. */
  private skipFrom = 0;
  private capture = false;
  private text = '';
  private recStart = -1;
  private recDepth = 0;
  /** Number of record elements opened so far (the current one included). */
  records = 0;

  constructor(vocabulary: Vocabulary, private readonly handler: ScanHandler) {
    super(vocabulary);
    this.isText = new Uint8Array(vocabulary.elements.length);
    for (const name of vocabulary.textElements) this.isText[vocabulary.elements.indexOf(name)] = 1;
    this.rootId = vocabulary.elements.indexOf(vocabulary.root);
    this.recordId = vocabulary.elements.indexOf(vocabulary.record);
  }

  /**
   * Scans s, whose first character is at byte `base` of the document. Returns the index from which
   * the caller must hand the text back, prefixed to the next piece (s.length when all was used):
   * an unfinished token, or the start of an unfinished record, which is then read again whole.
   */
  scan(s: string, base: number, final: boolean): number {
    this.reset(s, base);
    try {
      return this.loop(final);
    } catch (e) {
      if (!(e instanceof ScanFault)) throw e;
      this.recordNumber = this.recStart >= 0 ? this.records : 0;
      throw this.fault(e.reason, e.index < 0 ? this.token : e.index);
    }
  }

  private loop(final: boolean): number {
    const s = this.s;
    const n = this.n;
    let p = this.docStart && s.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.declAt = p;
    while (p < n) {
      // Most text between tags is indentation: skip it without a search when '<' follows.
      let ws = p;
      while (WS[s.charCodeAt(ws)] === 1) ws++;
      const lt = s.charCodeAt(ws) === LT ? ws : this.lt(ws);
      if (lt === n) {
        if (!final) return this.carry(p);
        this.chars(p, n);
        break;
      }
      if (lt > ws || (lt > p && this.capture)) this.chars(p, lt);
      this.token = lt;
      const c = s.charCodeAt(lt + 1);
      const q = c === SLASH ? this.endTag(lt)
        : c === BANG ? this.markup(lt)
          : c === QMARK ? instructionEnd(s, lt, this.docStart && lt === this.declAt) : this.startTag(lt);
      if (q < 0) {
        if (final) throw new ScanFault('unexpected end of document inside markup (truncated?)', lt);
        return this.carry(lt);
      }
      this.docStart = false;
      p = q;
    }
    if (final) this.finish();
    return this.carry(n);
  }

  /** Where the next scan must resume; an unfinished record is dropped and read again whole. */
  private carry(index: number): number {
    if (this.recStart < 0) return index;
    const start = this.recStart;
    this.depth = this.recDepth - 1;
    this.skipFrom = 0;
    this.capture = false;
    this.text = '';
    this.records--;
    this.recStart = -1;
    return start;
  }

  private finish(): void {
    if (this.state === PROLOG) {
      throw new ScanFault('no root element: empty input or not an XML document', this.n);
    }
    if (this.state === IN_ROOT) {
      const open = this.names[this.depth - 1];
      throw new ScanFault(`unexpected end of document: <${open}> is not closed (truncated?)`, this.n);
    }
  }

  /** Character data s[start, end) between two markup tokens. */
  private chars(start: number, end: number): void {
    const s = this.s;
    if (this.cdataEnd(start) < end) throw new ScanFault("']]>' in character data", this.nextCdataEnd);
    if (this.capture) {
      this.text += this.amp(start) < end || this.cr(start) < end
        ? decodeText(s, start, end) : s.slice(start, end);
    } else if (this.skipFrom > 0) {
      if (this.amp(start) < end) checkReferences(s, start, end);
    } else {
      const bad = firstNonWhitespace(s, start, end);
      if (bad >= 0) throw new ScanFault(this.misplacedText(), bad);
    }
  }

  private misplacedText(): string {
    if (this.state === PROLOG) return 'not an XML document: text before the root element';
    if (this.state === EPILOG) return 'text after the root element';
    return `text is not allowed directly inside <${this.names[this.depth - 1]}>`;
  }

  private startTag(lt: number): number {
    const after = this.readStartTag(lt);
    if (after < 0) return -1;
    if (this.selfClosing) this.emptyElement(lt, this.tagId, after);
    else this.openElement(lt, this.tagId);
    return after;
  }

  /** `<name .../>`: opened and closed at once, without touching the element stack. */
  private emptyElement(lt: number, id: number, end: number): void {
    if (this.skipFrom !== 0 || this.state !== IN_ROOT || this.capture || id < 0 || id === this.recordId) {
      this.openElement(lt, id);
      this.closeElement(end);
      return;
    }
    if (this.handler.open(id, this.ids[this.depth - 1], this.attrs)) this.handler.close(id, '');
  }

  private openElement(lt: number, id: number): void {
    if (this.state !== IN_ROOT) this.enterRoot(lt, id);
    if (this.capture) {
      throw new ScanFault(`element inside text element <${this.names[this.depth - 1]}>`, lt);
    }
    const d = this.depth;
    const kept = this.skipFrom === 0 && id >= 0 && this.handler.open(id, d > 0 ? this.ids[d - 1] : -1, this.attrs);
    this.ids[d] = kept ? id : -1;
    if (id >= 0) {
      this.names[d] = this.elements.names[id];
      this.codes[d] = this.elements.codes[id];
    } else {
      this.names[d] = this.s.slice(lt + 1, this.tagNameEnd);
      this.codes[d] = codesOf(this.names[d]);
    }
    this.depth = d + 1;
    if (!kept) {
      if (this.skipFrom === 0) this.skipFrom = d + 1;
      return;
    }
    if (id === this.recordId) {
      this.recStart = lt;
      this.recDepth = d + 1;
      this.records++;
    }
    if (this.isText[id] === 1) {
      this.capture = true;
      this.text = '';
    }
  }

  private enterRoot(lt: number, id: number): void {
    if (this.state === EPILOG) throw new ScanFault('element after the end of the root element', lt);
    if (id !== this.rootId) {
      const found = this.s.slice(lt + 1, this.tagNameEnd);
      throw new ScanFault(`root element is <${found}>, expected <${this.elements.names[this.rootId]}>`, lt);
    }
    this.state = IN_ROOT;
  }

  private closeElement(end: number): void {
    const d = --this.depth;
    if (d === 0) this.state = EPILOG;
    if (this.skipFrom !== 0) {
      if (d < this.skipFrom) this.skipFrom = 0;
      return;
    }
    const id = this.ids[d];
    let text = '';
    if (this.capture) {
      text = this.text;
      this.capture = false;
      this.text = '';
    }
    this.handler.close(id, text);
    if (id === this.recordId && d + 1 === this.recDepth && this.recStart >= 0) {
      this.handler.record(this.s.slice(this.recStart, end));
      this.recStart = -1;
    }
  }

  private endTag(lt: number): number {
    const s = this.s;
    const d = this.depth;
    if (d === 0) throw new ScanFault('end tag without a matching start tag', lt);
    const name = this.names[d - 1];
    let i = lt + 2 + name.length;
    if (i >= this.n) return -1;
    let c = s.charCodeAt(i);
    while (WS[c] === 1) c = s.charCodeAt(++i);
    if (c !== GT || !matchAt(s, lt + 2, this.codes[d - 1])) {
      if (i >= this.n) return -1;
      throw new ScanFault(`mismatched end tag: expected </${name}>`, lt);
    }
    this.closeElement(i + 1);
    return i + 1;
  }

  /** `<!`: a comment, a CDATA section, or a refused declaration. */
  private markup(lt: number): number {
    const s = this.s;
    if (s.startsWith('<!--', lt)) return commentEnd(s, lt);
    if (!s.startsWith('<![CDATA[', lt)) return refuseDeclaration(s, lt);
    if (this.state !== IN_ROOT) throw new ScanFault('CDATA section outside the root element', lt);
    const end = s.indexOf(']]>', lt + 9);
    if (end < 0) return -1;
    if (this.capture) {
      const raw = s.slice(lt + 9, end);
      this.text += this.cr(lt) < end ? raw.replace(/\r\n?/g, '\n') : raw;
    } else if (this.skipFrom === 0) {
      const bad = firstNonWhitespace(s, lt + 9, end);
      if (bad >= 0) throw new ScanFault(this.misplacedText(), bad);
    }
    return end + 3;
  }
}
