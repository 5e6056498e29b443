/**
 * Errors of the encrypted object format.
 *
 * `IntegrityError` means stored bytes (data file or metadata record) are not what the
 * gateway wrote: a tag, commitment, header, size or MAC check failed. The error
 * mapping turns it into a 500 InternalError and logs it as an integrity failure; the
 * reason is for the log only and never reaches the client.
 *
 * `PlaintextLengthError` means the request body did not carry the number of bytes it
 * declared; that is the client's fault, not the store's, so it is a separate class.
 */

export class IntegrityError extends Error {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`integrity failure: ${reason}`, options);
    this.name = 'IntegrityError';
    this.reason = reason;
  }
}

export class PlaintextLengthError extends Error {
  readonly expected: number;
  /** Bytes seen so far: for `tooLong` the count that first exceeded `expected`. */
  readonly actual: number;
  readonly kind: 'tooShort' | 'tooLong';

  constructor(expected: number, actual: number) {
    const kind = actual < expected ? 'tooShort' : 'tooLong';
    super(`plaintext length ${kind === 'tooShort' ? 'short' : 'exceeded'}: expected ${expected} bytes, got ${actual}`);
    this.name = 'PlaintextLengthError';
    this.expected = expected;
    this.actual = actual;
    this.kind = kind;
  }
}
