/**
 * JSON Merge Patch (RFC 7396): an object in the patch merges into the target key by key, `null`
 * removes a key, anything else (a list, a number) replaces what was there. Used where a
 * document is changed a few fields at a time (`lodestar admin team set`), so that a client sends
 * only what it changes instead of reading the document and writing all of it back.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  if (isObject(target)) for (const [key, value] of Object.entries(target)) define(result, key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else define(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** As `object[key] = value`, except that a key "__proto__" (JSON.parse makes one) stays a key and never sets the prototype. */
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
