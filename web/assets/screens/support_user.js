// Support access for a support user (SPEC §3): ask a customer for temporary admin access to some of its
// portals, follow the requests and grants, and open a temporary admin session in this tab.
import { get, post, notAvailable } from '../api.js';
import { live } from '../live.js';
import { h, clear, keepFocus, field, formatTime, countdown, parseTime, table, cell, toast, explain } from '../ui.js';

const KEY_REQUESTS = 'actas.support.requests';
const ACTIVE = ['active', 'available'];

const saved = () => {
  try {
    return JSON.parse(sessionStorage.getItem(KEY_REQUESTS) ?? '[]');
  } catch {
    return [];
  }
};

export function render(main, ctx) {
  const requests = new Map(saved().map((r) => [r.id, r]));
  const grants = new Map();
  let grantsListed = true;
  const remember = () => sessionStorage.setItem(KEY_REQUESTS, JSON.stringify([...requests.values()].slice(-50)));

  const portalsInput = h('input', { type: 'text', name: 'portals', required: true, autocomplete: 'off', placeholder: 'acme, acme-eu' });
  const reason = h('input', { type: 'text', name: 'reason', required: true, maxlength: 500, autocomplete: 'off' });
  const ticket = h('input', { type: 'text', name: 'ticket', required: true, maxlength: 100, autocomplete: 'off' });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const requestsBox = h('div', { id: 'my-requests' });
  const grantsBox = h('div', { id: 'my-grants' });

  const form = h('form', {
    class: 'card', 'aria-labelledby': 'ask-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const portals = portalsInput.value.split(/[\s,]+/).filter(Boolean);
      try {
        const r = await post('/v1/support/requests', { portals, reason: reason.value.trim(), ticket: ticket.value.trim() });
        const request = r.request ?? { id: '?', portals };
        requests.set(request.id, { state: 'pending', ...request });
        remember();
        form.reset();
        toast('Request sent. The customer\u2019s superadmins are told now.');
        draw();
      } catch (err) {
        error.textContent = notAvailable(err) ? 'Requesting access is not available on this server yet.' : explain(err);
      }
    },
  },
  h('h2', { id: 'ask-title' }, 'Ask for access'),
  field('Portals', portalsInput, 'Portal ids of one customer, separated by commas.'),
  field('Reason', reason),
  field('Ticket reference', ticket),
  error,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button--primary' }, 'Send request')));

  main.append(
    h('h1', {}, 'Support access'),
    h('div', { class: 'grid' }, form,
      h('section', { class: 'card card--wide', 'aria-labelledby': 'my-grants-title' },
        h('h2', { id: 'my-grants-title' }, 'My access'), grantsBox,
        h('h2', {}, 'My requests'), requestsBox)));

  const draw = () => keepFocus(main, () => {
    const open = [...grants.values()].filter((g) => !g.state || ACTIVE.includes(g.state));
    clear(grantsBox, open.length === 0
      ? h('p', { class: 'muted' }, grantsListed ? 'No access is open for you right now.'
        : 'Your grants show here once a customer allows a request (the list of grants is not available on this server yet).')
      : table('My access', ['Portal', 'Ends', 'Time left', ''], open.map((g) => h('tr', { dataset: { key: `g:${g.id}`, grant: g.id } },
        cell('Portal', g.portal_name ?? g.portal),
        cell('Ends', formatTime(g.expires_at)),
        cell('Time left', countdown(parseTime(g.expires_at))),
        cell('', h('button', { type: 'button', class: 'button button--small button--primary',
          'aria-label': `Open a temporary admin session in ${g.portal_name ?? g.portal}`, onclick: () => openSession(g) },
        'Open admin session'))))));
    const list = [...requests.values()].reverse();
    clear(requestsBox, list.length === 0 ? h('p', { class: 'muted' }, 'You have not asked for access in this tab.')
      : h('ul', { class: 'plain-list' }, list.map((r) => h('li', { dataset: { key: `r:${r.id}`, request: r.id } },
        h('span', { class: 'strong' }, (r.portals ?? []).join(', ')),
        ` · ${r.ticket ?? ''} · ${r.state ?? 'pending'}`,
        (r.state ?? 'pending') === 'pending'
          ? h('button', { type: 'button', class: 'link-button', onclick: () => cancel(r) }, 'Cancel request') : null))));
  });

  async function openSession(g) {
    try {
      const r = await post(`/v1/support/grants/${encodeURIComponent(g.id)}/token`, {});
      await ctx.openGrant(g.id, r.token);
    } catch (e) {
      toast(explain(e), 'error');
    }
  }

  async function cancel(r) {
    try {
      await post(`/v1/support/requests/${encodeURIComponent(r.id)}/cancel`, {});
      r.state = 'cancelled';
    } catch (e) {
      if (!notAvailable(e)) toast(explain(e), 'error');
      else toast('Cancelling is not available yet.', 'error');
    }
    remember();
    draw();
  }

  async function loadGrants() {
    try {
      const r = await get('/v1/support/grants');
      for (const g of r.grants ?? []) grants.set(g.id, g);
      grantsListed = true;
    } catch {
      grantsListed = false;
    }
    draw();
  }

  const stops = [
    live.on('dashboard', (f) => {
      if (f.grant) grants.set(f.grant.id, { ...grants.get(f.grant.id), ...f.grant });
      if (f.request && requests.has(f.request.id)) {
        Object.assign(requests.get(f.request.id), f.request);
        remember();
      }
      draw();
    }),
    live.on('notification', (f) => { if (f.notification?.kind?.startsWith('support_')) loadGrants(); }),
  ];
  const unsubscribe = live.subscribe('dashboard');
  draw();
  loadGrants();
  return () => { stops.forEach((s) => s()); unsubscribe(); };
}
