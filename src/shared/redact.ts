/**
 * Removes secrets from text bound for a log, an error message or a response. Known values
 * (the configured keys and the daemon token) are replaced wherever they appear; shapes that
 * look like keys are replaced too, for keys Lodestar was never told about.
 */
const KEY_SHAPES: readonly RegExp[] = [
  /\bsk-(?:ant-|proj-|or-v1-)?[A-Za-z0-9_-]{16,}/g,
  /\bls-[A-Za-z0-9_-]{20,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bgsk_[A-Za-z0-9]{20,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /("?(?:x-api-key|api[-_]?key|authorization)"?\s*[:=]\s*"?)[^"\s,}]{8,}/gi,
  // A password in a URL (redis://user:password@host).
  /(\/\/[^:/\s@]*:)[^@/\s]+(?=@)/g,
];

export const REDACTED = '[redacted]';

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string | undefined): void {
    // Very short values would redact ordinary words; no real key is that short.
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    for (const shape of KEY_SHAPES) {
      result = result.replace(shape, (match, prefix?: unknown) =>
        typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
      );
    }
    return result;
  }
}
