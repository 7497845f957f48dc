// Users the caller sees (GET /v1/users?q=), with "Log in as" per row: enabled when the server says
// can_impersonate, otherwise disabled with the why_not reason as a tooltip. Logging in asks for a reason
// (at least reason_min_length characters, SPEC §1) and then opens the user's view in this tab.
import { get, post, withQuery, notAvailable } from '../api.js';
import { h, clear, field, explain, roleName, statusName, table, cell, unavailable, errorBox, openDialog, nextId } from '../ui.js';

const DEFAULT_MIN_REASON = 10;
const MAX_REASON = 500;

export function render(main, ctx) {
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off', placeholder: 'Name or username' });
  const status = h('p', { class: 'muted', role: 'status', id: 'users-status' });
  const results = h('div', { id: 'users' });
  let timer = null;
  let generation = 0;

  async function load() {
    const mine = ++generation;
    status.textContent = 'Loading…';
    try {
      const r = await get(withQuery('/v1/users', { q: search.value.trim() }));
      if (mine !== generation) return;
      const rows = r.users ?? [];
      status.textContent = `${rows.length} user${rows.length === 1 ? '' : 's'}`;
      clear(results, rows.length ? usersTable(rows, ctx) : h('p', { class: 'muted' }, 'No users match.'));
    } catch (e) {
      if (mine !== generation) return;
      status.textContent = '';
      clear(results, notAvailable(e) ? unavailable('the user list') : errorBox(e));
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });

  main.append(
    h('h1', {}, 'Users'),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
      field('Search users', search)),
    status,
    results);
  load();
  return () => clearTimeout(timer);
}

function usersTable(rows, ctx) {
  return table('Users you can see', ['Name', 'Role', 'Status', 'Portal', 'Action'], rows.map((u) => {
    return h('tr', { dataset: { username: u.username } },
      cell('Name', h('span', { class: 'strong' }, u.name), h('br'), h('span', { class: 'muted' }, u.username)),
      cell('Role', roleName(u.role)),
      cell('Status', statusName(u.status)),
      cell('Portal', u.portal ?? '–'),
      cell('Action', loginAsButton(u, ctx)));
  }));
}

/// Enabled, or "disabled" but still focusable (aria-disabled) so keyboard users reach the tooltip.
function loginAsButton(u, ctx) {
  const label = `Log in as ${u.name}`;
  if (u.can_impersonate) {
    return h('button', { type: 'button', class: 'button button--small', 'aria-label': label,
      onclick: () => reasonDialog(u, ctx) }, 'Log in as');
  }
  const why = explain(u.why_not ?? 'forbidden');
  const tipId = nextId('why');
  return h('span', { class: 'tip' },
    h('button', { type: 'button', class: 'button button--small', 'aria-disabled': 'true', 'aria-label': label,
      'aria-describedby': tipId, title: why, dataset: { whyNot: u.why_not ?? '' } }, 'Log in as'),
    h('span', { class: 'tip__text', role: 'tooltip', id: tipId }, why));
}

/// The minimum reason length for this user's portal: its settings when the caller may read them.
async function minReasonLength(u) {
  if (!u.portal) return DEFAULT_MIN_REASON;
  try {
    const r = await get(`/v1/portals/${encodeURIComponent(u.portal)}/settings`);
    const s = r.settings ?? r;
    return s.impersonation?.reason_min_length ?? DEFAULT_MIN_REASON;
  } catch {
    return DEFAULT_MIN_REASON;
  }
}

const codePoints = (s) => [...s].length;

async function reasonDialog(u, ctx) {
  const min = await minReasonLength(u);
  openDialog(`Log in as ${u.name}`, (close) => {
    const reason = h('input', { type: 'text', name: 'reason', maxlength: MAX_REASON, autocomplete: 'off', required: true });
    const counter = h('span', { class: 'hint', 'aria-live': 'off' });
    const error = h('div', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'button button--primary', disabled: true }, 'Log in as user');
    const update = () => {
      const n = codePoints(reason.value.trim());
      counter.textContent = `${n} characters (at least ${min})`;
      submit.disabled = n < min;
    };
    reason.addEventListener('input', update);
    update();
    setTimeout(() => reason.focus());

    return h('form', {
      class: 'dialog__body',
      onsubmit: async (e) => {
        e.preventDefault();
        // One line, no control characters (SPEC §2 rule 12).
        const text = reason.value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
        if (codePoints(text) < min) return;
        submit.disabled = true;
        error.textContent = '';
        try {
          const r = await post('/v1/impersonations', { target: u.id, reason: text, return_to: '/#/users' });
          close();
          await ctx.startImpersonation(r, u);
        } catch (err) {
          error.textContent = explain(err);
          submit.disabled = false;
        }
      },
    },
    h('p', {}, `You will see the platform as ${u.name} (${roleName(u.role)}) for a limited time. ` +
      'Anything you change takes effect in their account, and they are told that you were there.'),
    field(`Reason for the access (at least ${min} characters)`, reason,
      'Recorded in the audit log with your name.'),
    counter,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'),
      submit));
  });
}
