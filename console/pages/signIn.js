import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { Alert, html, PageTitle, TextField, useAction } from '../ui.js';

const FIELDS = ['orgId', 'apiKey', 'apiSecret'];

/** Sign in with an organization's API key, as m3ter's SDKs do; the token stays in this tab's session. */
export function SignIn({ notice }) {
  const [form, setForm] = useState({ orgId: '', apiKey: '', apiSecret: '' });
  const set = (key) => (value) => setForm({ ...form, [key]: value });
  const action = useAction(() => signIn(form));
  const errors = action.error?.forFields?.(FIELDS) ?? { byField: {}, rest: action.error ? [action.error.message] : [] };
  const submit = (e) => {
    e.preventDefault();
    action.run();
  };
  return html`
    <${PageTitle}>Sign in to the console</${PageTitle}>
    <p>Use the organization id, API key and API secret printed by <code>npm run -s cli -- org create</code>.</p>
    ${notice && html`<${Alert} kind="info">${notice}</${Alert}>`}
    <${Alert}>${errors.rest.join(' ')}</${Alert}>
    <form onSubmit=${submit} class="card">
      <${TextField} id="orgId" label="Organization id" value=${form.orgId} onInput=${set('orgId')} error=${errors.byField.orgId} required autocomplete="username" />
      <${TextField} id="apiKey" label="API key" value=${form.apiKey} onInput=${set('apiKey')} error=${errors.byField.apiKey} required autocomplete="off" />
      <${TextField} id="apiSecret" label="API secret" type="password" value=${form.apiSecret} onInput=${set('apiSecret')} error=${errors.byField.apiSecret} required autocomplete="current-password" />
      <button type="submit" disabled=${action.running}>${action.running ? 'Signing in…' : 'Sign in'}</button>
    </form>
  `;
}
