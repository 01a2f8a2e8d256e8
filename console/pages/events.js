import { useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { billLabel, billsById } from '../bills.js';
import { CheckboxField, ErrorAlert, html, Loading, PageTitle, SelectField, ShortId, TextField, Time, useAction, useLoad } from '../ui.js';

/**
 * m3ter's follow-up per event, by its name: a refused or failed send leads to its run, a missing account
 * mapping to the mapping form pre-filled with the account, a refused credential (or a disabled
 * integration) to the integration. `what` says in a few words what happened.
 */
const FOLLOW_UPS = {
  'integration.validation.error': { what: 'NetSuite refused the invoice', action: 'run' },
  'integration.perform.error': { what: 'The send failed', action: 'run' },
  'integration.missingaccountmapping.error': { what: 'The account has no NetSuite customer mapping', action: 'mapping' },
  'integration.authentication.error': { what: 'NetSuite did not accept the connection', action: 'integration' },
  'integration.disabled.error': { what: 'The integration disabled itself', action: 'integration' },
};

function FollowUp({ event }) {
  const m = event.m3terEvent;
  const action = FOLLOW_UPS[event.eventName]?.action;
  if (action === 'run' && m.runId) return html`<a class="button secondary small" href=${`#/runs/${m.runId}`}>Go to integration run</a>`;
  if (action === 'mapping' && m.accountId) return html`<a class="button secondary small" href=${`#/integrations/${m.configId}?mapAccount=${m.accountId}`}>Create external mapping</a>`;
  return html`<a class="button secondary small" href=${`#/integrations/${m.configId}`}>Go to integration</a>`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadEvents(configId, billId, includeResolved) {
  const configList = await listAll('/integrationconfigs');
  if (billId && !UUID.test(billId)) throw new Error('Bill id: enter a whole bill id (a UUID).');
  // m3ter's resourceId filter takes one id: the bill when given (then narrowed to the integration here).
  const query = new URLSearchParams({ eventType: 'IntegrationEvent', includeActioned: String(includeResolved), pageSize: '200' });
  if (billId || configId) query.set('resourceId', billId || configId);
  let events = (await api('GET', `/events?${query}`)).data;
  if (billId && configId) events = events.filter((e) => e.m3terEvent.configId === configId);
  const bills = await billsById(events.map((e) => e.m3terEvent.billId));
  return { configs: new Map(configList.map((c) => [c.id, c])), configList, events, bills };
}

function EventRow({ event, configs, bills, onResolved }) {
  const resolve = useAction(async () => onResolved(await api('PUT', `/events/${event.id}/actioned`)));
  const m = event.m3terEvent;
  return html`<tr data-event-id=${event.id}>
    <td><${Time} value=${event.eventTime} /></td>
    <td class="mono event-name">${event.eventName}</td>
    <td><a href=${`#/integrations/${m.configId}`}>${configs.get(m.configId)?.name ?? m.configId}</a></td>
    <td>${m.billId
      ? html`<a href=${`#/runs?bill=${m.billId}`} aria-label=${`Runs of bill ${m.billId}`}>${bills.get(m.billId) ? html`${billLabel(bills.get(m.billId), { status: false })}<span class="visually-hidden"> (bill ${m.billId})</span>` : html`<${ShortId} value=${m.billId} />`}</a>`
      : '—'}</td>
    <td><strong>${FOLLOW_UPS[event.eventName]?.what ?? event.eventName}.</strong> ${m.reason}</td>
    <td class="event-actions">
      <${FollowUp} event=${event} />
      ${event.dtActioned
        ? html`<span class="badge badge-good">Resolved</span> <${Time} value=${event.dtActioned} />`
        : html`<button type="button" class="small" onClick=${() => resolve.run()} disabled=${resolve.running} aria-label=${`Mark resolved: ${event.eventName} at ${event.eventTime}`}>Mark resolved</button>`}
      ${resolve.error && html`<p class="field-error" role="alert">${resolve.error.message}</p>`}
    </td>
  </tr>`;
}

/** Integration events (why runs failed), filterable by integration and bill; each can be marked resolved. */
export function Events({ configId, billId, includeResolved }) {
  const { data, error, loading } = useLoad(() => loadEvents(configId, billId, includeResolved), [configId, billId, includeResolved], { pollMs: 5000 });
  const [filter, setFilter] = useState({ configId, billId, includeResolved });
  // Events resolved on this screen stay listed (as resolved) until the next visit, even when the list
  // shows unresolved ones only: a row that vanished on click would look like an error.
  const [resolvedHere, setResolvedHere] = useState(new Map());
  const events = data && [...new Map([...data.events.map((e) => [e.id, e]), ...resolvedHere]).values()].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  const apply = (e) => {
    e.preventDefault();
    const query = new URLSearchParams();
    if (filter.configId) query.set('config', filter.configId);
    if (filter.billId.trim()) query.set('bill', filter.billId.trim());
    if (filter.includeResolved) query.set('resolved', 'true');
    const text = query.toString();
    location.hash = `#/events${text ? `?${text}` : ''}`;
  };
  return html`
    <${PageTitle}>Integration events</${PageTitle}>
    <p class="muted">Every failed run raises one event. Ten successive errors disable the integration; resolve events once you have dealt with them.</p>
    <form class="filters card" onSubmit=${apply} aria-label="Filter events">
      <${SelectField} id="events-config" label="Integration" value=${filter.configId} onChange=${(v) => setFilter({ ...filter, configId: v })} options=${[{ value: '', label: 'All integrations' }, ...(data?.configList ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
      <${TextField} id="events-bill" label="Bill id" value=${filter.billId} onInput=${(v) => setFilter({ ...filter, billId: v })} class="mono" placeholder="any bill" />
      <${CheckboxField} id="events-resolved" label="Include resolved events" checked=${filter.includeResolved} onChange=${(v) => setFilter({ ...filter, includeResolved: v })} />
      <button type="submit">Show events</button>
    </form>
    <${ErrorAlert} error=${error} />
    ${loading && html`<${Loading} what="Loading events" />`}
    ${events && events.length === 0 && html`<p class="empty">${includeResolved ? 'No events.' : 'No unresolved events.'}</p>`}
    ${events &&
    events.length > 0 &&
    html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Integration events</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Integration</th><th scope="col">Bill</th><th scope="col">What happened</th><th scope="col">Follow-up and status</th></tr></thead>
      <tbody>${events.map((event) => html`<${EventRow} key=${event.id} event=${event} configs=${data.configs} bills=${data.bills} onResolved=${(e) => setResolvedHere(new Map([...resolvedHere, [e.id, e]]))} />`)}</tbody>
    </table></div>`}
  `;
}
