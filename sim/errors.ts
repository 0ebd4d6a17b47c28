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

/**
 * A cell left the model's validity envelope (sim/envelope.ts) and the run stopped. The CLI
 * prints `message` as one line and exits with code 3.
 */
export class AbuseError extends Error {
  readonly abuseError = true;
  constructor(message: string) {
    super(message);
    this.name = 'AbuseError';
  }
}

export function isAbuseError(e: unknown): e is AbuseError {
  return typeof e === 'object' && e !== null && (e as { abuseError?: unknown }).abuseError === true;
}
