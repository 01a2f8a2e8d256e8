// Small building blocks every screen shares: labelled fields, alerts, dialogs, statuses, loading.
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export { html };

/**
 * Loads data for a screen and reloads it on `deps` changes; with `pollMs`, also every pollMs while the
 * tab is visible, keeping what is shown until the new answer arrives (runs change on their own).
 */
export function useLoad(load, deps, { pollMs } = {}) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ data: previous.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true });
    reload();
    if (!pollMs) return () => generation.current++;
    const timer = setInterval(() => document.visibilityState === 'visible' && reload(), pollMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [reload, pollMs]);
  return { ...state, reload };
}

/** The page's heading: sets the document title and moves focus there on navigation, for screen readers. */
export function PageTitle({ children, title }) {
  const ref = useRef();
  const text = title ?? (typeof children === 'string' ? children : '');
  useEffect(() => {
    document.title = `${text} · m3ter → NetSuite`;
    ref.current?.focus({ preventScroll: true });
  }, [text]);
  return html`<h1 tabindex="-1" ref=${ref}>${children}</h1>`;
}

export function Alert({ kind = 'error', children }) {
  if (!children || (Array.isArray(children) && children.length === 0)) return null;
  return html`<div class=${`alert alert-${kind}`} role=${kind === 'error' ? 'alert' : 'status'} tabindex="-1">${children}</div>`;
}

export function ErrorAlert({ error }) {
  if (!error) return null;
  return html`<${Alert}>${error.message}</${Alert}>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" role="status">${what}…</p>`;
}

const describedBy = (id, hint, error) => [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;

function FieldNotes({ id, hint, error }) {
  return html`${hint && html`<p id=${`${id}-hint`} class="hint">${hint}</p>`}${error && html`<p id=${`${id}-error`} class="field-error">${error}</p>`}`;
}

export function TextField({ id, label, value, onInput, error, hint, required, type = 'text', ...rest }) {
  return html`<div class=${`field${error ? ' has-error' : ''}`}>
    <label for=${id} class=${required ? 'required' : undefined}>${label}</label>
    <input
      id=${id}
      type=${type}
      value=${value ?? ''}
      onInput=${(e) => onInput(e.currentTarget.value)}
      required=${required}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${describedBy(id, hint, error)}
      ...${rest}
    />
    <${FieldNotes} id=${id} hint=${hint} error=${error} />
  </div>`;
}

export function CheckboxField({ id, label, checked, onChange, hint, error }) {
  return html`<div class=${`field field-checkbox${error ? ' has-error' : ''}`}>
    <input id=${id} type="checkbox" checked=${!!checked} onChange=${(e) => onChange(e.currentTarget.checked)} aria-describedby=${describedBy(id, hint, error)} />
    <label for=${id}>${label}</label>
    <${FieldNotes} id=${id} hint=${hint} error=${error} />
  </div>`;
}

export function SelectField({ id, label, value, onChange, options, hint, error, required, onFocus }) {
  return html`<div class=${`field${error ? ' has-error' : ''}`}>
    <label for=${id} class=${required ? 'required' : undefined}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)} onFocus=${onFocus} aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, hint, error)}>
      ${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${o.label}</option>`)}
    </select>
    <${FieldNotes} id=${id} hint=${hint} error=${error} />
  </div>`;
}

/**
 * A labelled group of checkboxes for picking several of a list (accounts, users, line item types),
 * with a filter box once the list is long. Values not in `options` stay selected and are shown.
 */
export function CheckList({ id, legend, options, selected, onChange, hint, error, columns = 1 }) {
  const [filter, setFilter] = useState('');
  const known = new Set(options.map((o) => o.value));
  const all = [...options, ...selected.filter((v) => !known.has(v)).map((v) => ({ value: v, label: `${v} (not found)` }))];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((o) => o.label.toLowerCase().includes(needle) || selected.includes(o.value)) : all;
  const toggle = (value, on) => onChange(on ? [...selected, value] : selected.filter((v) => v !== value));
  return html`<fieldset class=${`field checklist${error ? ' has-error' : ''}`} aria-describedby=${describedBy(id, hint, error)}>
    <legend>${legend}</legend>
    ${all.length > 8 && html`<label class="checklist-filter">Filter <input type="search" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} /></label>`}
    ${all.length === 0 ? html`<p class="empty">None to choose from yet.</p>` : null}
    <ul class=${`checklist-items columns-${columns}`}>
      ${shown.map(
        (o, i) => html`<li key=${o.value}>
          <input id=${`${id}-${i}`} type="checkbox" checked=${selected.includes(o.value)} onChange=${(e) => toggle(o.value, e.currentTarget.checked)} />
          <label for=${`${id}-${i}`}>${o.label}</label>
        </li>`,
      )}
    </ul>
    <p class="selection-count">${selected.length ? `${selected.length} selected` : 'None selected'}</p>
    <${FieldNotes} id=${id} hint=${hint} error=${error} />
  </fieldset>`;
}

/** A modal dialog (the native <dialog>: focus is trapped and Escape closes it). */
export function Dialog({ open, title, onClose, children }) {
  const ref = useRef();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return html`<dialog ref=${ref} aria-labelledby="dialog-title" onClose=${onClose} onCancel=${onClose}>
    ${open && html`<h2 id="dialog-title">${title}</h2>${children}`}
  </dialog>`;
}

/** A question before a change that can't be undone: the danger button confirms, Cancel or Escape does nothing. */
export function ConfirmDialog({ open, title, children, confirmLabel, onConfirm, onClose }) {
  const action = useAction(onConfirm);
  return html`<${Dialog} open=${open} title=${title} onClose=${onClose}>
    ${children}
    <${ErrorAlert} error=${action.error} />
    <div class="actions">
      <button type="button" class="danger" onClick=${() => action.run()} disabled=${action.running}>${confirmLabel}</button>
      <button type="button" class="secondary" onClick=${onClose}>Cancel</button>
    </div>
  </${Dialog}>`;
}

/**
 * What a status means to someone in finance, which decides its colour: done, failed (someone must act),
 * waiting (for an approval or a retry), working, or not for this integration (SKIPPED: no error).
 */
const STATUS_MEANING = {
  COMPLETE: 'good',
  CONNECTED: 'good',
  ENABLED: 'good',
  SEND: 'good',
  ERROR: 'bad',
  AUTH_FAILED: 'bad',
  TIMEOUT_LIMIT_EXCEEDED: 'bad',
  ACCOUNTING_PERIOD_CLOSED: 'bad',
  INVOICE_ALREADY_PAID: 'bad',
  'NOT CONNECTED': 'bad',
  DISABLED: 'bad',
  WAITING: 'waiting',
  WAIT: 'waiting',
  AWAITING_RETRY: 'waiting',
  RATE_LIMIT_RETRY: 'waiting',
  PENDING: 'waiting',
  STARTED: 'working',
  APPROVED: 'good',
  SKIPPED: 'neutral',
  SKIP: 'neutral',
};

export function statusMeaning(status) {
  return STATUS_MEANING[status] ?? 'neutral';
}

/** The class for a run's message: red only when something failed. */
export function messageClass(status) {
  return { bad: 'error-text', waiting: 'text-waiting', neutral: 'text-neutral' }[statusMeaning(status)] ?? '';
}

export function StatusBadge({ status }) {
  if (!status) return html`<span class="badge badge-none">none yet</span>`;
  const meaning = statusMeaning(status);
  return html`<span class=${`badge badge-${meaning === 'bad' ? 'bad' : meaning}`} data-meaning=${meaning}>${status}</span>`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export function Time({ value }) {
  if (!value) return html`<span class="muted">—</span>`;
  return html`<time datetime=${value}>${dateFormat.format(new Date(value))}</time>`;
}

/** An id shown whole, with a button that copies it to the clipboard. */
export function CopyableId({ id, value, label }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard');
    } catch {
      // Clipboard access can be refused (permissions, http): select the text for a manual copy.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(id));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      setCopied('Selected: press Ctrl+C to copy');
    }
  };
  return html`<span class="copyable">
    <code id=${id}>${value}</code>
    <button type="button" class="secondary small" onClick=${copy} aria-label=${`Copy ${label}`}>Copy</button>
    <span class="muted" role="status">${copied}</span>
  </span>`;
}

/** A short form of a UUID for tables; the whole id is in the title and for assistive technology. */
export function ShortId({ value }) {
  if (!value) return html`<span class="muted">—</span>`;
  return html`<span class="mono" title=${value}><span aria-hidden="true">${value.slice(0, 8)}…</span><span class="visually-hidden">${value}</span></span>`;
}

/** Runs an async action from a button or form, keeping its error and whether it is running. */
export function useAction(action) {
  const [state, setState] = useState({ running: false, error: undefined });
  const run = async (...args) => {
    setState({ running: true, error: undefined });
    try {
      const result = await action(...args);
      setState({ running: false, error: undefined });
      return result;
    } catch (error) {
      setState({ running: false, error });
      return undefined;
    }
  };
  return { ...state, run, clearError: () => setState((s) => ({ ...s, error: undefined })) };
}
