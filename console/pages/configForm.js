import { useEffect, useRef, useState } from 'preact/hooks';
import { api, configDataSchema, listAll } from '../api.js';
import { Alert, CheckboxField, CheckList, ErrorAlert, html, Loading, PageTitle, SelectField, TextField, useAction, useLoad } from '../ui.js';

/** NetSuite references items by internal id, a number; a name typed here fails every send. */
const notInternalId = (value) => value.trim() !== '' && !/^\d+$/.test(value.trim());

/** `STANDING_CHARGE` → `Standing charge`. */
export const humanize = (code) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');

const SPLIT_LABELS = { ITEM_PER_PRODUCT: 'Item per product', ITEM_PER_USAGE_BAND: 'Item per usage band' };
const SORT_LABELS = { NONE: 'None', SUBTOTAL: 'Subtotal', AGGREGATION_ID: 'Aggregation ID' };

/** The form's state from a stored config (or the defaults for a new one). */
function formOf(config) {
  const d = config?.configData ?? {};
  return {
    name: config?.name ?? '',
    accountIds: d.accountIds ?? [],
    restrictedAccountIds: d.restrictedAccountIds ?? [],
    integrationDisabledNotificationUsers: d.integrationDisabledNotificationUsers ?? [],
    onlySendBillOnApproval: d.onlySendBillOnApproval ?? false,
    useExternalMappingAccountCode: d.useExternalMappingAccountCode ?? false,
    excludedLineItemTypes: d.excludedLineItemTypes ?? [],
    accountFilter: d.accountFilter ?? '',
    enforceExternalMappingsForConfig: d.enforceExternalMappingsForConfig ?? false,
    splitUsageLineItems: d.splitUsageLineItems ?? 'ITEM_PER_PRODUCT',
    netsuiteSendDueDate: d.netsuiteSendDueDate ?? false,
    netsuiteCommitmentItemId: d.netsuiteCommitmentItemId ?? '',
    netsuiteMinimumSpendItemId: d.netsuiteMinimumSpendItemId ?? '',
    netsuiteDefaultItemId: d.netsuiteDefaultItemId ?? '',
    netsuiteItemMapping: d.netsuiteItemMapping ?? {},
    servicePeriodStart: d.netsuiteItemCustomFieldMapping?.servicePeriodStart ?? '',
    servicePeriodEnd: d.netsuiteItemCustomFieldMapping?.servicePeriodEnd ?? '',
    sortLineItemsBy: d.sortLineItemsBy ?? 'NONE',
  };
}

/** The API body: empty optional fields are left out, so the API's defaults apply. */
function bodyOf(form, version) {
  const text = (v) => (v.trim() === '' ? undefined : v.trim());
  const mapping = Object.fromEntries(Object.entries(form.netsuiteItemMapping).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
  const customFields = Object.fromEntries(Object.entries({ servicePeriodStart: text(form.servicePeriodStart), servicePeriodEnd: text(form.servicePeriodEnd) }).filter(([, v]) => v !== undefined));
  return {
    destination: 'Netsuite',
    entityType: 'Bill',
    name: form.name.trim(),
    version,
    configData: {
      accountIds: form.accountIds,
      restrictedAccountIds: form.restrictedAccountIds,
      integrationDisabledNotificationUsers: form.integrationDisabledNotificationUsers,
      onlySendBillOnApproval: form.onlySendBillOnApproval,
      useExternalMappingAccountCode: form.useExternalMappingAccountCode,
      excludedLineItemTypes: form.excludedLineItemTypes,
      accountFilter: form.accountFilter,
      enforceExternalMappingsForConfig: form.enforceExternalMappingsForConfig,
      splitUsageLineItems: form.splitUsageLineItems,
      netsuiteSendDueDate: form.netsuiteSendDueDate,
      netsuiteCommitmentItemId: text(form.netsuiteCommitmentItemId),
      netsuiteMinimumSpendItemId: text(form.netsuiteMinimumSpendItemId),
      netsuiteDefaultItemId: form.netsuiteDefaultItemId.trim(),
      netsuiteItemMapping: mapping,
      netsuiteItemCustomFieldMapping: customFields,
      sortLineItemsBy: form.sortLineItemsBy,
    },
  };
}

const CONFIG_FIELDS = [
  'name',
  ...Object.keys(formOf()).map((k) => `configData.${k}`),
  'configData.netsuiteItemCustomFieldMapping.servicePeriodStart',
  'configData.netsuiteItemCustomFieldMapping.servicePeriodEnd',
  'configData.netsuiteItemCustomFieldMapping',
];

/** The account filter checked by the API's own parser while it is typed (after a short pause). */
function useAccountFilterCheck(expression, accountId) {
  const [check, setCheck] = useState({ valid: true, warnings: [] });
  useEffect(() => {
    if (expression.trim() === '') {
      setCheck({ valid: true, empty: true, warnings: [] });
      return undefined;
    }
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const result = await api('POST', '/integrationconfigs/accountfilter/check', { accountFilter: expression, ...(accountId ? { accountId } : {}) });
        if (current) setCheck(result);
      } catch (error) {
        if (current) setCheck({ valid: false, message: error.message });
      }
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [expression, accountId]);
  return check;
}

async function loadChoices(id) {
  const [schema, accounts, users, config] = await Promise.all([configDataSchema(), listAll('/accounts'), listAll('/users'), id ? api('GET', `/integrationconfigs/${id}`) : undefined]);
  return { schema, accounts, users, config };
}

/** The Create page (and its edit twin) with the guide's Global, Entity and External-system panels. */
export function ConfigForm({ id }) {
  const { data, error } = useLoad(() => loadChoices(id), [id]);
  if (error) return html`<${PageTitle}>${id ? 'Edit integration' : 'Create integration'}</${PageTitle}><${ErrorAlert} error=${error} />`;
  if (!data) return html`<${Loading} what="Loading the form" />`;
  return html`<${ConfigFormLoaded} key=${id ?? 'new'} ...${data} id=${id} />`;
}

function ConfigFormLoaded({ id, schema, accounts, users, config }) {
  const [form, setForm] = useState(() => formOf(config));
  // Fields changed since the last refusal: their old message no longer describes what they hold.
  const [edited, setEdited] = useState(() => new Set());
  const set = (key) => (value) => {
    setForm((f) => ({ ...f, [key]: value }));
    setEdited((e) => (e.has(key) ? e : new Set([...e, key])));
  };
  const [tryAccount, setTryAccount] = useState('');
  const filterCheck = useAccountFilterCheck(form.accountFilter, tryAccount);
  const formRef = useRef();
  const save = useAction(async () => {
    setEdited(new Set());
    const saved = id ? await api('PUT', `/integrationconfigs/${id}`, bodyOf(form, config.version)) : await api('POST', '/integrationconfigs', bodyOf(form));
    location.hash = `#/integrations/${saved.id}`;
  });
  const errors = save.error?.forFields?.(CONFIG_FIELDS) ?? { byField: {}, rest: save.error ? [save.error.message] : [] };
  const fieldError = (key) => (edited.has(key) ? undefined : errors.byField[`configData.${key}`]);
  useEffect(() => {
    if (!save.error) return;
    const form = formRef.current;
    (form?.querySelector('[aria-invalid="true"]') ?? form?.querySelector('.alert-error'))?.focus();
  }, [save.error]);

  const lineItemTypes = schema.properties.excludedLineItemTypes.items.enum;
  const accountOptions = accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.code})` }));
  // Configs may list accounts by code too: show those checked against their account.
  const byCode = new Map(accounts.map((a) => [a.code, a.id]));
  const asIds = (values) => values.map((v) => byCode.get(v) ?? v);
  const userOptions = users.map((u) => ({ value: u.id, label: [u.firstName, u.lastName].filter(Boolean).join(' ') ? `${[u.firstName, u.lastName].filter(Boolean).join(' ')} <${u.email}>` : u.email }));
  const filterMessage = fieldError('accountFilter') ?? (filterCheck.valid ? undefined : filterCheck.message);

  const submit = (e) => {
    e.preventDefault();
    save.run();
  };
  const title = id ? `Edit ${config.name}` : 'Create integration';
  return html`
    <p class="breadcrumb"><a href="#/integrations">Configurations</a> › ${id ? html`<a href=${`#/integrations/${id}`}>${config.name}</a> › Edit` : 'Create'}</p>
    <${PageTitle} title=${title}>${title}</${PageTitle}>
    <p class="entity-line"><span>Entity type <strong>Bill</strong></span> <span>External system <strong>NetSuite</strong></span></p>
    <form onSubmit=${submit} ref=${formRef} novalidate>
      <${Alert}>${errors.rest.length ? html`<p>The integration was not saved:</p><ul>${errors.rest.map((m) => html`<li>${m}</li>`)}</ul>` : null}</${Alert}>
      ${Object.keys(errors.byField).length > 0 && html`<div class="alert alert-error" role="alert" tabindex="-1">Not saved: correct the fields marked below.</div>`}

      <section class="card" aria-labelledby="global-heading">
        <h2 id="global-heading">Global configuration</h2>
        <${TextField} id="name" label="Name" required value=${form.name} onInput=${set('name')} error=${edited.has('name') ? undefined : errors.byField.name} hint="Tells integrations for the same external system and entity type apart." />
        <div class="two-columns">
          <${CheckList} id="accountIds" legend="Account ids" options=${accountOptions} selected=${asIds(form.accountIds)} onChange=${set('accountIds')} error=${fieldError('accountIds')} hint="Only these accounts. Leave both lists empty for all accounts." />
          <${CheckList} id="restrictedAccountIds" legend="Restricted account ids" options=${accountOptions} selected=${asIds(form.restrictedAccountIds)} onChange=${set('restrictedAccountIds')} error=${fieldError('restrictedAccountIds')} hint="Never these accounts; wins over Account ids." />
        </div>
        <${CheckList}
          id="integrationDisabledNotificationUsers"
          legend="Integration disabled notification users"
          options=${userOptions}
          selected=${form.integrationDisabledNotificationUsers}
          onChange=${set('integrationDisabledNotificationUsers')}
          error=${fieldError('integrationDisabledNotificationUsers')}
          hint="Emailed if the integration disables itself after 10 successive errors."
        />
      </section>

      <section class="card" aria-labelledby="entity-heading">
        <h2 id="entity-heading">Entity configuration</h2>
        <${CheckboxField} id="onlySendBillOnApproval" label="Only send bill on approval" checked=${form.onlySendBillOnApproval} onChange=${set('onlySendBillOnApproval')} error=${fieldError('onlySendBillOnApproval')} hint="Off: the bill is sent every time it is calculated, and again on approval." />
        <${CheckboxField} id="useExternalMappingAccountCode" label="Use external mapping account code" checked=${form.useExternalMappingAccountCode} onChange=${set('useExternalMappingAccountCode')} error=${fieldError('useExternalMappingAccountCode')} hint="On: the NetSuite customer comes from the Account → Customer external mapping. Off: the m3ter account id is the customer's externalId." />
        <${CheckList} id="excludedLineItemTypes" legend="Excluded line item types" columns=${3} options=${lineItemTypes.map((t) => ({ value: t, label: humanize(t) }))} selected=${form.excludedLineItemTypes} onChange=${set('excludedLineItemTypes')} error=${fieldError('excludedLineItemTypes')} hint="Lines of these types are not sent." />
        <${TextField}
          id="accountFilter"
          label="Account filter"
          value=${form.accountFilter}
          onInput=${set('accountFilter')}
          error=${filterMessage}
          hint="An expression on the account, e.g. customFields != null AND customFields.country == UK. False: the integration skips the bill."
          spellcheck="false"
          autocomplete="off"
          class="mono"
        />
        ${!filterMessage && !filterCheck.empty && filterCheck.valid && form.accountFilter.trim() !== '' && html`<p class="field-ok" role="status">The expression is valid.</p>`}
        ${!filterMessage && (filterCheck.warnings ?? []).map((w) => html`<p class="field-warning" role="status">${w.replace(/^accountFilter: /, '')}</p>`)}
        ${form.accountFilter.trim() !== '' &&
        !filterMessage &&
        html`<div class="try-filter">
          <${SelectField} id="accountFilter-try" label="Try it on an account" value=${tryAccount} onChange=${setTryAccount} options=${[{ value: '', label: 'Choose an account' }, ...accountOptions]} />
          ${tryAccount && filterCheck.verdict && html`<p class=${filterCheck.verdict.passes ? 'field-ok' : 'field-warning'} role="status" id="accountFilter-verdict">${filterCheck.verdict.message}</p>`}
        </div>`}
        <${CheckboxField} id="enforceExternalMappingsForConfig" label="Enforce external mappings for config" checked=${form.enforceExternalMappingsForConfig} onChange=${set('enforceExternalMappingsForConfig')} error=${fieldError('enforceExternalMappingsForConfig')} hint="Use only the external mappings linked to this integration." />
      </section>

      <section class="card" aria-labelledby="external-heading">
        <h2 id="external-heading">External system configuration</h2>
        <div class="two-columns">
          <${SelectField} id="splitUsageLineItems" label="Split usage line items" value=${form.splitUsageLineItems} onChange=${set('splitUsageLineItems')} error=${fieldError('splitUsageLineItems')} options=${schema.properties.splitUsageLineItems.enum.map((v) => ({ value: v, label: SPLIT_LABELS[v] ?? humanize(v) }))} />
          <${SelectField} id="sortLineItemsBy" label="Sort line items by" value=${form.sortLineItemsBy} onChange=${set('sortLineItemsBy')} error=${fieldError('sortLineItemsBy')} options=${schema.properties.sortLineItemsBy.enum.map((v) => ({ value: v, label: SORT_LABELS[v] ?? humanize(v) }))} />
        </div>
        <${CheckboxField} id="netsuiteSendDueDate" label="Netsuite send due date" checked=${form.netsuiteSendDueDate} onChange=${set('netsuiteSendDueDate')} error=${fieldError('netsuiteSendDueDate')} hint="Off: NetSuite sets the due date from the customer's terms." />
        <div class="three-columns">
          <${TextField} id="netsuiteDefaultItemId" label="Netsuite default item id" required value=${form.netsuiteDefaultItemId} onInput=${set('netsuiteDefaultItemId')} error=${fieldError('netsuiteDefaultItemId')} hint='The internal id (a number: the "id=" in its address in NetSuite) of the item used when nothing else maps a line, e.g. your "Other" item.' />
          <${TextField} id="netsuiteCommitmentItemId" label="Netsuite commitment item id" value=${form.netsuiteCommitmentItemId} onInput=${set('netsuiteCommitmentItemId')} error=${fieldError('netsuiteCommitmentItemId')} hint="Empty: the default item." />
          <${TextField} id="netsuiteMinimumSpendItemId" label="Netsuite minimum spend id" value=${form.netsuiteMinimumSpendItemId} onInput=${set('netsuiteMinimumSpendItemId')} error=${fieldError('netsuiteMinimumSpendItemId')} hint="Empty: the default item." />
        </div>
        ${notInternalId(form.netsuiteDefaultItemId) && html`<p class="field-warning" role="status" id="netsuiteDefaultItemId-warning">Netsuite default item id: "${form.netsuiteDefaultItemId.trim()}" is not an internal id, and NetSuite refuses item names. Use the number from the item's address in NetSuite.</p>`}
        <details open=${Object.keys(form.netsuiteItemMapping).length > 0 || !!fieldError('netsuiteItemMapping')}>
          <summary>Netsuite item mapping (${Object.values(form.netsuiteItemMapping).filter((v) => v.trim()).length} mapped)</summary>
          <p class="hint">The NetSuite item id per line item type, used when no external mapping names the item. Empty: the default item.</p>
          ${fieldError('netsuiteItemMapping') && html`<p class="field-error">${fieldError('netsuiteItemMapping')}</p>`}
          <div class="three-columns compact">
            ${lineItemTypes.map(
              (t) => html`<${TextField} key=${t} id=${`itemMapping-${t}`} label=${humanize(t)} value=${form.netsuiteItemMapping[t] ?? ''} onInput=${(v) => setForm((f) => ({ ...f, netsuiteItemMapping: { ...f.netsuiteItemMapping, [t]: v } }))} />`,
            )}
          </div>
        </details>
        <fieldset class="field">
          <legend>Netsuite item custom field mapping</legend>
          <p class="hint">Transaction column field ids (e.g. custcol_service_start, or _service_start) receiving each line's service period.</p>
          ${errors.byField['configData.netsuiteItemCustomFieldMapping'] && html`<p class="field-error">${errors.byField['configData.netsuiteItemCustomFieldMapping']}</p>`}
          <div class="two-columns">
            <${TextField} id="servicePeriodStart" label="servicePeriodStart" value=${form.servicePeriodStart} onInput=${set('servicePeriodStart')} error=${errors.byField['configData.netsuiteItemCustomFieldMapping.servicePeriodStart']} class="mono" />
            <${TextField} id="servicePeriodEnd" label="servicePeriodEnd" value=${form.servicePeriodEnd} onInput=${set('servicePeriodEnd')} error=${errors.byField['configData.netsuiteItemCustomFieldMapping.servicePeriodEnd']} class="mono" />
          </div>
        </fieldset>
      </section>

      <div class="actions">
        <button type="submit" disabled=${save.running}>${save.running ? 'Saving…' : id ? 'Save changes' : 'Create integration'}</button>
        <a class="button secondary" href=${id ? `#/integrations/${id}` : '#/integrations'}>Cancel</a>
      </div>
    </form>
  `;
}
