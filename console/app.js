// The console: hash routes (the token never appears in a URL, only in sessionStorage) and the layout.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, onSessionChange, signOut } from './api.js';
import { html } from './ui.js';
import { SignIn } from './pages/signIn.js';
import { ConfigList } from './pages/configList.js';
import { ConfigForm } from './pages/configForm.js';
import { ConfigDetails } from './pages/configDetails.js';
import { Credentials } from './pages/credentials.js';
import { RunDetails, Runs } from './pages/runs.js';
import { Events } from './pages/events.js';
import { Bills } from './pages/bills.js';

/**
 * `#/integrations/abc?x=1` → { path: ['integrations', 'abc'], query: URLSearchParams }. The ids go into
 * API paths as they are: a segment that decodes to a path of its own (`..%2Fx`, `a%3Fb`) would send a
 * request somewhere else than the screen says, so such an address is no screen at all.
 */
function parseHash(hash) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  let segments;
  try {
    segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = ['not-found'];
  }
  if (segments.some((s) => /[/?#\\%]/.test(s) || s === '.' || s === '..')) segments = ['not-found'];
  return { path: segments, query: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

function page({ path, query }) {
  const [section, id, action] = path;
  switch (section) {
    case undefined:
    case 'integrations':
      if (id === 'new') return html`<${ConfigForm} />`;
      if (id && action === 'edit') return html`<${ConfigForm} id=${id} />`;
      if (id) return html`<${ConfigDetails} id=${id} mapAccount=${query.get('mapAccount') ?? ''} />`;
      return html`<${ConfigList} />`;
    case 'bills':
      return html`<${Bills} key=${query.toString()} accountId=${query.get('account') ?? ''} from=${query.get('from') ?? ''} to=${query.get('to') ?? ''} status=${query.get('status') ?? ''} />`;
    case 'credentials':
      return html`<${Credentials} />`;
    case 'runs':
      return id ? html`<${RunDetails} key=${id} id=${id} />` : html`<${Runs} key=${query.toString()} configId=${query.get('config') ?? ''} billId=${query.get('bill') ?? ''} />`;
    case 'events':
      return html`<${Events} key=${query.toString()} configId=${query.get('config') ?? ''} billId=${query.get('bill') ?? ''} includeResolved=${query.get('resolved') === 'true'} />`;
    default:
      return html`<h1>Not found</h1><p>No screen at this address. <a href="#/integrations">Go to the integrations</a>.</p>`;
  }
}

const NAV = [
  ['integrations', 'Integrations'],
  ['bills', 'Bills'],
  ['credentials', 'Credentials'],
  ['runs', 'Runs'],
  ['events', 'Events'],
];

function App() {
  const route = useRoute();
  const [session, setSession] = useState(currentSession);
  const [notice, setNotice] = useState('');
  useEffect(
    () =>
      onSessionChange((next, reason) => {
        setSession(next);
        setNotice(reason ?? '');
      }),
    [],
  );
  if (!session) return html`<main id="main" class="narrow"><${SignIn} notice=${notice} /></main>`;
  const section = route.path[0] ?? 'integrations';
  return html`
    <a class="skip-link" href="#main" onClick=${(e) => (e.preventDefault(), document.querySelector('main h1')?.focus())}>Skip to content</a>
    <header class="top">
      <span class="brand">m3ter → NetSuite</span>
      <nav aria-label="Console">
        <ul>
          ${NAV.map(([key, label]) => html`<li><a href=${`#/${key}`} aria-current=${section === key ? 'page' : undefined}>${label}</a></li>`)}
        </ul>
      </nav>
      <span class="org">Organization <code>${session.orgId}</code></span>
      <button type="button" class="secondary small" onClick=${() => signOut('You signed out.')}>Sign out</button>
    </header>
    <main id="main">${page(route)}</main>
  `;
}

const root = document.getElementById('app');
// The "Loading…" placeholder is plain HTML; render() adds to a container rather than replacing it.
root.textContent = '';
render(html`<${App} />`, root);
