import type { IncomingMessage } from 'node:http';
import { tokensMatch } from '../../shared/token.js';
import { HttpError } from '../../shared/http-error.js';

/**
 * Wants the daemon token as `Authorization: Bearer <token>` or `x-api-key: <token>`. The
 * presented value is never echoed, right or wrong.
 */
export function createAuth(token: string): (request: IncomingMessage) => void {
  const expected = Buffer.from(token);
  return function auth(request: IncomingMessage): void {
    const authorization = request.headers.authorization;
    let presented: string | undefined;
    if (authorization !== undefined) {
      presented = /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
    } else {
      const apiKey = request.headers['x-api-key'];
      presented = Array.isArray(apiKey) ? apiKey[0] : apiKey;
    }
    if (presented === undefined || presented === '') {
      throw new HttpError(401, 'Missing token: send "Authorization: Bearer <token>", the token being the content of $LODESTAR_HOME/token', {
        code: 'invalid_api_key',
      });
    }
    if (!tokensMatch(expected, presented)) {
      throw new HttpError(401, 'Wrong token: use the content of $LODESTAR_HOME/token (`lodestar aider` passes it for you)', {
        code: 'invalid_api_key',
      });
    }
  };
}
