/**
 * Errors for bad user input (chemistry, scenario, profile files). The CLI prints
 * `message` as one line and exits with code 2; no stack trace reaches the user.
 */
export class InputError extends Error {
  readonly inputError = true;
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'InputError';
  }
}

export function isInputError(e: unknown): e is InputError {
  return typeof e === 'object' && e !== null && (e as { inputError?: unknown }).inputError === true;
}
