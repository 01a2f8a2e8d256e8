import { useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { Alert, ErrorAlert, html, Loading, PageTitle, SelectField, ShortId, StatusBadge, TextField, Time, useAction, useLoad } from '../ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The invoice's NetSuite internal id, linking to its record in NetSuite. */
export function NetSuiteLink({ run }) {
  if (!run.externalId) return html`<span class="muted">—</span>`;
  if (!run.url) return html`<span class="mono">${run.externalId}</span>`;
  return html`<a href=${run.url} target="_blank" rel="noopener noreferrer" class="mono">${run.externalId}<span class="visually-hidden"> (opens the invoice in NetSuite in a new tab)</span></a>`;
}

/** Runs as a table; `configs` (id → config) adds the integration column. */
export function RunsTable({ runs, configs, caption }) {
  if (runs.length === 0) return html`<p class="empty">No runs yet.</p>`;
  return html`<div class="table-wrap"><table class="runs">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>
      <th scope="col">Status</th>
      ${configs && html`<th scope="col">Integration</th>`}
      <th scope="col">Bill</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Completed</th><th scope="col">NetSuite id</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Details</span></th>
    </tr></thead>
    <tbody>
      ${runs.map(
        (run) => html`<tr key=${run.id} data-run-id=${run.id}>
          <td><${StatusBadge} status=${run.status} /></td>
          ${configs && html`<td><a href=${`#/integrations/${run.configId}`}>${configs.get(run.configId)?.name ?? run.configId}</a></td>`}
          <td><a href=${`#/runs?bill=${run.entityId}`} aria-label=${`Runs of bill ${run.entityId}`}><${ShortId} value=${run.entityId} /></a></td>
          <td>${run.trigger}</td>
          <td><${Time} value=${run.dtStarted} /></td>
          <td><${Time} value=${run.dtCompleted} /></td>
          <td><${NetSuiteLink} run=${run} /></td>
          <td class="error-text">${run.error ?? ''}</td>
          <td><a href=${`#/runs/${run.id}`} aria-label=${`Details of the run started ${run.dtStarted ?? ''}`}>Details</a></td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

const money = (amount) => (typeof amount === 'number' ? amount.toFixed(2) : '');

/** Why each invoice field and line is what it is: the decisions of a run or of a dry run. */
export function Decisions({ decisions }) {
  if (!decisions?.length) return html`<p class="empty">No decisions recorded.</p>`;
  return html`<div class="table-wrap"><table class="decisions">
    <caption class="visually-hidden">Decisions</caption>
    <thead><tr><th scope="col">Decision</th><th scope="col">About</th><th scope="col">Result</th><th scope="col">Why</th></tr></thead>
    <tbody>
      ${decisions.map((d, i) => {
        const about = d.lineItemType ? `${d.lineItemType} line ${d.lineItemId ?? ''}` : (d.field ?? d.filter ?? '');
        const result =
          d.kind === 'line' ? `item ${d.item}, amount ${money(d.amount)}`
          : d.kind === 'customer' ? JSON.stringify(d.ref)
          : d.kind === 'excluded' ? 'not sent'
          : d.kind === 'rounding' ? `adjustment ${money(d.amount)}`
          : d.kind === 'filter' ? (d.passed ? 'passed' : 'stopped the send')
          : '';
        return html`<tr key=${i}><td>${d.kind}</td><td class="mono">${about}</td><td>${result}</td><td>${d.reason ?? ''}</td></tr>`;
      })}
    </tbody>
  </table></div>`;
}

export function InvoiceBody({ invoice, label = 'Invoice body' }) {
  if (!invoice) return html`<p class="empty">No invoice body.</p>`;
  return html`<details open><summary>${label}</summary><pre class="json" tabindex="0" aria-label=${label}>${JSON.stringify(invoice, null, 2)}</pre></details>`;
}

async function loadRuns(configId, billId) {
  const configList = await listAll('/integrationconfigs');
  const configs = new Map(configList.map((c) => [c.id, c]));
  let runs;
  if (billId) {
    if (!UUID.test(billId)) throw new Error('Bill id: enter a whole bill id (a UUID).');
    runs = (await api('GET', `/integrationruns/Bill/${billId}?pageSize=200`)).data;
    if (configId) runs = runs.filter((r) => r.configId === configId);
  } else {
    // m3ter's API lists runs per destination (integration) or per bill: newest of every integration, merged.
    const ids = configId ? [configId] : [...configs.keys()];
    const lists = await Promise.all(ids.map((id) => api('GET', `/integrationruns/destinations/${id}?pageSize=100`)));
    runs = lists.flatMap((l) => l.data).sort((a, b) => (b.dtStarted ?? '').localeCompare(a.dtStarted ?? ''));
  }
  return { configs, configList, runs };
}

/** Runs, filterable by integration and by bill, refreshed while shown. */
export function Runs({ configId, billId }) {
  const { data, error, loading } = useLoad(() => loadRuns(configId, billId), [configId, billId], { pollMs: 3000 });
  const [filter, setFilter] = useState({ configId, billId });
  const apply = (e) => {
    e.preventDefault();
    const query = new URLSearchParams();
    if (filter.configId) query.set('config', filter.configId);
    if (filter.billId.trim()) query.set('bill', filter.billId.trim());
    const text = query.toString();
    location.hash = `#/runs${text ? `?${text}` : ''}`;
  };
  return html`
    <${PageTitle}>Integration runs</${PageTitle}>
    <form class="filters card" onSubmit=${apply} aria-label="Filter runs">
      <${SelectField} id="runs-config" label="Integration" value=${filter.configId} onChange=${(v) => setFilter({ ...filter, configId: v })} options=${[{ value: '', label: 'All integrations' }, ...(data?.configList ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
      <${TextField} id="runs-bill" label="Bill id" value=${filter.billId} onInput=${(v) => setFilter({ ...filter, billId: v })} class="mono" placeholder="any bill" />
      <button type="submit">Show runs</button>
    </form>
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} what="Loading runs" />`}
    ${data && html`<${RunsTable} runs=${data.runs} configs=${data.configs} caption="Integration runs" />`}
  `;
}

/** One run: its fields, the invoice body it sent and every decision; re-run from here. */
export function RunDetails({ id }) {
  const { data: run, error, loading, reload } = useLoad(() => api('GET', `/integrationruns/${id}`), [id], { pollMs: 3000 });
  const [started, setStarted] = useState('');
  const rerun = useAction(async () => {
    const result = await api('POST', `/integrationruns/${id}/rerun`);
    setStarted(`A new run started (workflow ${result.workflowId}). It appears in the runs of this bill.`);
    reload();
  });
  if (loading) return html`<${Loading} what="Loading the run" />`;
  if (!run) return html`<${PageTitle}>Integration run</${PageTitle}><${ErrorAlert} error=${error} />`;
  return html`
    <p class="breadcrumb"><a href=${`#/integrations/${run.configId}`}>Integration</a> › <a href=${`#/runs?bill=${run.entityId}`}>Runs of the bill</a> › Run</p>
    <${PageTitle} title="Integration run">Integration run <${StatusBadge} status=${run.status} /></${PageTitle}>
    <${ErrorAlert} error=${error ?? rerun.error} />
    <${Alert} kind="info">${started}</${Alert}>
    <section class="card" aria-labelledby="run-heading">
      <h2 id="run-heading">Details</h2>
      <dl class="details">
        <dt>Bill</dt><dd class="mono">${run.entityId} (version ${run.entityVersion ?? '—'})</dd>
        <dt>Trigger</dt><dd>${run.trigger}</dd>
        <dt>Started</dt><dd><${Time} value=${run.dtStarted} /></dd>
        <dt>Completed</dt><dd><${Time} value=${run.dtCompleted} /></dd>
        <dt>NetSuite id</dt><dd><${NetSuiteLink} run=${run} /></dd>
        <dt>Invoice externalId</dt><dd class="mono">${run.invoiceExternalId ?? '—'}</dd>
        <dt>Error</dt><dd class="error-text">${run.error ?? '—'}</dd>
        ${run.parentIntegrationRunId && html`<dt>Re-run of</dt><dd><a href=${`#/runs/${run.parentIntegrationRunId}`}>${run.parentIntegrationRunId}</a></dd>`}
        <dt>Workflow</dt><dd class="mono">${run.workflowId}</dd>
      </dl>
      <div class="actions"><button type="button" class="secondary" onClick=${() => rerun.run()} disabled=${rerun.running}>Re-run this bill</button></div>
    </section>
    <section class="card" aria-labelledby="invoice-heading">
      <h2 id="invoice-heading">What was sent</h2>
      <${InvoiceBody} invoice=${run.invoiceBody} />
      <h3>Decisions</h3>
      <${Decisions} decisions=${run.decisions} />
    </section>
  `;
}
