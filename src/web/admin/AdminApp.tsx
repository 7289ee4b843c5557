import { useEffect, useState } from 'preact/hooks';
import { whenUnauthorized } from '../api.js';
import { Nav, type NavPage } from '../components/Nav.js';
import { ScreenStatus } from '../components/Status.js';
import { useHashRoute, useResource } from '../hooks.js';
import { adminApi, type AdminSessionView } from './admin-api.js';
import { LogIn } from './pages/LogIn.js';
import { Quotas } from './pages/Quotas.js';
import { Requests } from './pages/Requests.js';
import { Spend } from './pages/Spend.js';
import { Teams } from './pages/Teams.js';
import { Users } from './pages/Users.js';

export const ADMIN_PAGES = [
  { id: 'spend', label: 'Spend' },
  { id: 'quotas', label: 'Quotas' },
  { id: 'users', label: 'Users & keys', short: 'Users' },
  { id: 'teams', label: 'Teams' },
  { id: 'requests', label: 'Live requests', short: 'Live' },
] as const satisfies readonly NavPage[];

type AdminPageId = (typeof ADMIN_PAGES)[number]['id'];

function Page({ page, session }: { page: AdminPageId; session: AdminSessionView }) {
  switch (page) {
    case 'spend':
      return <Spend timeZone={session.timeZone} />;
    case 'quotas':
      return <Quotas />;
    case 'users':
      return <Users timeZone={session.timeZone} />;
    case 'teams':
      return <Teams />;
    case 'requests':
      return <Requests timeZone={session.timeZone} />;
  }
}

/** The session first: without one, the login form and nothing else; with one, the pages. */
export function AdminApp() {
  const session = useResource(adminApi.session, []);
  const [loggedOut, setLoggedOut] = useState(false);
  const route = useHashRoute();
  const page: AdminPageId = ADMIN_PAGES.find((item) => item.id === route)?.id ?? 'spend';

  useEffect(() => whenUnauthorized(() => setLoggedOut(true)), []);
  useEffect(() => {
    const label = ADMIN_PAGES.find((item) => item.id === page)?.label ?? '';
    document.title = `${label} · Lodestar admin`;
  }, [page]);

  const loggedIn = () => {
    setLoggedOut(false);
    session.reload();
  };
  const logOut = () => {
    adminApi.logOut().then(
      () => setLoggedOut(true),
      () => setLoggedOut(true),
    );
  };

  if (loggedOut || session.error?.status === 401) return <LogIn onLoggedIn={loggedIn} />;
  if (session.error || !session.data) return <ScreenStatus error={session.error} retry={session.reload} what="Connecting to the Lodestar server" />;
  return (
    <>
      <Nav page={page} version={session.data.version} pages={ADMIN_PAGES} badge="admin">
        <button type="button" class="button small ghost" data-testid="logout" onClick={logOut} title={session.data.key ? `Logged in with ${session.data.key}…` : undefined}>
          Log out
        </button>
      </Nav>
      <main class="page" id="main">
        <Page key={page} page={page} session={session.data} />
      </main>
    </>
  );
}
