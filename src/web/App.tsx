import { useEffect, useState } from 'preact/hooks';
import { api, whenUnauthorized, type Session } from './api.js';
import { Nav, PAGES, type PageId } from './components/Nav.js';
import { ScreenStatus } from './components/Status.js';
import { useHashRoute, useResource } from './hooks.js';
import { LoginNeeded } from './pages/LoginNeeded.js';
import { Models } from './pages/Models.js';
import { Overview } from './pages/Overview.js';
import { Projects } from './pages/Projects.js';
import { Providers } from './pages/Providers.js';
import { Settings } from './pages/Settings.js';

function Page({ page, session }: { page: PageId; session: Session }) {
  switch (page) {
    case 'overview':
      return <Overview timeZone={session.timeZone} />;
    case 'models':
      return <Models />;
    case 'projects':
      return <Projects />;
    case 'providers':
      return <Providers timeZone={session.timeZone} />;
    case 'settings':
      return <Settings />;
  }
}

/** The session first: without one, the login screen and nothing else; with one, the pages. */
export function App() {
  const session = useResource(api.session, []);
  const [loggedOut, setLoggedOut] = useState(false);
  const route = useHashRoute();
  const page: PageId = PAGES.find((item) => item.id === route)?.id ?? 'overview';

  useEffect(() => whenUnauthorized(() => setLoggedOut(true)), []);
  useEffect(() => {
    const label = PAGES.find((item) => item.id === page)?.label ?? '';
    document.title = `${label} · Lodestar`;
  }, [page]);

  if (loggedOut || session.error?.status === 401) return <LoginNeeded />;
  if (session.error || !session.data) return <ScreenStatus error={session.error} retry={session.reload} what="Connecting to Lodestar" />;
  return (
    <>
      <Nav page={page} version={session.data.version} />
      <main class="page" id="main">
        <Page key={page} page={page} session={session.data} />
      </main>
    </>
  );
}
