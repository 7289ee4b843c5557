/** The entries of `value` that are not undefined: a layer of settings merged over another keeps what it leaves out. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
