// The console's only way to the service: the same HTTP API m3ter's SDKs use.

const SESSION_KEY = 'm3ter-console-session';

/** The signed-in session ({ orgId, token, expiresAt }) from sessionStorage, or null when absent or expired. */
export function currentSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    if (session && session.token && session.orgId && session.expiresAt > Date.now()) return session;
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

const listeners = new Set();
/** Calls `listener(session | null, reason?)` whenever the session starts or ends. */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(session, reason) {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener(session, reason);
}

export function signOut(reason) {
  setSession(null, reason);
}

/** m3ter's authentication: Basic apiKey:apiSecret for a bearer token, kept in this tab's session only. */
export async function signIn({ orgId, apiKey, apiSecret }) {
  const response = await fetch('/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${apiKey}:${apiSecret}`)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.message ?? `sign-in failed (${response.status})`);
  // The token is checked against the organization on every call: a wrong id fails at once, not later.
  const session = { orgId: orgId.trim(), token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  const probe = await fetch(`/organizations/${encodeURIComponent(session.orgId)}/integrationconfigs?pageSize=1`, { headers: { authorization: `Bearer ${session.token}` } });
  if (!probe.ok) throw new ApiError(probe.status, 'orgId: this API key belongs to another organization; use the orgId printed with it by `org create`');
  setSession(session);
  return session;
}

/** An API refusal, with the message split per field (`configData.netsuiteDefaultItemId: …; name: …`). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.parts = splitMessage(message);
  }

  /** The parts that name one of `fields` (longest match wins), and the rest for a form-level alert. */
  forFields(fields) {
    const byField = {};
    const rest = [];
    for (const part of this.parts) {
      const field = part.field && [...fields].sort((a, b) => b.length - a.length).find((f) => part.field === f || part.field.startsWith(`${f}.`));
      if (field) byField[field] = byField[field] ? `${byField[field]}; ${part.text}` : part.text;
      else rest.push(part.field ? `${part.field}: ${part.text}` : part.text);
    }
    return { byField, rest };
  }
}

/** The API joins one message per field with "; ", each starting with the field's path. */
export function splitMessage(message) {
  return String(message)
    .split(/; (?=[A-Za-z][\w.]*(?::| "))/)
    .map((part) => {
      const match = /^([A-Za-z][\w.]*)(?:: ?| (?="))([\s\S]*)$/.exec(part);
      return match ? { field: match[1], text: match[2].startsWith('"') ? `${match[1]} ${match[2]}` : match[2] } : { field: undefined, text: part };
    });
}

/** A call under /organizations/{orgId}; `path` starts after it. Answers the parsed body, throws ApiError. */
export async function api(method, path, body) {
  const session = currentSession();
  if (!session) {
    signOut('Your session ended. Sign in again.');
    throw new ApiError(401, 'not signed in');
  }
  const response = await fetch(`/organizations/${encodeURIComponent(session.orgId)}${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text };
  }
  if (response.status === 401) {
    signOut('Your session expired. Sign in again.');
    throw new ApiError(401, parsed?.message ?? 'session expired');
  }
  if (!response.ok) throw new ApiError(response.status, parsed?.message ?? `${method} ${path} answered ${response.status}`);
  return parsed;
}

/** Every page of a list (m3ter's { data, nextToken } envelope), up to `max` items. */
export async function listAll(path, max = 1000) {
  const items = [];
  let nextToken;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await api('GET', nextToken ? `${path}${separator}nextToken=${encodeURIComponent(nextToken)}` : path);
    items.push(...page.data);
    nextToken = page.nextToken;
  } while (nextToken && items.length < max);
  return items;
}

let settingsSchema;
/**
 * The allowed values of the settings (line item types, split and sort options), read from the API's
 * own OpenAPI document so the console never keeps a second copy of them.
 */
export async function configDataSchema() {
  settingsSchema ??= fetch('/openapi.json')
    .then((response) => response.json())
    .then((doc) => doc.paths['/organizations/{orgId}/integrationconfigs'].post.requestBody.content['application/json'].schema.properties.configData);
  return settingsSchema;
}
