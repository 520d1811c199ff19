/** A mistake in the user's input: reported as one line, exit code 2, no stack trace. */
export class UserError extends Error {
  override name = 'UserError';
}
