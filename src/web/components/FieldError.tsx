import type { ApiError } from '../api.js';

/**
 * Whether a 400's param is about the field at `path`: that path, or with `nested` (a list, an
 * object) a path inside it (routing.preferred.2).
 */
function claims(path: string, error: ApiError | undefined, nested = false): boolean {
  const param = error?.param;
  return typeof param === 'string' && (param === path || (nested && param.startsWith(`${path}.`)));
}

/** The daemon's message under the field whose config path the failed call named. */
export function FieldError({ path, error, nested = false }: { path: string; error: ApiError | undefined; nested?: boolean }) {
  if (!error || !claims(path, error, nested)) return null;
  return (
    <p class="field-error" role="alert" data-testid={`field-error-${path}`} id={`error-${path}`}>
      {error.message}
    </p>
  );
}

/** A failed save's message when no field of the form claims it (`nested` as for FieldError). */
export function FormError({ error, paths, nested = [] }: { error: ApiError | undefined; paths: readonly string[]; nested?: readonly string[] }) {
  if (!error || paths.some((path) => claims(path, error)) || nested.some((path) => claims(path, error, true))) return null;
  return (
    <p class="form-error" role="alert">
      {error.message}
    </p>
  );
}
