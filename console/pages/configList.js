import { useEffect, useRef, useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { ErrorAlert, html, Loading, PageTitle, StatusBadge, Time, useLoad } from '../ui.js';

/** Every integration config with the status of its newest run (one small request per config). */
async function loadConfigs() {
  const configs = await listAll('/integrationconfigs');
  return Promise.all(
    configs.map(async (config) => {
      const runs = await api('GET', `/integrationruns/destinations/${config.id}?pageSize=1`);
      return { config, lastRun: runs.data[0] };
    }),
  );
}

/** "Configure new integration" as a disclosure: a button that shows the integrations one can create. */
function ConfigureNewMenu() {
  const [open, setOpen] = useState(false);
  const menu = useRef();
  useEffect(() => {
    if (!open) return undefined;
    menu.current?.querySelector('a')?.focus();
    const close = (e) => !menu.current?.parentElement?.contains(e.target) && setOpen(false);
    addEventListener('click', close);
    return () => removeEventListener('click', close);
  }, [open]);
  const button = useRef();
  const escape = (e) => {
    if (e.key !== 'Escape' || !open) return;
    setOpen(false);
    button.current?.focus();
  };
  return html`<div class="menu" onKeyDown=${escape}>
    <button type="button" ref=${button} aria-expanded=${open ? 'true' : 'false'} aria-controls="configure-new" onClick=${() => setOpen(!open)}>Configure new integration ▾</button>
    <ul id="configure-new" class="menu-items" ref=${menu} hidden=${!open}>
      <li><a id="integrate-netsuite-bills" href="#/integrations/new">Integrate bills with NetSuite</a></li>
    </ul>
  </div>`;
}

/** The Configurations page in grid view: one row per integration, under its external system. */
export function ConfigList() {
  const { data, error, loading } = useLoad(loadConfigs, [], { pollMs: 5000 });
  return html`
    <${PageTitle}>Configurations</${PageTitle}>
    <section class="card" aria-labelledby="netsuite-heading">
      <div class="card-header">
        <h2 id="netsuite-heading">Netsuite</h2>
        <${ConfigureNewMenu} />
      </div>
      <p class="muted">Bills sent from m3ter to NetSuite as invoices.</p>
      <${ErrorAlert} error=${error} />
      ${loading && html`<${Loading} what="Loading integrations" />`}
      ${data && data.length === 0 && html`<p class="empty">No NetSuite integration yet. Choose <strong>Configure new integration</strong> to create one.</p>`}
      ${data &&
      data.length > 0 &&
      html`<div class="table-wrap"><table>
        <caption class="visually-hidden">NetSuite integrations</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Destination</th><th scope="col">Entity</th><th scope="col">Enabled</th><th scope="col">Connected</th><th scope="col">Last run</th></tr></thead>
        <tbody>
          ${data.map(
            ({ config, lastRun }) => html`<tr key=${config.id}>
              <th scope="row"><a href=${`#/integrations/${config.id}`}>${config.name}</a></th>
              <td>${config.destination}</td>
              <td>${config.entityType}</td>
              <td><${StatusBadge} status=${config.enabled ? 'ENABLED' : 'DISABLED'} /></td>
              <td><${StatusBadge} status=${config.authorized ? 'CONNECTED' : 'NOT CONNECTED'} /></td>
              <td>${lastRun ? html`<${StatusBadge} status=${lastRun.status} /> <${Time} value=${lastRun.dtStarted} />` : html`<span class="muted">No runs yet</span>`}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>`}
    </section>
  `;
}
