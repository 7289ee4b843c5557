/**
 * A field of the request that this upstream can't take. Raised before anything is sent, so the
 * gateway can try another candidate, or answer 400 naming the field when none is left.
 */
export class TranslationError extends Error {
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.name = 'TranslationError';
    this.param = param;
  }
}
