import { useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { billLabel } from '../bills.js';
import { Alert, ErrorAlert, html, Loading, PageTitle, SelectField, StatusBadge, TextField, useAction, useLoad } from '../ui.js';

/** The day after an ISO date: m3ter's billDateEnd is exclusive, a period's last day is not. */
function dayAfter(date) {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

async function loadBills({ accountId, from, to, status }) {
  const query = new URLSearchParams({ excludeLineItems: 'true', pageSize: '200' });
  if (accountId) query.set('accountId', accountId);
  if (from) query.set('billDateStart', from);
  if (to) query.set('billDateEnd', dayAfter(to));
  if (status) query.set('status', status);
  const [accounts, bills] = await Promise.all([listAll('/accounts'), listAll(`/bills?${query}`, 2000)]);
  bills.sort((a, b) => b.billDate.localeCompare(a.billDate) || (a.accountCode ?? '').localeCompare(b.accountCode ?? ''));
  return { accounts, bills };
}

/**
 * Bills by account, period and status; approving one or many sends each to the NetSuite integrations,
 * through the same `POST /bills/approve` as the API and the CLI.
 */
export function Bills({ accountId, from, to, status }) {
  const { data, error, loading, reload } = useLoad(() => loadBills({ accountId, from, to, status }), [accountId, from, to, status], { pollMs: 5000 });
  const [filter, setFilter] = useState({ accountId, from, to, status });
  const [selected, setSelected] = useState([]);
  const [done, setDone] = useState('');
  const approve = useAction(async (ids) => {
    setDone('');
    const result = await api('POST', '/bills/approve', { billIds: ids });
    setSelected((s) => s.filter((id) => !ids.includes(id)));
    setDone(`${result.message}: each is on its way to the NetSuite integrations. Their runs show how it went.`);
    await reload();
  });
  const apply = (e) => {
    e.preventDefault();
    const query = new URLSearchParams(Object.entries({ account: filter.accountId, from: filter.from, to: filter.to, status: filter.status }).filter(([, v]) => v));
    const text = query.toString();
    location.hash = `#/bills${text ? `?${text}` : ''}`;
  };
  const accounts = data?.accounts ?? [];
  const accountName = new Map(accounts.map((a) => [a.id, a.name]));
  const pending = (data?.bills ?? []).filter((b) => b.status === 'PENDING');
  const toggle = (id, on) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));
  const allPendingSelected = pending.length > 0 && pending.every((b) => selected.includes(b.id));
  return html`
    <${PageTitle}>Bills</${PageTitle}>
    <p class="muted">Approving a bill sends it to every NetSuite integration (those with Only send bill on approval wait for it).</p>
    <form class="filters card" onSubmit=${apply} aria-label="Filter bills">
      <${SelectField} id="bills-account" label="Account" value=${filter.accountId} onChange=${(v) => setFilter({ ...filter, accountId: v })} options=${[{ value: '', label: 'All accounts' }, ...accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.code})` }))]} />
      <${TextField} id="bills-from" type="date" label="Bill date from" value=${filter.from} onInput=${(v) => setFilter({ ...filter, from: v })} />
      <${TextField} id="bills-to" type="date" label="to (included)" value=${filter.to} onInput=${(v) => setFilter({ ...filter, to: v })} />
      <${SelectField} id="bills-status" label="Status" value=${filter.status} onChange=${(v) => setFilter({ ...filter, status: v })} options=${[{ value: '', label: 'Any status' }, { value: 'PENDING', label: 'Pending approval' }, { value: 'APPROVED', label: 'Approved' }]} />
      <button type="submit">Show bills</button>
    </form>
    <${ErrorAlert} error=${error ?? approve.error} />
    <${Alert} kind="info">${done}</${Alert}>
    ${loading && html`<${Loading} what="Loading bills" />`}
    ${data && data.bills.length === 0 && html`<p class="empty">No bills match.</p>`}
    ${data &&
    data.bills.length > 0 &&
    html`<div class="toolbar actions">
        <button type="button" onClick=${() => approve.run(selected)} disabled=${selected.length === 0 || approve.running}>${approve.running ? 'Approving…' : `Approve selected (${selected.length})`}</button>
        <span class="muted">${pending.length} pending approval · ${data.bills.length} shown</span>
      </div>
      <div class="table-wrap"><table class="bills">
        <caption class="visually-hidden">Bills</caption>
        <thead><tr>
          <th scope="col"><input type="checkbox" aria-label="Select every bill pending approval" checked=${allPendingSelected} disabled=${pending.length === 0} onChange=${(e) => setSelected(e.currentTarget.checked ? pending.map((b) => b.id) : [])} /></th>
          <th scope="col">Customer</th><th scope="col">Bill date</th><th scope="col">Service period</th><th scope="col">Status</th><th scope="col" class="amount">Total</th><th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr></thead>
        <tbody>${data.bills.map(
          (bill) => html`<tr key=${bill.id} data-bill-id=${bill.id}>
            <td>${bill.status === 'PENDING' && html`<input type="checkbox" aria-label=${`Select ${billLabel(bill)}`} checked=${selected.includes(bill.id)} onChange=${(e) => toggle(bill.id, e.currentTarget.checked)} />`}</td>
            <th scope="row">${accountName.get(bill.accountId) ?? bill.accountId} <span class="muted">${bill.accountCode ?? ''}</span></th>
            <td>${bill.billDate}</td>
            <td>${bill.startDate && bill.endDate ? `${bill.startDate} – ${bill.endDate}` : html`<span class="muted">—</span>`}</td>
            <td><${StatusBadge} status=${bill.status} /></td>
            <td class="amount">${Number(bill.billTotal).toFixed(2)} ${bill.currency}</td>
            <td class="row-actions">
              ${bill.status === 'PENDING' && html`<button type="button" class="small" onClick=${() => approve.run([bill.id])} disabled=${approve.running} aria-label=${`Approve ${billLabel(bill)}`}>Approve</button> `}
              <a href=${`#/runs?bill=${bill.id}`} aria-label=${`Runs of ${billLabel(bill)}`}>Runs</a>
            </td>
          </tr>`,
        )}</tbody>
      </table></div>`}
  `;
}
