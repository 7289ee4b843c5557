import { LoginCard } from '../components/LoginCard.js';

/** No session: how to get one. Nothing else is fetched. */
export function LoginNeeded() {
  return (
    <LoginCard title="Not logged in" testid="login-needed">
      <p>
        Run <code>lodestar ui</code> in a terminal and open the link it prints (the link works once, for a minute).
      </p>
    </LoginCard>
  );
}
