// Owns the text the tokenizer is reading: the current piece, its byte position in the document,
// and "next occurrence" indexes of the characters that are rare enough to search for ahead.
import { MetadataParseError } from './errors.js';

export class TextCursor {
  protected s = '';
  protected n = 0;
  /** Byte offset of s[0] in the document. */
  protected base = 0;
  protected nextAmp = -1;
  protected nextCR = -1;
  protected nextLt = -1;
  protected nextNl = -1;
  protected nextTab = -1;
  protected nextCdataEnd = -1;
  /** 1-based number of the record being read, or 0 between records (for error messages). */
  protected recordNumber = 0;

  protected reset(s: string, base: number): void {
    this.s = s;
    this.n = s.length;
    this.base = base;
    this.nextAmp = -1;
    this.nextCR = -1;
    this.nextLt = -1;
    this.nextNl = -1;
    this.nextTab = -1;
    this.nextCdataEnd = -1;
  }

  /** A MetadataParseError for character index `index` of the current text. */
  fault(reason: string, index: number): MetadataParseError {
    const at = this.base + Buffer.byteLength(this.s.slice(0, Math.min(index, this.n)));
    return new MetadataParseError(reason, at, this.recordNumber);
  }

  // Each search result is kept until the reader passes it: a character that does not occur is
  // searched for once per piece of text, not once per token.

  protected amp(from: number): number {
    if (this.nextAmp < from) {
      const a = this.s.indexOf('&', from);
      this.nextAmp = a === -1 ? this.n : a;
    }
    return this.nextAmp;
  }

  protected lt(from: number): number {
    if (this.nextLt < from) {
      const a = this.s.indexOf('<', from);
      this.nextLt = a === -1 ? this.n : a;
    }
    return this.nextLt;
  }

  protected nl(from: number): number {
    if (this.nextNl < from) {
      const a = this.s.indexOf('\n', from);
      this.nextNl = a === -1 ? this.n : a;
    }
    return this.nextNl;
  }

  protected cr(from: number): number {
    if (this.nextCR < from) {
      const a = this.s.indexOf('\r', from);
      this.nextCR = a === -1 ? this.n : a;
    }
    return this.nextCR;
  }

  /** Next TAB or CR. */
  protected tabOrCR(from: number): number {
    if (this.nextTab < from) {
      const a = this.s.indexOf('\t', from);
      this.nextTab = a === -1 ? this.n : a;
    }
    return Math.min(this.nextTab, this.cr(from));
  }

  protected cdataEnd(from: number): number {
    if (this.nextCdataEnd < from) {
      const a = this.s.indexOf(']]>', from);
      this.nextCdataEnd = a === -1 ? this.n : a;
    }
    return this.nextCdataEnd;
  }
}
