// Owns the one error type that every repodata scanner throws for input it cannot accept
// (truncated, malformed, non-XML, wrong document, DTDs), with where it happened.

/** Thrown for any input the metadata scanners refuse; never a partial result. */
export class MetadataParseError extends Error {
  override readonly name = 'MetadataParseError';
  /** Byte offset in the decompressed document where the problem was seen (-1 if unknown). */
  readonly offset: number;
  /** 1-based number of the `<package>` element being read, or 0 when outside any package. */
  readonly packageNumber: number;

  constructor(reason: string, offset: number, packageNumber: number) {
    const where = packageNumber > 0 ? `, in package #${packageNumber}` : '';
    super(`${reason} (at byte ${offset}${where})`);
    this.offset = offset;
    this.packageNumber = packageNumber;
  }
}

/**
 * Internal: a syntax problem at a character index of the scanner's current text. The scanner
 * turns it into a MetadataParseError with a byte offset, which only it can compute.
 */
export class ScanFault {
  constructor(readonly reason: string, readonly index: number) {}
}
