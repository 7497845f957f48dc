// The console's shell: who is signed in (and as whom), the header, the banners, the live socket and the
// hash router (#/home, #/users, …: the server serves only "/" and /assets/*).
import { get, post, tokens, ApiError } from './api.js';
import { live } from './live.js';
import { h, clear, toast, explain, refreshCountdowns, roleName, endReason, openDialog, field } from './ui.js';
import * as inbox from './notifications.js';
import { bell } from './bell.js';
import { initBanners, setBanner, clearAll } from './banners.js';
import * as login from './screens/login.js';
import * as home from './screens/home.js';
import * as users from './screens/users.js';
import * as dashboard from './screens/dashboard.js';
import * as support from './screens/support.js';
import * as supportUser from './screens/support_user.js';
import * as settings from './screens/settings.js';

const main = document.getElementById('main');
const header = document.getElementById('header');

/// What every screen gets: who is signed in, and the transitions between identities.
const ctx = {
  me: null,            // GET /v1/me: {user, actor, impersonation, grant}
  mode: 'none',        // 'none' (signed out), 'own', 'impersonating', 'grant'
  signIn, signOut, startImpersonation, openGrant, navigate,
  isSuperadmin: () => ctx.mode === 'own' && ctx.me?.user.role === 'superadmin',
};

let cleanup = null;
let switching = false;
let bellEl = null;
let stopStatus = null;

// ---------------------------------------------------------------- routes

function routesFor() {
  if (ctx.mode === 'none') return { login: ['Sign in', login] };
  const routes = { home: ['Home', home] };
  if (ctx.mode === 'impersonating') return routes;
  const { role, temporary } = ctx.me.user;
  if (['admin', 'superadmin', 'power_user'].includes(role)) {
    routes.users = ['Users', users];
    routes.dashboard = ['Live sessions', dashboard];
  }
  if (role === 'superadmin') routes.support = ['Support access', support];
  if (role === 'support') routes.support = ['Support access', supportUser];
  if ((role === 'superadmin' || role === 'admin') && !temporary) routes.settings = ['Settings', settings];
  return routes;
}

function defaultRoute() {
  if (ctx.mode === 'none') return 'login';
  if (ctx.mode === 'impersonating') return 'home';
  const role = ctx.me.user.role;
  if (['admin', 'superadmin', 'power_user'].includes(role)) return 'users';
  if (role === 'support') return 'support';
  return 'home';
}

function navigate(name) {
  if (location.hash === `#/${name}`) route();
  else location.hash = `#/${name}`;
}

function route({ focus = false } = {}) {
  const routes = routesFor();
  const name = location.hash.match(/^#\/([a-z_]+)/)?.[1];
  if (!name || !routes[name]) {
    history.replaceState(null, '', `#/${defaultRoute()}`);
    return route({ focus });
  }
  if (cleanup) cleanup();
  cleanup = null;
  const [title, screen] = routes[name];
  document.title = `${title} · actas`;
  clear(main);
  window.scrollTo(0, 0);
  cleanup = screen.render(main, ctx) ?? null;
  for (const a of header.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (focus) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => {
  // "#main" (the skip link) is not a route.
  if (location.hash.startsWith('#/')) route({ focus: true });
});

// ---------------------------------------------------------------- header

function drawHeader() {
  if (bellEl) bellEl.stop();
  if (stopStatus) stopStatus();
  bellEl = null;
  stopStatus = null;
  if (ctx.mode === 'none') {
    clear(header, h('div', { class: 'header__bar' }, h('span', { class: 'brand' }, 'actas')));
    return;
  }
  const { user, actor } = ctx.me;
  const routes = routesFor();
  const status = h('span', { class: 'live-status', id: 'live-status', dataset: { state: live.status } });
  const showStatus = (s) => {
    status.dataset.state = s;
    status.textContent = { live: 'Live', connecting: 'Connecting…', offline: 'Offline', off: 'Not live' }[s] ?? s;
    status.title = s === 'live' ? 'Live updates are on' : 'Live updates are paused; they resume by themselves';
  };
  showStatus(live.status);
  stopStatus = live.on('status', showStatus);
  bellEl = bell({ impersonating: ctx.mode === 'impersonating' });
  const meta = [roleName(user.role), user.portal].filter(Boolean).join(' · ');
  const who = h('div', { class: 'who', id: 'who' },
    h('span', { class: 'who__name' }, user.name),
    h('span', { class: 'who__meta' }, meta),
    actor && ctx.mode !== 'own' ? h('span', { class: 'who__actor' }, `Really: ${actor.name}`) : null);
  const signOutButton = ctx.mode === 'own'
    ? h('button', { type: 'button', class: 'button button--quiet', onclick: signOut }, 'Sign out')
    : null;
  clear(header, h('div', { class: 'header__bar' },
    h('a', { class: 'brand', href: `#/${defaultRoute()}` }, 'actas'),
    h('nav', { class: 'nav', 'aria-label': 'Main' }, h('ul', {},
      Object.entries(routes).map(([name, [title]]) => h('li', {}, h('a', { href: `#/${name}` }, title))))),
    h('div', { class: 'header__tools' }, status, bellEl, who, signOutButton)));
}

// ---------------------------------------------------------------- identity

/// Reads who the active token is and draws everything for it. Called at start and after every change of
/// identity (sign in, log in as, switch back, temporary admin session).
async function boot({ focus = false } = {}) {
  live.close();
  clearAll();
  inbox.reset();
  if (!tokens.own()) {
    ctx.mode = 'none';
    ctx.me = null;
    drawHeader();
    return route();
  }
  try {
    ctx.me = await get('/v1/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return identityLost();
    clear(main, h('div', { class: 'notice notice--error', role: 'alert' }, explain(e), ' ',
      h('button', { type: 'button', class: 'button', onclick: boot }, 'Try again')));
    return;
  }
  ctx.mode = tokens.impersonation() ? 'impersonating' : tokens.grant() ? 'grant' : 'own';
  const { user, actor, impersonation, grant } = ctx.me;
  if (ctx.mode === 'impersonating' && impersonation) {
    setBanner({ kind: 'impersonating', session: impersonation.id, target_name: user.name,
      actor_name: actor?.name, expires_at: impersonation.expires_at });
  }
  if (ctx.mode === 'grant') {
    setBanner({ kind: 'grant', session: tokens.grant().grant, target_name: user.name, actor_name: actor?.name,
      portal: user.portal, expires_at: grant?.expires_at });
  }
  drawHeader();
  route({ focus });
  inbox.load();
  live.connect();
}

/// The active token stopped working: an impersonation or grant ended while away, or the sign-in expired.
async function identityLost() {
  const imp = tokens.impersonation();
  if (imp) {
    tokens.setImpersonation(null);
    toast(`Your session as ${imp.target_name} has ended.`, 'warn');
    return goTo(imp.return_to);
  }
  const grant = tokens.grant();
  if (grant) {
    tokens.setGrant(null);
    toast('The temporary admin session has ended.', 'warn');
    return goTo(grant.return_to);
  }
  tokens.clear();
  toast(explain('unauthenticated'), 'warn');
  return boot();
}

/// Goes to a return_to path: the console's own ("/", "/#/users") in place, any other path of the site
/// (an embedding LMS page) by a real navigation.
function goTo(returnTo) {
  if (!returnTo || returnTo === '/' || returnTo.startsWith('/#')) {
    history.replaceState(null, '', returnTo || '/');
    return boot({ focus: true });
  }
  location.assign(returnTo);
}

async function signIn(username, password) {
  const r = await post('/v1/login', { username, password }, { token: null });
  tokens.clear();
  tokens.setOwn(r.token);
  history.replaceState(null, '', '/');
  await boot({ focus: true });
}

async function signOut() {
  const grant = tokens.grant();
  if (grant) await post('/v1/logout', {}, { token: grant.token }).catch(() => {});
  await post('/v1/logout', {}, { token: tokens.own() }).catch(() => {});
  tokens.clear();
  history.replaceState(null, '', '/');
  await boot();
}

/// After POST /v1/impersonations: keep the own token, work with the new one, open the user's view here.
function startImpersonation({ session, token }, target) {
  tokens.setImpersonation({ token, session: session.id, return_to: session.return_to ?? '/#/users',
    target_name: target.name });
  history.replaceState(null, '', '/#/home');
  return boot({ focus: true });
}

/// After POST /v1/support/grants/{id}/token: work as the grant's temporary admin in this tab.
function openGrant(grantId, token) {
  tokens.setGrant({ token, grant: grantId, return_to: '/#/support' });
  history.replaceState(null, '', '/#/users');
  return boot({ focus: true });
}

async function leaveGrant() {
  const grant = tokens.grant();
  if (!grant) return;
  await post('/v1/logout', {}, { token: grant.token }).catch(() => {});
  tokens.setGrant(null);
  toast('You left the temporary admin session.');
  goTo(grant.return_to);
}

// ---------------------------------------------------------------- switch back

/// "Switch back": an optional message to the user (SPEC §2: ≤ 500 characters, one line), then the end
/// call with the impersonation token, then back to return_to with the own token.
function switchBack() {
  const imp = tokens.impersonation();
  if (!imp) return;
  openDialog('Switch back to your account', (close) => {
    const message = h('textarea', { rows: 3, maxlength: 500, name: 'message' });
    const error = h('div', { class: 'form-error', role: 'alert' });
    const submit = async (withMessage) => {
      const text = withMessage ? message.value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim() : '';
      error.textContent = '';
      const ok = await endImpersonation(imp, text, (e) => { error.textContent = explain(e); });
      if (ok) close();
    };
    return h('form', {
      class: 'dialog__body',
      onsubmit: (e) => { e.preventDefault(); submit(true); },
    },
    h('p', {}, `You leave ${imp.target_name}'s account and return to your own.`),
    field(`Message to ${imp.target_name} (optional)`, message,
      `Say what you checked or changed. ${imp.target_name} gets it as a notification.`),
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', onclick: close }, 'Cancel'),
      h('button', { type: 'button', class: 'button', onclick: () => submit(false) }, 'Skip message'),
      h('button', { type: 'submit', class: 'button button--primary' }, 'Send and switch back')));
  });
}

async function endImpersonation(imp, message, showError) {
  switching = true;
  live.expectEnd();
  let returnTo = imp.return_to;
  try {
    const r = await post(`/v1/impersonations/${encodeURIComponent(imp.session)}/end`,
      message ? { message } : {}, { token: imp.token });
    returnTo = r.return_to ?? returnTo;
  } catch (e) {
    // Already over (expired, terminated): leave all the same. A refused message: say so and stay.
    if (!(e instanceof ApiError) || ![401, 404, 409].includes(e.status)) {
      switching = false;
      showError(e);
      return false;
    }
  }
  tokens.setImpersonation(null);
  switching = false;
  toast('You are back in your own account.');
  goTo(returnTo);
  return true;
}

// ---------------------------------------------------------------- live events

live.on('session_ended', (frame) => {
  const imp = tokens.impersonation();
  if (!imp || switching || (frame.session?.id && frame.session.id !== imp.session)) return;
  live.expectEnd();
  tokens.setImpersonation(null);
  toast(`Your session as ${imp.target_name} ended: ${endReason(frame.reason)}.`, 'warn');
  goTo(frame.return_to ?? imp.return_to);
});

live.on('notification', (frame) => {
  if (frame.notification?.title) toast(`New notification: ${frame.notification.title}`);
});

let lastDeath = 0;
live.on('token_dead', () => {
  if (switching) return;
  // Re-check who we are; a socket that keeps dying while /v1/me works is left offline.
  if (Date.now() - lastDeath < 10000) return;
  lastDeath = Date.now();
  boot();
});

initBanners({ switchBack, leaveGrant });
setInterval(() => refreshCountdowns(), 1000);
boot();
