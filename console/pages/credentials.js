import { useRef, useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { Alert, CheckboxField, ConfirmDialog, ErrorAlert, html, Loading, PageTitle, TextField, Time, useAction, useLoad } from '../ui.js';

const FIELDS = ['name', 'accountId', 'clientId', 'certificateId', 'privateKey', 'concurrencyLimit'];
const EMPTY = { name: '', accountId: '', clientId: '', certificateId: '', concurrencyLimit: '', verify: true };

/** The PEM file as m3ter's API takes it: base64 of the file (`base64 -i m3ter-key.pem`). */
async function readKeyFile(file) {
  if (!file) return '';
  const bytes = new Uint8Array(await file.arrayBuffer());
  return btoa(String.fromCharCode(...bytes));
}

function CredentialRow({ credential, onChanged }) {
  const [result, setResult] = useState('');
  const verify = useAction(async () => {
    setResult('');
    setResult((await api('POST', `/integrationauth/Netsuite/netsuiteauth/${credential.id}/verify`)).message);
  });
  const [confirming, setConfirming] = useState(false);
  const [refusal, setRefusal] = useState('');
  const remove = async () => {
    setRefusal('');
    try {
      await api('DELETE', `/integrationauth/Netsuite/netsuiteauth/${credential.id}`);
      setConfirming(false);
      onChanged();
    } catch (error) {
      setConfirming(false);
      // The API names the integrations that use it; without their ids, which the row can't show.
      setRefusal(error.message.replace(/ \([0-9a-f-]{36}\)/g, '').replace(/ \(integrationCredentialsId null\)/, ''));
    }
  };
  const label = credential.name || credential.accountId;
  return html`<tr data-credential-id=${credential.id}>
    <th scope="row">${label}</th>
    <td class="mono">${credential.accountId}</td>
    <td class="mono wrap-id">${credential.clientId}</td>
    <td class="mono wrap-id">${credential.certificateId}</td>
    <td class="mono fingerprint wrap-id">${credential.keyFingerprint}<br /><span class="muted">${credential.keyType}</span></td>
    <td>${credential.concurrencyLimit}</td>
    <td><${Time} value=${credential.dtCreated} /></td>
    <td class="row-actions">
      <button type="button" class="secondary small" onClick=${() => verify.run()} disabled=${verify.running} aria-label=${`Verify ${label} with NetSuite`}>${verify.running ? 'Verifying…' : 'Verify'}</button>
      <button type="button" class="danger small" onClick=${() => setConfirming(true)} aria-label=${`Delete ${label}`}>Delete</button>
      ${result && html`<p class="field-ok" role="status">${result}</p>`}
      ${verify.error && html`<p class="field-error" role="alert">${verify.error.message}</p>`}
      ${refusal && html`<p class="field-error" role="alert">Not deleted. ${refusal}</p>`}
      <${ConfirmDialog} open=${confirming} title=${`Delete the credential ${label}?`} confirmLabel="Delete credential" onConfirm=${remove} onClose=${() => setConfirming(false)}>
        <p>Its private key is deleted too and can't be recovered; to use this NetSuite connection again you upload the key again.</p>
      </${ConfirmDialog}>
    </td>
  </tr>`;
}

/** NetSuite credentials: the guide's Netsuite Connection form, and every stored credential — never its key. */
export function Credentials() {
  const { data, error, loading, reload } = useLoad(() => listAll('/integrationauth/Netsuite/netsuiteauth'), []);
  const [form, setForm] = useState(EMPTY);
  const [saved, setSaved] = useState(undefined);
  const fileInput = useRef();
  const set = (key) => (value) => setForm({ ...form, [key]: value });
  const save = useAction(async () => {
    setSaved(undefined);
    const body = {
      type: 'NETSUITE_AUTH',
      name: form.name.trim() || undefined,
      accountId: form.accountId.trim(),
      clientId: form.clientId.trim(),
      certificateId: form.certificateId.trim(),
      privateKey: await readKeyFile(fileInput.current?.files?.[0]),
      concurrencyLimit: form.concurrencyLimit.trim() === '' ? undefined : Number(form.concurrencyLimit),
    };
    const credential = await api('POST', `/integrationauth/Netsuite/netsuiteauth${form.verify ? '?verify=true' : ''}`, body);
    setSaved(credential);
    setForm(EMPTY);
    if (fileInput.current) fileInput.current.value = '';
    reload();
  });
  const errors = save.error?.forFields?.(FIELDS) ?? { byField: {}, rest: save.error ? [save.error.message] : [] };
  const submit = (e) => {
    e.preventDefault();
    save.run();
  };
  const keyError = errors.byField.privateKey;
  return html`
    <${PageTitle}>Credentials</${PageTitle}>
    <p>NetSuite OAuth 2.0 machine-to-machine credentials. An integration uses one to connect; the private key is stored encrypted and never shown again, only its fingerprint.</p>
    <section class="card" aria-labelledby="list-heading">
      <h2 id="list-heading">NetSuite credentials</h2>
      <${ErrorAlert} error=${error} />
      ${loading && html`<${Loading} what="Loading credentials" />`}
      ${data && data.length === 0 && html`<p class="empty">No credentials yet: add one below.</p>`}
      ${data &&
      data.length > 0 &&
      html`<div class="table-wrap"><table>
        <caption class="visually-hidden">NetSuite credentials</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Account id</th><th scope="col">Client id</th><th scope="col">Certificate id</th><th scope="col">Key fingerprint (SHA-256)</th><th scope="col">Concurrency</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${data.map((c) => html`<${CredentialRow} key=${c.id} credential=${c} onChanged=${reload} />`)}</tbody>
      </table></div>`}
    </section>

    <section class="card" aria-labelledby="new-heading">
      <h2 id="new-heading">New NetSuite credential</h2>
      ${saved && html`<${Alert} kind="info">Saved ${saved.name || saved.accountId}. Key fingerprint <code>${saved.keyFingerprint}</code>. Connect it from an integration's page with Add credential.</${Alert}>`}
      <${Alert}>${errors.rest.length ? html`<p>The credential was not saved:</p><ul>${errors.rest.map((m) => html`<li>${m}</li>`)}</ul>` : null}</${Alert}>
      <form onSubmit=${submit} novalidate>
        <div class="two-columns">
          <${TextField} id="cred-name" label="Name" value=${form.name} onInput=${set('name')} error=${errors.byField.name} hint="Optional; tells credentials apart, e.g. NetSuite production." />
          <${TextField} id="cred-accountId" label="Account Id" required value=${form.accountId} onInput=${set('accountId')} error=${errors.byField.accountId} hint="Setup › Company › Company Information; a sandbox uses an underscore: 1234567_SB1." class="mono" />
          <${TextField} id="cred-clientId" label="Client Id" required value=${form.clientId} onInput=${set('clientId')} error=${errors.byField.clientId} hint="Shown once when the NetSuite integration record was saved." class="mono" autocomplete="off" />
          <${TextField} id="cred-certificateId" label="Certificate Id" required value=${form.certificateId} onInput=${set('certificateId')} error=${errors.byField.certificateId} hint="Setup › Integration › OAuth 2.0 Client Credentials (M2M) Setup." class="mono" autocomplete="off" />
        </div>
        <div class=${`field${keyError ? ' has-error' : ''}`}>
          <label for="cred-privateKey" class="required">Upload Netsuite credentials (private key PEM)</label>
          <p id="cred-privateKey-hint" class="hint">The m3ter-key.pem made with openssl req -x509 -newkey rsa:4096 … It is read in this browser and sent once over the API.</p>
          <input id="cred-privateKey" type="file" accept=".pem,.key,application/x-pem-file" ref=${fileInput} aria-invalid=${keyError ? 'true' : undefined} aria-describedby=${keyError ? 'cred-privateKey-hint cred-privateKey-error' : 'cred-privateKey-hint'} />
          ${keyError && html`<p id="cred-privateKey-error" class="field-error">${keyError}</p>`}
        </div>
        <div class="narrow-field"><${TextField} id="cred-concurrencyLimit" label="Concurrency limit" type="number" min="1" max="1000" value=${form.concurrencyLimit} onInput=${set('concurrencyLimit')} error=${errors.byField.concurrencyLimit} hint="NetSuite requests this service may have in flight on the account at once (default 5)." /></div>
        <${CheckboxField} id="cred-verify" label="Verify with NetSuite before saving" checked=${form.verify} onChange=${set('verify')} hint="Fetches one access token with these values; nothing is stored if NetSuite refuses." />
        <div class="actions"><button type="submit" disabled=${save.running}>${save.running ? 'Saving…' : 'Save credential'}</button></div>
      </form>
    </section>
  `;
}
