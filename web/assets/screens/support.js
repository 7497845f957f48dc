// Support access for a superadmin (SPEC §3): pending requests with Allow / Deny, the access status of
// every portal of the realm (green dot: available; red: not), Revoke for one or many, and each grant's
// access log. Kept current by the dashboard subscription and the support_request banner.
import { get, post, notAvailable } from '../api.js';
import { live } from '../live.js';
import {
  h, clear, keepFocus, field, nextId, formatTime, formatDuration, table, cell, toast, explain, unavailable,
  errorBox, openDialog, confirmDialog,
} from '../ui.js';

const DURATIONS = [3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400];
const STATE_TEXT = { none: 'No access', requested: 'Requested', available: 'Access available', expired: 'Expired', revoked: 'Revoked' };

const idOf = (x) => (x && typeof x === 'object' ? x.id : x) ?? null;

export function render(main, ctx) {
  let portals = [];
  const requests = new Map();  // id → request (details when the server gave them)
  const selected = new Set();
  const limits = { default_s: 86400, max_s: 30 * 86400 };

  const requestsBox = h('div', { id: 'support-requests' });
  const accessBox = h('div', { id: 'support-access' });
  const requestsSection = h('section', { 'aria-labelledby': 'sa-req' },
    h('h2', { id: 'sa-req' }, 'Pending requests'), requestsBox);
  main.append(
    h('h1', {}, 'Support access'),
    h('p', { class: 'lead' }, 'Give the support team temporary admin access to your portals, see who has it, ' +
      'and read what they did. Access ends by itself when its time is up.'),
    requestsSection,
    h('section', { 'aria-labelledby': 'sa-status' }, h('h2', { id: 'sa-status' }, 'Access status'), accessBox));

  const portalName = (id) => portals.find((p) => p.portal === id)?.name ?? id;
  const pending = () => [...requests.values()].filter((r) => !r.state || r.state === 'pending');

  async function load() {
    try {
      const r = await get('/v1/support/access');
      portals = r.portals ?? [];
    } catch (e) {
      requestsSection.hidden = notAvailable(e);
      clear(accessBox, notAvailable(e) ? unavailable('support access') : errorBox(e));
      return;
    }
    requestsSection.hidden = false;
    for (const p of portals) {
      const id = idOf(p.request);
      if (!id) continue;
      const known = requests.get(id) ?? { id, portals: [] };
      if (typeof p.request === 'object') Object.assign(known, p.request);
      if (p.state === 'requested' && !known.portals.includes(p.portal)) known.portals.push(p.portal);
      if (p.state === 'requested') known.state ??= 'pending';
      requests.set(id, known);
    }
    // A request no portal shows as requested any more was answered, cancelled or lapsed.
    for (const [id, r] of requests) {
      if (!portals.some((p) => p.state === 'requested' && idOf(p.request) === id) && (!r.state || r.state === 'pending')) requests.delete(id);
    }
    for (const id of [...selected]) if (!portals.some((p) => p.portal === id)) selected.delete(id);
    draw();
  }

  const draw = () => keepFocus(main, () => { drawRequests(); drawAccess(); });

  function drawRequests() {
    const list = pending();
    clear(requestsBox, list.length === 0 ? h('p', { class: 'muted' }, 'No requests are waiting.')
      : h('ul', { class: 'cards' }, list.map((r) => h('li', { class: 'card request', dataset: { key: `r:${r.id}`, request: r.id } },
        h('h3', {}, `Request from ${r.support_name ?? r.support_user ?? 'the support team'}`),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Portals'), h('dd', {}, (r.portals ?? []).map(portalName).join(', ') || '–'),
          r.ticket ? [h('dt', {}, 'Ticket'), h('dd', {}, r.ticket)] : null,
          r.reason ? [h('dt', {}, 'Reason'), h('dd', {}, r.reason)] : null,
          r.created_at ? [h('dt', {}, 'Asked'), h('dd', {}, formatTime(r.created_at))] : null,
          r.expires_at ? [h('dt', {}, 'Lapses'), h('dd', {}, formatTime(r.expires_at))] : null),
        h('div', { class: 'actions actions--start' },
          h('button', { type: 'button', class: 'button button--primary', onclick: () => allowDialog(r, r.portals ?? []) }, 'Allow…'),
          h('button', { type: 'button', class: 'button', onclick: () => deny(r) }, 'Deny'))))));
  }

  function drawAccess() {
    const chosen = portals.filter((p) => selected.has(p.portal));
    const revocable = chosen.filter((p) => p.state === 'available' && idOf(p.grant));
    const noRequest = pending().length === 0;
    const toolbar = h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Selected portals' },
      h('span', { class: 'muted' }, `${chosen.length} selected`),
      h('button', {
        type: 'button', class: 'button', 'aria-disabled': String(chosen.length === 0 || noRequest),
        title: noRequest ? 'Access is given in answer to a request from the support team.' : null,
        onclick: () => { if (chosen.length && !noRequest) allowDialog(null, chosen.map((p) => p.portal)); },
      }, 'Allow selected…'),
      h('button', {
        type: 'button', class: 'button button--danger', 'aria-disabled': String(revocable.length === 0),
        onclick: () => { if (revocable.length) revoke(revocable); },
      }, 'Revoke selected'));
    const rows = portals.map((p) => {
      const box = h('input', { type: 'checkbox', checked: selected.has(p.portal), 'aria-label': `Select ${p.name ?? p.portal}`,
        onchange: (e) => { if (e.target.checked) selected.add(p.portal); else selected.delete(p.portal); draw(); } });
      const available = p.state === 'available';
      const request = requests.get(idOf(p.request));
      return h('tr', { dataset: { key: `p:${p.portal}`, portal: p.portal, state: p.state } },
        cell('Select', box),
        cell('Portal', h('span', { class: 'strong' }, p.name ?? p.portal)),
        cell('Status', h('span', { class: `dot dot--${available ? 'green' : 'red'}`, 'aria-hidden': 'true' }),
          STATE_TEXT[p.state] ?? p.state),
        cell('Expires', available || p.state === 'expired' ? formatTime(p.expires_at) : '–'),
        cell('Actions', h('div', { class: 'actions actions--start' },
          p.state === 'requested' && request ? h('button', { type: 'button', class: 'button button--small',
            'aria-label': `Allow ${p.name}`, onclick: () => allowDialog(request, [p.portal]) }, 'Allow…') : null,
          available ? h('button', { type: 'button', class: 'button button--small button--danger',
            'aria-label': `Revoke ${p.name}`, onclick: () => revoke([p]) }, 'Revoke') : null,
          idOf(p.grant) ? h('button', { type: 'button', class: 'link-button',
            'aria-label': `Access log of ${p.name}`, onclick: () => accessLog(p) }, 'Access log') : null)));
    });
    clear(accessBox, toolbar, table('Access status per portal', ['', 'Portal', 'Status', 'Expires', ''], rows,
      { className: 'table--access' }));
  }

  function allowDialog(request, preselected) {
    openDialog('Portal access', (close) => {
      const error = h('div', { class: 'form-error', role: 'alert' });
      const choices = portals.map((p) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'portal', value: p.portal, checked: preselected.includes(p.portal) }),
        ` ${p.name ?? p.portal}`));
      const options = DURATIONS.filter((s) => s <= limits.max_s);
      const duration = h('select', { name: 'duration' }, options.map((s) =>
        h('option', { value: String(s), selected: s === limits.default_s }, formatDuration(s))));
      const pendingList = pending();
      const requestSelect = request ? null : h('select', { name: 'request' }, pendingList.map((r) =>
        h('option', { value: r.id }, `${r.support_name ?? r.support_user ?? 'Support'}${r.ticket ? ` · ${r.ticket}` : ''} (${r.id})`)));
      const legend = nextId('portals');
      return h('form', {
        class: 'dialog__body',
        onsubmit: async (e) => {
          e.preventDefault();
          const chosen = [...e.target.querySelectorAll('input[name=portal]:checked')].map((i) => i.value);
          if (chosen.length === 0) { error.textContent = 'Choose at least one portal.'; return; }
          const requestId = request?.id ?? requestSelect?.value;
          try {
            const r = await post('/v1/support/grants', { request: requestId, portals: chosen, duration_s: Number(duration.value) });
            close();
            const n = r.grants?.length ?? chosen.length;
            toast(`Access allowed to ${n} portal${n === 1 ? '' : 's'} for ${formatDuration(Number(duration.value))}.`);
            requests.delete(requestId);
            load();
          } catch (err) {
            error.textContent = notAvailable(err) ? 'Allowing access is not available yet.' : explain(err);
          }
        },
      },
      requestSelect ? field('Request', requestSelect) : null,
      h('fieldset', { class: 'checks', 'aria-describedby': legend },
        h('legend', {}, 'Portals'),
        h('p', { class: 'hint', id: legend }, 'A temporary admin is made for each portal, for that portal only.'),
        choices),
      field('Access duration', duration),
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'),
        h('button', { type: 'submit', class: 'button button--primary' }, 'Allow')));
    });
  }

  async function deny(r) {
    const ok = await confirmDialog('Deny request', 'Deny this request for access? The support team is told.', 'Deny', { danger: true });
    if (!ok) return;
    try {
      await post(`/v1/support/requests/${encodeURIComponent(r.id)}/deny`, {});
      requests.delete(r.id);
      toast('Request denied.');
    } catch (e) {
      toast(notAvailable(e) ? 'Denying is not available yet.' : explain(e), 'error');
    }
    load();
  }

  async function revoke(list) {
    const names = list.map((p) => p.name ?? p.portal).join(', ');
    const ok = await confirmDialog('Portal access', `Revoke support access to ${names}? Their temporary admins are removed at once.`,
      'Revoke', { danger: true });
    if (!ok) return;
    try {
      await post('/v1/support/grants/revoke', { grants: list.map((p) => idOf(p.grant)) });
      list.forEach((p) => selected.delete(p.portal));
      toast(`Access revoked for ${names}.`);
    } catch (e) {
      toast(notAvailable(e) ? 'Revoking is not available yet.' : explain(e), 'error');
    }
    load();
  }

  function accessLog(p) {
    const body = h('div', { class: 'log' }, h('p', { class: 'muted' }, 'Loading…'));
    openDialog(`Access log: ${p.name ?? p.portal}`, (close) => h('div', { class: 'dialog__body' }, body,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: close }, 'Close'))),
    { className: 'dialog--wide' });
    get(`/v1/support/grants/${encodeURIComponent(idOf(p.grant))}/log`).then((r) => {
      const events = r.events ?? [];
      clear(body, events.length === 0 ? h('p', { class: 'muted' }, 'Nothing was done under this access yet.')
        : table('Access log', ['Time', 'Event', 'Action', 'Outcome', 'Account'], events.map((e) => h('tr', {},
          cell('Time', formatTime(e.at)),
          cell('Event', e.event),
          cell('Action', e.action ?? '–'),
          cell('Outcome', e.outcome + (e.code ? ` (${e.code})` : '')),
          cell('Account', e.active_account ?? e.performed_by ?? '–')))));
    }).catch((e) => clear(body, notAvailable(e) ? unavailable('access logs') : errorBox(e)));
  }

  async function loadLimits() {
    try {
      const r = await get(`/v1/portals/${encodeURIComponent(ctx.me.user.portal)}/settings`);
      const s = (r.settings ?? r).support ?? {};
      limits.default_s = s.default_duration_s ?? limits.default_s;
      limits.max_s = s.max_duration_s ?? limits.max_s;
    } catch {
      // The defaults of SPEC §1 stand.
    }
  }

  let timer = null;
  const reload = () => { clearTimeout(timer); timer = setTimeout(load, 150); };
  const stops = [
    live.on('dashboard', (f) => {
      if (f.request && f.op === 'remove') requests.delete(f.request.id);
      else if (f.request) requests.set(f.request.id, { ...requests.get(f.request.id), ...f.request });
      if (f.grant || f.request) reload();
    }),
    live.on('banner', (f) => { if (f.kind === 'support_request') reload(); }),
    live.on('open', reload),
  ];
  const unsubscribe = live.subscribe('dashboard');
  loadLimits();
  load();
  return () => { stops.forEach((s) => s()); unsubscribe(); clearTimeout(timer); };
}
