// The app shell: the header with the stack's name, the pages, the live indicator and who is
// logged in; the login form whenever there is no session. The overview is part of the first
// load; every other page is its own chunk, loaded when first opened.

import { useEffect } from 'preact/hooks';
import { Notice } from './components/bits';
import { lazy } from './components/lazy';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { navigate, useLocation, type Route } from './router';
import { useStack } from './state/stack';
import { logOut, useSession } from './state/session';

const TopologyPage = lazy(() => import('./pages/topology'));
const ServicePage = lazy<{ name: string }>(() => import('./pages/service'));
const WorkflowsPage = lazy(() => import('./pages/workflows'));
const WorkflowPage = lazy<{ name: string }>(() => import('./pages/workflow'));
const RunsPage = lazy(() => import('./pages/runs'));
const RunPage = lazy<{ id: string }>(() => import('./pages/run'));
const AlertsPage = lazy(() => import('./pages/alerts'));
const LogsPage = lazy(() => import('./pages/logs'));

const NAV: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '/', label: 'Overview', pages: ['overview'] },
  { href: '/topology', label: 'Topology', pages: ['topology', 'service'] },
  { href: '/workflows', label: 'Workflows', pages: ['workflows', 'workflow', 'runs', 'run'] },
  { href: '/alerts', label: 'Alerts', pages: ['alerts'] },
  { href: '/logs', label: 'Logs', pages: ['logs'] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview': return <OverviewPage />;
    case 'topology': return <TopologyPage />;
    case 'service': return <ServicePage name={route.name} key={route.name} />;
    case 'workflows': return <WorkflowsPage />;
    case 'workflow': return <WorkflowPage name={route.name} key={route.name} />;
    case 'runs': return <RunsPage />;
    case 'run': return <RunPage id={route.id} key={route.id} />;
    case 'alerts': return <AlertsPage />;
    case 'logs': return <LogsPage />;
    case 'login': return null;
    default: return <Notice>There is no such page. <a href="/">Go to the overview</a>.</Notice>;
  }
}

function Header({ route }: { route: Route }) {
  const session = useSession();
  const live = useStack();
  const firing = live.alerts?.rules.filter((r) => r.state === 'firing').length ?? 0;
  return (
    <header class="top">
      <a href="/" class="brand" aria-label="tutti overview">
        <span class="brand-dot" aria-hidden="true" />
        tutti
        <span class="brand-stack">{live.stack?.name ?? ''}</span>
      </a>
      <nav aria-label="pages">
        {NAV.map((n) => (
          <a key={n.href} href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
            {n.label}
            {n.href === '/alerts' && firing > 0 && <span class="count tone-bad" aria-label={`${firing} firing`}>{firing}</span>}
          </a>
        ))}
      </nav>
      <div class="top-right">
        <span class={`live ${live.connected ? 'on' : 'off'}`} title={live.connected ? 'live updates on' : 'reconnecting…'} role="status">
          <span class="live-dot" aria-hidden="true" />
          {live.connected ? 'live' : 'offline'}
        </span>
        {session.status === 'in' && (
          <>
            <span class="role" title="the role of this session">{session.role}</span>
            <button class="btn btn-small" type="button" onClick={() => void logOut()}>
              Log out
            </button>
          </>
        )}
      </div>
    </header>
  );
}

export function App() {
  const session = useSession();
  const { route } = useLocation();
  // after logging in at /login, go to the overview
  useEffect(() => {
    if (session.status === 'in' && route.page === 'login') navigate('/', { replace: true });
  }, [session.status, route.page]);

  if (session.status === 'checking') return <div class="page-loading" aria-busy="true" />;
  if (session.status === 'out') return <LoginPage reason={session.reason} />;
  return (
    <>
      <Header route={route} />
      <main id="main">
        <Page route={route} />
      </main>
    </>
  );
}
