import { useEffect, useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { billLabel, billsById } from '../bills.js';
import { Alert, CheckList, ConfirmDialog, CopyableId, Dialog, ErrorAlert, html, Loading, PageTitle, SelectField, StatusBadge, TextField, Time, useAction, useLoad } from '../ui.js';
import { humanize } from './configForm.js';
import { Decisions, InvoiceBody, InvoiceTable, RunsTable } from './runs.js';

const CREDENTIALS = '/integrationauth/Netsuite/netsuiteauth';

async function loadDetails(id) {
  const [config, credentials, accounts, users] = await Promise.all([api('GET', `/integrationconfigs/${id}`), listAll(CREDENTIALS), listAll('/accounts'), listAll('/users')]);
  return { config, credentials, accounts, users };
}

/** The body of PUT …/integrationconfigs/{id}: the config as it is, with `changes`. */
const replaceBody = (config, changes) => ({
  destination: config.destination,
  entityType: config.entityType,
  name: config.name,
  configData: config.configData,
  version: config.version,
  ...changes,
});

const yesNo = (value) => (value ? 'Yes' : 'No');
const sentence = (text) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

function ConfigurationData({ data, accounts, users }) {
  const accountName = new Map(accounts.flatMap((a) => [[a.id, `${a.name} (${a.code})`], [a.code, `${a.name} (${a.code})`]]));
  const userName = new Map(users.map((u) => [u.id, u.email]));
  const list = (values, names, none) => (values.length ? html`<ul class="plain">${values.map((v) => html`<li>${names?.get(v) ?? v}${names?.has(v) && names !== accountName ? html` <span class="mono muted">${v}</span>` : ''}</li>`)}</ul>` : html`<span class="muted">${none}</span>`);
  const mapping = Object.entries(data.netsuiteItemMapping ?? {});
  const customFields = Object.entries(data.netsuiteItemCustomFieldMapping ?? {});
  return html`<dl class="details">
    <dt>Account ids</dt><dd>${list(data.accountIds, accountName, 'All accounts')}</dd>
    <dt>Restricted account ids</dt><dd>${list(data.restrictedAccountIds, accountName, 'None')}</dd>
    <dt>Integration disabled notification users</dt><dd>${list(data.integrationDisabledNotificationUsers, userName, 'None')}</dd>
    <dt>Only send bill on approval</dt><dd>${yesNo(data.onlySendBillOnApproval)}</dd>
    <dt>Use external mapping account code</dt><dd>${yesNo(data.useExternalMappingAccountCode)}</dd>
    <dt>Excluded line item types</dt><dd>${data.excludedLineItemTypes.length ? data.excludedLineItemTypes.map(humanize).join(', ') : html`<span class="muted">None</span>`}</dd>
    <dt>Account filter</dt><dd>${data.accountFilter ? html`<code>${data.accountFilter}</code>` : html`<span class="muted">None (every account)</span>`}</dd>
    <dt>Enforce external mappings for config</dt><dd>${yesNo(data.enforceExternalMappingsForConfig)}</dd>
    <dt>Split usage line items</dt><dd>${humanize(data.splitUsageLineItems)}</dd>
    <dt>Netsuite send due date</dt><dd>${yesNo(data.netsuiteSendDueDate)}</dd>
    <dt>Netsuite default item id</dt><dd class="mono">${data.netsuiteDefaultItemId}</dd>
    <dt>Netsuite commitment item id</dt><dd>${data.netsuiteCommitmentItemId ? html`<span class="mono">${data.netsuiteCommitmentItemId}</span>` : html`<span class="muted">Default item</span>`}</dd>
    <dt>Netsuite minimum spend id</dt><dd>${data.netsuiteMinimumSpendItemId ? html`<span class="mono">${data.netsuiteMinimumSpendItemId}</span>` : html`<span class="muted">Default item</span>`}</dd>
    <dt>Netsuite item mapping</dt><dd>${mapping.length ? html`<ul class="plain">${mapping.map(([type, item]) => html`<li>${humanize(type)} → <span class="mono">${item}</span></li>`)}</ul>` : html`<span class="muted">None</span>`}</dd>
    <dt>Netsuite item custom field mapping</dt><dd>${customFields.length ? html`<ul class="plain">${customFields.map(([key, field]) => html`<li>${key} → <span class="mono">${field}</span></li>`)}</ul>` : html`<span class="muted">None</span>`}</dd>
    <dt>Sort line items by</dt><dd>${humanize(data.sortLineItemsBy)}</dd>
  </dl>`;
}

/** The guide's "Select one credential" modal. */
function SelectCredentialDialog({ open, credentials, current, onConfirm, onClose }) {
  const [choice, setChoice] = useState(current ?? '');
  const confirm = useAction(async (e) => {
    e.preventDefault();
    await onConfirm(choice);
  });
  return html`<${Dialog} open=${open} title="Select one credential" onClose=${onClose}>
    <form onSubmit=${confirm.run}>
      ${credentials.length === 0
        ? html`<p>No NetSuite credential yet. <a href="#/credentials">Create one on the Credentials page</a>, then come back.</p>`
        : html`<fieldset class="field radio-list">
            <legend>Credential</legend>
            ${credentials.map(
              (c) => html`<div class="radio" key=${c.id}>
                <input type="radio" id=${`credential-${c.id}`} name="credential" value=${c.id} checked=${choice === c.id} onChange=${() => setChoice(c.id)} />
                <label for=${`credential-${c.id}`}><strong>${c.name || c.accountId}</strong> <span class="muted">account ${c.accountId} · certificate ${c.certificateId} · key ${c.keyFingerprint.slice(0, 16)}…</span></label>
              </div>`,
            )}
          </fieldset>`}
      <${ErrorAlert} error=${confirm.error} />
      <div class="actions">
        <button type="submit" disabled=${!choice || choice === current || confirm.running}>Confirm</button>
        <button type="button" class="secondary" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  </${Dialog}>`;
}

const MAPPING_KINDS = {
  'Account/Customer': { m3terEntity: 'Account', externalTable: 'Customer', label: 'Account → NetSuite customer' },
  'Product/Item': { m3terEntity: 'Product', externalTable: 'Item', label: 'Product → NetSuite item' },
  'Currency/Currency': { m3terEntity: 'Currency', externalTable: 'Currency', label: 'Currency → NetSuite currency' },
};

/** External mappings linked to this integration (they win over unlinked ones, and are the only ones with "enforce"). */
function LinkedMappings({ configId, accounts, mapAccount }) {
  const { data, error, reload } = useLoad(() => listAll(`/externalmappings?integrationConfigId=${configId}`), [configId]);
  // From an event's "Create external mapping": the form open, with that account chosen.
  const [form, setForm] = useState({ kind: 'Account/Customer', m3terId: mapAccount ?? '', externalId: '' });
  useEffect(() => {
    if (mapAccount) document.getElementById('mapping-externalId')?.focus();
  }, [mapAccount]);
  const add = useAction(async (e) => {
    e.preventDefault();
    const { m3terEntity, externalTable } = MAPPING_KINDS[form.kind];
    await api('POST', '/externalmappings', { externalSystem: 'Netsuite', externalTable, m3terEntity, m3terId: form.m3terId.trim(), externalId: form.externalId.trim(), integrationConfigId: configId });
    setForm({ ...form, m3terId: '', externalId: '' });
    reload();
  });
  const remove = useAction(async (id) => {
    await api('DELETE', `/externalmappings/${id}`);
    reload();
  });
  const fields = add.error?.forFields(['m3terId', 'externalId']) ?? { byField: {}, rest: [] };
  const accountName = new Map(accounts.map((a) => [a.id, `${a.name} (${a.code})`]));
  const isAccount = form.kind === 'Account/Customer';
  return html`<section class="card" aria-labelledby="mappings-heading">
    <h2 id="mappings-heading">Linked external mappings</h2>
    <${ErrorAlert} error=${error ?? remove.error} />
    ${data && data.length === 0 && html`<p class="empty">No external mapping is linked to this integration.</p>`}
    ${data &&
    data.length > 0 &&
    html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Linked external mappings</caption>
      <thead><tr><th scope="col">m3ter entity</th><th scope="col">m3ter id</th><th scope="col">NetSuite record</th><th scope="col">NetSuite id</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${data.map(
        (m) => html`<tr key=${m.id}>
          <td>${m.m3terEntity}</td><td>${accountName.get(m.m3terId) ?? html`<span class="mono">${m.m3terId}</span>`}</td><td>${m.externalTable}</td><td class="mono">${m.externalId}</td>
          <td><button type="button" class="danger small" onClick=${() => remove.run(m.id)} aria-label=${`Delete the mapping of ${m.m3terEntity} ${m.m3terId}`}>Delete</button></td>
        </tr>`,
      )}</tbody>
    </table></div>`}
    <details open=${!!mapAccount} id="add-mapping">
      <summary>Add a linked external mapping</summary>
      <form onSubmit=${add.run} class="inline-form" novalidate>
        <${SelectField} id="mapping-kind" label="Maps" value=${form.kind} onChange=${(v) => setForm({ ...form, kind: v, m3terId: '' })} options=${Object.entries(MAPPING_KINDS).map(([value, k]) => ({ value, label: k.label }))} />
        ${isAccount
          ? html`<${SelectField} id="mapping-m3terId" label="Account" value=${form.m3terId} onChange=${(v) => setForm({ ...form, m3terId: v })} error=${fields.byField.m3terId} options=${[{ value: '', label: 'Choose an account' }, ...accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.code})` }))]} />`
          : html`<${TextField} id="mapping-m3terId" label=${form.kind === 'Product/Item' ? 'm3ter product id' : 'Currency code'} value=${form.m3terId} onInput=${(v) => setForm({ ...form, m3terId: v })} error=${fields.byField.m3terId} />`}
        <${TextField} id="mapping-externalId" label="NetSuite internal id" value=${form.externalId} onInput=${(v) => setForm({ ...form, externalId: v })} error=${fields.byField.externalId} />
        <button type="submit" disabled=${add.running}>Add mapping</button>
      </form>
      <${Alert}>${fields.rest.join(' ')}</${Alert}>
    </details>
  </section>`;
}

/** The dry run: what a sync of a chosen bill would do now, sending and recording nothing. */
function DryRun({ configId }) {
  // Refreshed while shown, like the runs above it: bills arrive all the time while the page stays open.
  const { data: bills, error, loading } = useLoad(async () => (await api('GET', '/bills?excludeLineItems=true&pageSize=200')).data, [], { pollMs: 5000 });
  const [billId, setBillId] = useState('');
  const [preview, setPreview] = useState(undefined);
  const run = useAction(async (e) => {
    e.preventDefault();
    setPreview(undefined);
    setPreview(await api('GET', `/integrationconfigs/${configId}/preview/${billId}`));
  });
  const placeholder = loading && !bills ? 'Loading bills…' : bills?.length ? 'Choose a bill' : 'No bills yet';
  return html`<section class="card" aria-labelledby="dryrun-heading">
    <h2 id="dryrun-heading">Dry run</h2>
    <p class="muted">What a sync of a bill would do now: every filter, the exact invoice body and every decision. Nothing is sent or recorded.</p>
    <${ErrorAlert} error=${error ?? run.error} />
    <form onSubmit=${run.run} class="inline-form">
      <${SelectField} id="dryrun-bill" label="Bill" value=${billId} onChange=${setBillId} options=${[{ value: '', label: placeholder }, ...(bills ?? []).map((b) => ({ value: b.id, label: billLabel(b) }))]} />
      <button type="submit" disabled=${!billId || run.running}>${run.running ? 'Running…' : 'Preview'}</button>
    </form>
    ${preview &&
    html`<div class="preview" aria-live="polite">
      <p>Outcome: <${StatusBadge} status=${preview.outcome} /> ${preview.error && html`<span class="error-text">${preview.error}</span>`}</p>
      <h3>Filters</h3>
      <ul class="plain">${preview.filters.map((f) => html`<li><span class=${f.passed ? 'ok' : 'error-text'}>${f.passed ? '✓' : '✗'}</span> <strong>${f.filter}</strong>: ${f.reason}</li>`)}</ul>
      ${preview.invoice && html`<h3>The invoice</h3><${InvoiceTable} invoice=${preview.invoice} caption="The invoice a send would PUT" />`}
      <${InvoiceBody} invoice=${preview.invoice} label="Invoice body a send would PUT" />
      <h3>Decisions</h3>
      <${Decisions} decisions=${preview.decisions} />
    </div>`}
  </section>`;
}

const FOUND_TEXT = { found: 'found', missing: 'MISSING', unchecked: 'not checked' };

/** "Check with NetSuite": every item, column field and chosen customer looked up before a bill fails on it. */
function NetSuiteCheck({ configId, accounts }) {
  const [chosen, setChosen] = useState([]);
  const [result, setResult] = useState(undefined);
  const check = useAction(async (e) => {
    e?.preventDefault();
    setResult(undefined);
    setResult(await api('POST', `/integrationconfigs/${configId}/check`, { accounts: chosen }));
  });
  const row = (what, id, status, name) => html`<li class=${status === 'missing' ? 'error-text' : status === 'found' ? '' : 'text-neutral'}>
    <span aria-hidden="true">${status === 'found' ? '✓' : status === 'missing' ? '✗' : '–'}</span> ${what} <span class="mono">${id}</span>${name ? html` <span class="muted">(${name})</span>` : ''}: ${FOUND_TEXT[status]}
  </li>`;
  return html`<section class="card" aria-labelledby="check-heading">
    <h2 id="check-heading">Check with NetSuite</h2>
    <p class="muted">Looks up in NetSuite every item id this integration names, the transaction column fields and, for the accounts you choose, their customers — so nothing is missing when the first bill is sent. Nothing is written.</p>
    <form onSubmit=${check.run} class="inline-form">
      <${CheckList} id="check-accounts" legend="Also check the customers of" options=${accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.code})` }))} selected=${chosen} onChange=${setChosen} columns=${3} />
      <button type="submit" disabled=${check.running}>${check.running ? 'Checking…' : 'Check with NetSuite'}</button>
    </form>
    <${ErrorAlert} error=${check.error} />
    ${result &&
    html`<div aria-live="polite" class="check-result">
      ${result.ok
        ? html`<div class="alert alert-info" role="status"><strong>All found.</strong> ${result.connection.message}</div>`
        : html`<div class="alert alert-error" role="alert"><strong>${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} a bill would fail on:</strong><ul>${result.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`}
      <ul class="plain check-list">
        <li class=${result.connection.ok ? '' : 'error-text'}>${result.connection.ok ? '✓' : '✗'} Connection: ${result.connection.message}</li>
        ${result.items.map((i) => row(`Item (${i.setting})`, i.itemId, i.status, i.name))}
        ${result.customFields.map((f) => row('Column field', f.scriptId, f.status))}
        ${result.customers.map((c) => row(`Customer of ${c.accountName ?? c.account}`, c.reference ? ('externalId' in c.reference ? `externalId ${c.reference.externalId}` : `internal id ${c.reference.id}`) : c.account, c.status, c.name))}
      </ul>
    </div>`}
  </section>`;
}

function RecentRuns({ configId }) {
  const { data, error } = useLoad(
    async () => {
      const runs = (await api('GET', `/integrationruns/destinations/${configId}?pageSize=10`)).data;
      return { runs, bills: await billsById(runs.map((r) => r.entityId)) };
    },
    [configId],
    { pollMs: 3000 },
  );
  return html`<section class="card" aria-labelledby="runs-heading">
    <div class="card-header">
      <h2 id="runs-heading">Recent runs</h2>
      <span><a href=${`#/runs?config=${configId}`}>All runs</a> · <a href=${`#/events?config=${configId}`}>Events</a></span>
    </div>
    <${ErrorAlert} error=${error} />
    ${data ? html`<${RunsTable} runs=${data.runs} bills=${data.bills} caption="Recent runs of this integration" />` : html`<${Loading} what="Loading runs" />`}
  </section>`;
}

/** The integration details page: its configuration, its connection to NetSuite, its runs. */
export function ConfigDetails({ id, mapAccount }) {
  const { data, error, loading, reload } = useLoad(() => loadDetails(id), [id], { pollMs: 5000 });
  const [dialog, setDialog] = useState(undefined);
  const enable = useAction(async () => {
    await api('POST', `/integrationconfigs/${id}/enable`);
    await reload();
  });
  if (loading) return html`<${Loading} what="Loading the integration" />`;
  if (!data) return html`<${PageTitle}>Integration</${PageTitle}><${ErrorAlert} error=${error} />`;
  const { config, credentials, accounts, users } = data;
  const credential = credentials.find((c) => c.id === config.integrationCredentialsId);
  const connect = async (credentialId) => {
    await api('PUT', `/integrationconfigs/${id}`, replaceBody(config, { integrationCredentialsId: credentialId }));
    setDialog(undefined);
    await reload();
  };
  const disconnect = async () => {
    await api('PUT', `/integrationconfigs/${id}`, replaceBody(config, { integrationCredentialsId: null }));
    setDialog(undefined);
    await reload();
  };
  return html`
    <p class="breadcrumb"><a href="#/integrations">Configurations</a> › ${config.name}</p>
    <div class="title-row">
      <${PageTitle} title=${config.name}>${config.name}</${PageTitle}>
      <${StatusBadge} status=${config.authorized ? 'CONNECTED' : 'NOT CONNECTED'} />
      <${StatusBadge} status=${config.enabled ? 'ENABLED' : 'DISABLED'} />
    </div>
    <${ErrorAlert} error=${error ?? enable.error} />
    ${!config.authorized &&
    html`<div class="alert alert-warning" role="status">
      <strong>Not connected.</strong> This integration is not connected to your NetSuite system yet, so it can't send bills. Add a credential to connect it.
    </div>`}
    ${!config.enabled &&
    html`<div class="alert alert-warning" role="status">
      <strong>Disabled.</strong> ${sentence(config.disabledReason ?? 'The integration is disabled')} Runs record DISABLED and send nothing.
      <button type="button" class="small" onClick=${() => enable.run()} disabled=${enable.running}>Enable</button>
    </div>`}
    <div class="actions toolbar">
      <a class="button secondary" href=${`#/integrations/${id}/edit`}>Edit</a>
      ${config.authorized
        ? html`<button type="button" onClick=${() => setDialog('credential')}>Update credential</button>
            <button type="button" class="danger" onClick=${() => setDialog('disconnect')}>Disconnect</button>`
        : html`<button type="button" onClick=${() => setDialog('credential')}>Add credential</button>`}
    </div>

    <div class="two-columns wide-left">
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl class="details">
          <dt>Name</dt><dd>${config.name}</dd>
          <dt>Entity type</dt><dd>${config.entityType}</dd>
          <dt>External system</dt><dd>${config.destination}</dd>
          <dt>Status</dt><dd><${StatusBadge} status=${config.authorized ? 'CONNECTED' : 'NOT CONNECTED'} /></dd>
          <dt>Credential</dt>
          <dd>${credential ? html`${credential.name || credential.accountId} <span class="muted">· account ${credential.accountId} · key <span class="mono">${credential.keyFingerprint.slice(0, 16)}…</span></span>` : html`<span class="muted">None</span>`}</dd>
          <dt>Created</dt><dd><${Time} value=${config.dtCreated} /></dd>
          <dt>Last modified</dt><dd><${Time} value=${config.dtLastModified} /> <span class="muted">version ${config.version}</span></dd>
          <dt>ID</dt><dd><${CopyableId} id="config-id" value=${config.id} label="configuration id" /></dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="data-heading">
        <h2 id="data-heading">Configuration data</h2>
        <${ConfigurationData} data=${config.configData} accounts=${accounts} users=${users} />
      </section>
    </div>

    ${config.warnings?.length > 0 &&
    html`<div class="alert alert-warning" role="status" id="config-warnings"><strong>Check these settings.</strong><ul>${config.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`}
    <${NetSuiteCheck} configId=${id} accounts=${accounts} />
    <${RecentRuns} configId=${id} />
    <${LinkedMappings} configId=${id} accounts=${accounts} mapAccount=${mapAccount} />
    <${DryRun} configId=${id} />

    <${SelectCredentialDialog} key=${`${dialog}-${config.version}`} open=${dialog === 'credential'} credentials=${credentials} current=${config.integrationCredentialsId} onConfirm=${connect} onClose=${() => setDialog(undefined)} />
    <${ConfirmDialog} open=${dialog === 'disconnect'} title="Disconnect from NetSuite?" confirmLabel="Disconnect" onConfirm=${disconnect} onClose=${() => setDialog(undefined)}>
      <p>Bills are not sent to NetSuite until a credential is connected again; runs record an error meanwhile.</p>
    </${ConfirmDialog}>
  `;
}
