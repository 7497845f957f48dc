// Small DOM and formatting helpers shared by every screen.

/// h('button', {class: 'primary', onclick: f}, 'Save'): an element with attributes, properties, handlers
/// and children (strings become text nodes; null and false are skipped; arrays are flattened).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'text') el.textContent = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/// Appends children to `el` as h() does (null and false skipped).
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/// A unique id for label/aria wiring.
export const nextId = (prefix = 'id') => `${prefix}-${++uid}`;

/// A labelled field: label, control, optional hint (wired with aria-describedby).
export function field(labelText, control, hintText) {
  control.id ||= nextId('f');
  const parts = [h('label', { for: control.id }, labelText), control];
  if (hintText) {
    const hint = h('p', { class: 'hint', id: nextId('hint') }, hintText);
    control.setAttribute('aria-describedby', hint.id);
    parts.push(hint);
  }
  return h('div', { class: 'field' }, parts);
}

// ---------------------------------------------------------------- time

/// Milliseconds since the epoch from an RFC 3339 time ("…T08:24:00.123456Z": JS keeps 3 digits).
export function parseTime(iso) {
  if (!iso) return NaN;
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
}

/// "21 Nov 2026, 10:35" in the browser's locale and time zone.
export function formatTime(iso) {
  const t = parseTime(iso);
  if (Number.isNaN(t)) return '–';
  return new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/// "10:35" only.
export function formatClock(iso) {
  const t = parseTime(iso);
  if (Number.isNaN(t)) return '–';
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/// Time left as "29:41", "7:59:02" or "2 d 3 h"; "0:00" when over.
export function formatLeft(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh}:${two(mm)}:${two(ss)}`;
  return `${mm}:${two(ss)}`;
}

/// "1 hour", "3 days", "30 minutes".
export function formatDuration(seconds) {
  const units = [[86400 * 7, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/// An element whose text counts down to `deadlineMs`; the clock in app.js refreshes every such element
/// once a second. role=timer is not announced on every tick.
export function countdown(deadlineMs, attrs = {}) {
  const el = h('span', { class: 'countdown', role: 'timer', 'aria-live': 'off', ...attrs });
  el.dataset.deadline = String(deadlineMs);
  el.textContent = formatLeft(deadlineMs - Date.now());
  return el;
}

export function refreshCountdowns(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('[data-deadline]')) {
    const text = formatLeft(Number(el.dataset.deadline) - now);
    if (el.textContent !== text) el.textContent = text;
  }
}

// ---------------------------------------------------------------- words

const ROLE_NAMES = {
  learner: 'Learner', instructor: 'Instructor', manager: 'Manager', power_user: 'Power user',
  admin: 'Admin', superadmin: 'Superadmin', sysadmin: 'Sysadmin', support: 'Support',
};
export const roleName = (role) => ROLE_NAMES[role] ?? role ?? '–';

const STATUS_NAMES = { active: 'Active', inactive: 'Inactive', pending: 'Pending registration', deleted: 'Deleted' };
export const statusName = (status) => STATUS_NAMES[status] ?? status ?? '–';

/// What an error code means to the person who clicked (SPEC §2 rule codes and §6 errors).
const EXPLAIN = {
  nested_impersonation: 'You are already logged in as someone else. Switch back first.',
  permission_missing: 'Your role cannot log in as other users.',
  target_not_found: 'This user does not exist.',
  feature_disabled: 'Logging in as users is turned off for this portal.',
  actor_busy: 'You are already logged in as another user. Switch back first.',
  self_impersonation: 'This is your own account.',
  target_inactive: 'This user is not active.',
  target_protected: 'This user has the same or a higher role than you.',
  target_out_of_scope: 'This user is outside the portals or users you manage.',
  target_role_not_allowed: 'Your role may not log in as users with this role.',
  consent_missing: 'This user has not accepted the terms of use or the privacy policy.',
  reason_required: 'Give a reason for the access.',
  target_busy: 'Another admin is logged in as this user right now.',
  session_ended: 'This session has already ended.',
  restricted_while_impersonating: 'Not allowed while you are logged in as another user.',
  unauthenticated: 'Your sign-in has ended. Please sign in again.',
  forbidden: 'You are not allowed to do this.',
  rate_limited: 'Too many attempts. Wait a few minutes and try again.',
  audit_unavailable: 'The server cannot record this right now. Try again later.',
  network: 'The server cannot be reached.',
};
export function explain(error) {
  const code = typeof error === 'string' ? error : error?.code;
  return EXPLAIN[code] ?? (typeof error === 'object' && error?.message) ?? String(code ?? 'Something went wrong.');
}

const END_REASONS = {
  ended_by_actor: 'ended by the admin',
  expired: 'the time limit was reached',
  terminated: 'a superadmin terminated it',
  ended_by_target: 'the user ended it',
  actor_logged_out: 'the admin signed out',
  actor_revoked: "the admin's rights changed",
  target_changed: "the user's account changed",
  grant_ended: 'the support access ended',
};
export const endReason = (reason) => END_REASONS[reason] ?? reason ?? 'it ended';

// ---------------------------------------------------------------- notices

/// A short message in the polite live region at the bottom; gone after a few seconds.
export function toast(message, kind = 'info') {
  const region = document.getElementById('toasts');
  const item = h('div', { class: `toast toast--${kind}` }, message);
  region.append(item);
  setTimeout(() => item.remove(), 6000);
}

/// The note a screen shows when the server does not offer its calls yet.
export function unavailable(what) {
  return h('div', { class: 'notice notice--muted', role: 'note' },
    h('strong', {}, 'Not available yet. '),
    `This server does not offer ${what} yet.`);
}

/// An inline error message, announced.
export function errorBox(error) {
  return h('div', { class: 'notice notice--error', role: 'alert' }, explain(error));
}

// ---------------------------------------------------------------- dialogs

/// A modal dialog (native <dialog>: focus is trapped, Escape closes). `build(close)` returns its body;
/// the dialog is removed when closed and focus goes back to where it was.
export function openDialog(title, build, { className = '' } = {}) {
  const opener = document.activeElement;
  const titleId = nextId('dlg');
  const dlg = h('dialog', { class: `dialog ${className}`, 'aria-labelledby': titleId });
  const close = () => dlg.close();
  dlg.append(h('h2', { id: titleId, class: 'dialog__title' }, title), build(close));
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  return { dialog: dlg, close };
}

/// Asks a yes/no question; resolves true on confirm.
export function confirmDialog(title, message, confirmLabel, { danger = false } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const { dialog } = openDialog(title, (close) => h('form', { method: 'dialog', class: 'dialog__body' },
      h('p', {}, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'),
        h('button', {
          type: 'submit', class: danger ? 'button button--danger' : 'button button--primary',
          onclick: () => { answer = true; },
        }, confirmLabel))));
    dialog.addEventListener('close', () => resolve(answer));
  });
}

/// A table that reads as cards on a narrow screen: each cell carries its column name.
export function table(caption, columns, rows, { className = '' } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: `table ${className}` },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

export function cell(label, ...content) {
  // One wrapper, so the narrow layout (label | content grid) sees two items.
  return h('td', { 'data-label': label }, h('div', { class: 'cell' }, content));
}

/// Runs `redraw` (which replaces what is inside `container`) and puts the keyboard focus back on the
/// same control when it was inside: the row is found by its data-key, the control by its label.
export function keepFocus(container, redraw) {
  const active = document.activeElement;
  let key = null;
  let label = null;
  if (active && container.contains(active)) {
    key = active.closest('[data-key]')?.dataset.key;
    label = active.getAttribute('aria-label') ?? active.textContent;
  }
  redraw();
  if (key == null) return;
  const row = [...container.querySelectorAll('[data-key]')].find((r) => r.dataset.key === key);
  const target = row && [...row.querySelectorAll('button, a, input, select, textarea')]
    .find((el) => (el.getAttribute('aria-label') ?? el.textContent) === label);
  if (target) target.focus();
}
