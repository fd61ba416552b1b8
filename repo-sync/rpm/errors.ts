// The one error a corrupt or truncated .rpm file produces, so callers can tell a bad upload
// from a bug: every bounds or format check in the reader throws this and nothing else.

export class RpmFormatError extends Error {
  override readonly name = 'RpmFormatError';
}
