import { HttpError } from '../../shared/http-error.js';
import { IdentityError } from '../identity/identity-error.js';

/** What an admin endpoint does with a body's field names and the identity store's refusals. */

/** The API's field names to the store's (`fields`: API name to store name); one it doesn't know is a 400 naming it, never ignored. */
export function toStoreFields(body: Record<string, unknown>, fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const known = Object.keys(fields);
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => {
      if (!Object.hasOwn(fields, name)) throw new HttpError(400, `Unknown field ${JSON.stringify(name)}; this endpoint takes ${known.join(', ')}`, { param: name, code: 'unknown_field' });
      return [fields[name] as string, value];
    }),
  );
}

/** The store's field names that the API spells otherwise. */
const API_NAMES: Readonly<Record<string, string>> = { monthlyBudgetUsd: 'monthlyUsd', dailyBudgetUsd: 'dailyUsd', budgetMode: 'mode', allowedModels: 'models' };

export function apiName(storeField: string): string {
  return API_NAMES[storeField] ?? storeField;
}

/** An IdentityError as the API's answer (400 invalid, 404 not found, 409 conflict), naming the field as the API does; anything else as it is. */
export function identityRefusal(error: unknown): unknown {
  if (!(error instanceof IdentityError)) return error;
  let message = error.message;
  for (const [store, api] of Object.entries(API_NAMES)) message = message.split(store).join(api);
  const status = { invalid: 400, not_found: 404, conflict: 409 }[error.code];
  return new HttpError(status, message, { param: apiName(error.field), code: error.code });
}
