// The live dashboard (SPEC §4): active impersonations and support grants in the caller's scope with the
// time left, kept live by the `dashboard` subscription. Superadmins terminate sessions and revoke grants.
// Without the subscription (a server that refuses it) the lists refresh every 5 seconds instead.
import { get, post, notAvailable } from '../api.js';
import { live } from '../live.js';
import {
  h, clear, keepFocus, countdown, parseTime, formatTime, table, cell, toast, explain, unavailable, errorBox, confirmDialog,
} from '../ui.js';

const POLL_MS = 5000;

export function render(main, ctx) {
  const sessions = new Map();
  const grants = new Map();
  const names = new Map();  // user id → name, for ids the rows carry
  const state = { sessionsError: null, polling: false };
  const superadmin = ctx.isSuperadmin();

  const mode = h('p', { class: 'muted', id: 'dashboard-mode', role: 'status' });
  const sessionsBox = h('div', { id: 'dashboard-sessions' });
  const grantsBox = h('div', { id: 'dashboard-grants' });
  main.append(
    h('h1', {}, 'Live sessions'),
    mode,
    h('section', { 'aria-labelledby': 'dash-imp' }, h('h2', { id: 'dash-imp' }, 'Active impersonations'), sessionsBox),
    h('section', { 'aria-labelledby': 'dash-grants' }, h('h2', { id: 'dash-grants' }, 'Support access grants'), grantsBox));

  const name = (id) => names.get(id) ?? id ?? '–';

  const draw = () => keepFocus(main, drawLists);

  function drawLists() {
    if (state.sessionsError) {
      clear(sessionsBox, notAvailable(state.sessionsError) ? unavailable('the list of sessions') : errorBox(state.sessionsError));
    } else {
      const rows = [...sessions.values()].filter((s) => s.state === 'active')
        .sort((a, b) => parseTime(a.expires_at) - parseTime(b.expires_at));
      clear(sessionsBox, rows.length === 0 ? h('p', { class: 'muted' }, 'Nobody is logged in as another user right now.')
        : table('Active impersonations', ['Admin', 'Logged in as', 'Reason', 'Started', 'Time left', ''],
          rows.map((s) => h('tr', { dataset: { session: s.id, key: `s:${s.id}` } },
            cell('Admin', name(s.actor), s.via ? h('span', { class: 'muted' }, ` (for ${name(s.via)})`) : null),
            cell('Logged in as', name(s.target)),
            cell('Reason', h('span', { class: 'reason' }, s.reason)),
            cell('Started', formatTime(s.started_at)),
            cell('Time left', countdown(parseTime(s.expires_at))),
            cell('', superadmin ? h('button', {
              type: 'button', class: 'button button--small button--danger',
              'aria-label': `Terminate ${name(s.actor)}'s session as ${name(s.target)}`,
              onclick: () => terminate(s),
            }, 'Terminate') : null)))));
    }
    const grantRows = [...grants.values()].filter((g) => !g.state || ['active', 'available'].includes(g.state));
    clear(grantsBox, grantRows.length === 0 ? h('p', { class: 'muted' }, 'No support access is open right now.')
      : table('Support access grants', ['Portal', 'Support user', 'Temporary admin', 'Ends', 'Time left', ''],
        grantRows.map((g) => h('tr', { dataset: { grant: g.id, key: `g:${g.id}` } },
          cell('Portal', g.portal_name ?? g.name ?? g.portal ?? '–'),
          cell('Support user', g.support_name ?? name(g.support_user ?? g.via)),
          cell('Temporary admin', g.temp_name ?? name(g.temp_user ?? g.user)),
          cell('Ends', formatTime(g.expires_at)),
          cell('Time left', countdown(parseTime(g.expires_at))),
          cell('', superadmin ? h('button', {
            type: 'button', class: 'button button--small button--danger', onclick: () => revoke(g),
          }, 'Revoke') : null)))));
  }

  async function terminate(s) {
    const ok = await confirmDialog('Terminate session',
      `End ${name(s.actor)}'s session in ${name(s.target)}'s account now? Both are told.`, 'Terminate', { danger: true });
    if (!ok) return;
    try {
      await post(`/v1/impersonations/${encodeURIComponent(s.id)}/end`, {});
      sessions.delete(s.id);
      toast('Session terminated.');
    } catch (e) {
      if (e.code === 'session_ended') sessions.delete(s.id);
      else toast(explain(e), 'error');
    }
    draw();
  }

  async function revoke(g) {
    const ok = await confirmDialog('Revoke support access',
      `Revoke support access to ${g.portal_name ?? g.portal} now? The temporary admin is removed at once.`, 'Revoke', { danger: true });
    if (!ok) return;
    try {
      await post('/v1/support/grants/revoke', { grants: [g.id] });
      grants.delete(g.id);
      toast('Access revoked.');
    } catch (e) {
      toast(notAvailable(e) ? 'Revoking is not available yet.' : explain(e), 'error');
    }
    draw();
  }

  async function loadNames() {
    try {
      const r = await get('/v1/users');
      for (const u of r.users ?? []) names.set(u.id, u.name);
    } catch {
      // Names are a nicety: rows show ids without them.
    }
    names.set(ctx.me.user.id, ctx.me.user.name);
  }

  async function loadSessions() {
    try {
      const r = await get('/v1/impersonations?state=active');
      sessions.clear();
      for (const s of r.sessions ?? []) sessions.set(s.id, s);
      state.sessionsError = null;
    } catch (e) {
      state.sessionsError = e;
    }
  }

  async function loadGrants() {
    if (!superadmin) return;
    try {
      const r = await get('/v1/support/access');
      for (const p of r.portals ?? []) {
        const id = typeof p.grant === 'object' ? p.grant?.id : p.grant;
        if (p.state === 'available' && id && !grants.has(id)) {
          grants.set(id, { ...(typeof p.grant === 'object' ? p.grant : {}), id, portal: p.portal, portal_name: p.name, expires_at: p.expires_at });
        }
      }
    } catch {
      // Support access arrives with a later server version; the grant list then stays empty.
    }
  }

  async function refresh() {
    await Promise.all([loadSessions(), loadGrants()]);
    draw();
  }

  // Live: upserts and removals; unknown ids (e.g. a new actor) fetch the names again.
  const stops = [
    live.on('dashboard', (f) => {
      if (f.session) {
        if (f.op === 'remove' || f.session.state === 'ended') sessions.delete(f.session.id);
        else sessions.set(f.session.id, f.session);
        if (!names.has(f.session.actor) || !names.has(f.session.target)) loadNames().then(draw);
      }
      if (f.grant) {
        if (f.op === 'remove' || ['ended', 'revoked', 'expired'].includes(f.grant.state)) grants.delete(f.grant.id);
        else grants.set(f.grant.id, { ...grants.get(f.grant.id), ...f.grant });
      }
      draw();
    }),
    live.on('error', (f) => {
      if (f.code === 'forbidden' && !state.polling) startPolling();
    }),
    live.on('open', refresh),
  ];
  const unsubscribe = live.subscribe('dashboard');
  let poller = null;
  function startPolling() {
    state.polling = true;
    mode.textContent = `Live updates are not available on this server yet; the lists refresh every ${POLL_MS / 1000} seconds.`;
    poller = setInterval(refresh, POLL_MS);
  }
  mode.textContent = 'These lists update live.';

  loadNames().then(refresh);
  return () => {
    stops.forEach((stop) => stop());
    unsubscribe();
    clearInterval(poller);
  };
}
