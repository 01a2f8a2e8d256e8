import { useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { billLabel, billsById } from '../bills.js';
import { ErrorAlert, html, Loading, messageClass, PageTitle, SelectField, ShortId, StatusBadge, TextField, Time, useAction, useLoad } from '../ui.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The invoice's NetSuite internal id, linking to its record in NetSuite. */
export function NetSuiteLink({ run }) {
  if (!run.externalId) return html`<span class="muted">—</span>`;
  if (!run.url) return html`<span class="mono">${run.externalId}</span>`;
  return html`<a href=${run.url} target="_blank" rel="noopener noreferrer" class="mono">${run.externalId}<span class="visually-hidden"> (opens the invoice in NetSuite in a new tab)</span></a>`;
}

/** A run's bill as finance knows it (customer · date · amount), linking to the bill's runs. */
function BillCell({ billId, bills }) {
  const bill = bills?.get(billId);
  return html`<a href=${`#/runs?bill=${billId}`} aria-label=${`Runs of bill ${bill ? billLabel(bill, { status: false }) : billId}`} title=${billId}>${bill ? html`${billLabel(bill, { status: false })}<span class="visually-hidden"> (bill ${billId})</span>` : html`<${ShortId} value=${billId} />`}</a>`;
}

/** Runs as a table; `configs` (id → config) adds the integration column, `bills` (id → bill) labels the bills. */
export function RunsTable({ runs, configs, bills, caption }) {
  if (runs.length === 0) return html`<p class="empty">No runs yet.</p>`;
  return html`<div class="table-wrap"><table class="runs">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr>
      <th scope="col">Status</th>
      ${configs && html`<th scope="col">Integration</th>`}
      <th scope="col">Bill</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Completed</th><th scope="col">NetSuite id</th><th scope="col">What happened</th><th scope="col"><span class="visually-hidden">Details</span></th>
    </tr></thead>
    <tbody>
      ${runs.map(
        (run) => html`<tr key=${run.id} data-run-id=${run.id}>
          <td><${StatusBadge} status=${run.status} /></td>
          ${configs && html`<td><a href=${`#/integrations/${run.configId}`}>${configs.get(run.configId)?.name ?? run.configId}</a></td>`}
          <td><${BillCell} billId=${run.entityId} bills=${bills} /></td>
          <td>${run.trigger}</td>
          <td><${Time} value=${run.dtStarted} /></td>
          <td><${Time} value=${run.dtCompleted} /></td>
          <td><${NetSuiteLink} run=${run} /></td>
          <td class=${`message ${messageClass(run.status)}`}>${run.error ?? ''}</td>
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

export function InvoiceBody({ invoice, label = 'Invoice body', open = true }) {
  if (!invoice) return html`<p class="empty">No invoice body.</p>`;
  return html`<details open=${open}><summary>${label}</summary><pre class="json" tabindex="0" aria-label=${label}>${JSON.stringify(invoice, null, 2)}</pre></details>`;
}

const reference = (ref) => (ref ? (ref.id ? `internal id ${ref.id}` : ref.externalId ? `externalId ${ref.externalId}` : JSON.stringify(ref)) : '—');

/** The invoice as an accountant reads it: who, when, every line with its item and amount, the total. */
export function InvoiceTable({ invoice, caption = 'The invoice' }) {
  if (!invoice) return html`<p class="empty">No invoice.</p>`;
  const lines = invoice.item?.items ?? [];
  const total = lines.reduce((sum, line) => sum + (typeof line.amount === 'number' ? line.amount : 0), 0);
  return html`<div class="invoice-view">
    <dl class="details">
      <dt>Customer</dt><dd class="mono">${reference(invoice.entity)}</dd>
      <dt>Date</dt><dd>${invoice.tranDate ?? '—'}${invoice.dueDate ? html` <span class="muted">· due ${invoice.dueDate}</span>` : ''}</dd>
      ${invoice.otherRefNum && html`<dt>PO number</dt><dd>${invoice.otherRefNum}</dd>`}
      ${invoice.currency && html`<dt>Currency</dt><dd class="mono">${reference(invoice.currency)}</dd>`}
    </dl>
    <div class="table-wrap"><table class="invoice">
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Item</th><th scope="col">Description</th><th scope="col" class="amount">Quantity</th><th scope="col" class="amount">Rate</th><th scope="col" class="amount">Amount</th></tr></thead>
      <tbody>${lines.map(
        (line, i) => html`<tr key=${i}><td>${i + 1}</td><td class="mono">${reference(line.item).replace('internal id ', '')}</td><td>${line.description ?? ''}</td><td class="amount">${line.quantity ?? ''}</td><td class="amount">${line.rate ?? ''}</td><td class="amount">${money(line.amount)}</td></tr>`,
      )}</tbody>
      <tfoot><tr><td colspan="5">Total</td><td class="amount" data-total>${total.toFixed(2)}</td></tr></tfoot>
    </table></div>
  </div>`;
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
  const bills = await billsById(runs.map((r) => r.entityId));
  return { configs, configList, runs, bills };
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
    ${data && billId && data.bills.get(billId) && html`<p>Runs of bill <strong>${billLabel(data.bills.get(billId))}</strong> · <a href=${`#/bills?account=${data.bills.get(billId).accountId}`}>the account's bills</a></p>`}
    ${data && html`<${RunsTable} runs=${data.runs} configs=${data.configs} bills=${data.bills} caption="Integration runs" />`}
  `;
}

async function loadRun(id) {
  const run = await api('GET', `/integrationruns/${id}`);
  const [bills, children] = await Promise.all([billsById([run.entityId]), api('GET', `/integrationruns/Bill/${run.entityId}?pageSize=200`)]);
  // The runs that re-ran this one, newest first: the link a Re-run leads to.
  const reruns = children.data.filter((r) => r.parentIntegrationRunId === run.id).sort((a, b) => (b.dtStarted ?? '').localeCompare(a.dtStarted ?? ''));
  return { run, bill: bills.get(run.entityId), reruns };
}

/** One run: its fields, the invoice it sent (as a table and as the raw body) and every decision; re-run from here. */
export function RunDetails({ id }) {
  const { data, error, loading, reload } = useLoad(() => loadRun(id), [id], { pollMs: 3000 });
  const [requested, setRequested] = useState(false);
  const rerun = useAction(async () => {
    await api('POST', `/integrationruns/${id}/rerun`);
    setRequested(true);
    reload();
  });
  if (loading) return html`<${Loading} what="Loading the run" />`;
  if (!data) return html`<${PageTitle}>Integration run</${PageTitle}><${ErrorAlert} error=${error} />`;
  const { run, bill, reruns } = data;
  const newest = reruns[0];
  return html`
    <p class="breadcrumb"><a href=${`#/integrations/${run.configId}`}>Integration</a> › <a href=${`#/runs?bill=${run.entityId}`}>Runs of the bill</a> › Run</p>
    <${PageTitle} title="Integration run">Integration run <${StatusBadge} status=${run.status} /></${PageTitle}>
    <${ErrorAlert} error=${error ?? rerun.error} />
    ${requested && !newest && html`<div class="alert alert-info" role="status">Re-run requested: the new run appears here as soon as it starts.</div>`}
    ${newest && html`<div class="alert alert-info" role="status">${requested ? 'A new run started: ' : 'This run was re-run: '}<a href=${`#/runs/${newest.id}`}>go to the new run</a> <${StatusBadge} status=${newest.status} /></div>`}
    <section class="card" aria-labelledby="run-heading">
      <h2 id="run-heading">Details</h2>
      <dl class="details">
        <dt>Bill</dt><dd>${bill ? html`<strong>${billLabel(bill)}</strong> ` : ''}<span class="mono muted">${run.entityId} (version ${run.entityVersion ?? '—'})</span></dd>
        <dt>Trigger</dt><dd>${run.trigger}</dd>
        <dt>Started</dt><dd><${Time} value=${run.dtStarted} /></dd>
        <dt>Completed</dt><dd><${Time} value=${run.dtCompleted} /></dd>
        <dt>NetSuite id</dt><dd><${NetSuiteLink} run=${run} /></dd>
        <dt>Invoice externalId</dt><dd class="mono">${run.invoiceExternalId ?? '—'}</dd>
        <dt>What happened</dt><dd class=${messageClass(run.status)}>${run.error ?? '—'}</dd>
        ${run.parentIntegrationRunId && html`<dt>Re-run of</dt><dd><a href=${`#/runs/${run.parentIntegrationRunId}`}>${run.parentIntegrationRunId}</a></dd>`}
        <dt>Workflow</dt><dd class="mono">${run.workflowId}</dd>
      </dl>
      <div class="actions"><button type="button" class="secondary" onClick=${() => rerun.run()} disabled=${rerun.running}>Re-run this bill</button></div>
    </section>
    <section class="card" aria-labelledby="invoice-heading">
      <h2 id="invoice-heading">What was sent</h2>
      ${run.invoiceBody
        ? html`<div class="side-by-side">
            <${InvoiceTable} invoice=${run.invoiceBody} caption="The invoice this run sent" />
            <${InvoiceBody} invoice=${run.invoiceBody} label="Raw invoice body" open=${false} />
          </div>`
        : html`<p class="empty">No invoice was sent.</p>`}
      <h3>Decisions</h3>
      <${Decisions} decisions=${run.decisions} />
    </section>
  `;
}
