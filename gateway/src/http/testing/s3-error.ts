/**
 * For unit tests (never built into the package): the S3Error a synchronous step throws.
 * Any other error is rethrown, and a step that does not throw fails the test.
 */
import { S3Error } from '../errors.js';

export function s3ErrorThrownBy(run: () => unknown): S3Error {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error, and nothing was thrown');
}
