import { LodestarError } from '../../shared/errors.js';

/**
 * invalid: a value is wrong in itself (an empty email, a negative budget); not_found: it names
 * nothing (an unknown team, a key id that isn't one); conflict: it would duplicate what exists (an
 * email or a team name already taken). The admin API answers 400, 404 and 409.
 */
export type IdentityErrorCode = 'invalid' | 'not_found' | 'conflict';

/** Bad input to the identity store: names the field, so an admin sees which value to fix. */
export class IdentityError extends LodestarError {
  readonly code: IdentityErrorCode;
  /** The input's property name: email, team, name, monthlyBudgetUsd, rpm, id, ... */
  readonly field: string;

  constructor(code: IdentityErrorCode, field: string, message: string) {
    super(message, { exitCode: code === 'invalid' ? 2 : 1 });
    this.name = 'IdentityError';
    this.code = code;
    this.field = field;
  }
}
