// The banners of SPEC §4 at the top of every page: `impersonating` (permanent while logged in as someone,
// with a countdown and Switch back), `ending_soon`, `being_viewed` on the user's own tabs,
// `support_request` for superadmins, and the console's own `grant` banner for a temporary admin session.
// Live state: set and cleared by `banner` / `banner_clear` frames; the impersonating and grant banners are
// also drawn from /v1/me so they show before (and without) the socket.
import { h, countdown, parseTime, formatClock } from './ui.js';
import { live } from './live.js';

const ORDER = ['impersonating', 'grant', 'ending_soon', 'being_viewed', 'support_request'];
const state = new Map();  // key "kind:session" → banner
const drawn = new Map();  // key → {signature, el}
let actions = {};

const keyOf = (b) => `${b.kind}:${b.session ?? ''}`;

/// Wires the banner buttons: {switchBack(banner), leaveGrant(banner)}.
export function initBanners(handlers) {
  actions = handlers;
}

/// Sets or replaces one banner. `seconds_left` (from the server) wins over `expires_at` for the countdown,
/// so a skewed browser clock still counts down correctly.
export function setBanner(b) {
  const deadline = typeof b.seconds_left === 'number' ? Date.now() + b.seconds_left * 1000 : parseTime(b.expires_at);
  const previous = state.get(keyOf(b));
  // A frame repeating what is shown keeps the countdown it has (no jump of a second back and forth).
  const keep = previous && Math.abs(previous.deadline - deadline) < 2000;
  state.set(keyOf(b), { ...b, deadline: keep ? previous.deadline : deadline });
  draw();
}

export function clearBanner(kind, session) {
  for (const [key, b] of state) if (b.kind === kind && (session == null || b.session === session)) state.delete(key);
  draw();
}

export function clearAll() {
  state.clear();
  draw();
}

export const hasBanner = (kind) => [...state.values()].some((b) => b.kind === kind);

live.on('banner', (frame) => setBanner(frame));
live.on('banner_clear', (frame) => clearBanner(frame.kind, frame.session));

function text(b) {
  switch (b.kind) {
    case 'impersonating':
      return [
        'You are logged in as ', h('strong', {}, b.target_name || 'another user'),
        '. Please make sure to switch back to your account when you have finished.'];
    case 'ending_soon':
      return [`This session ends at ${formatClock(b.expires_at)}. Finish what you are doing and switch back.`];
    case 'being_viewed':
      return [h('strong', {}, b.actor_name || 'An admin'), ' is signed in to your account to help you.'];
    case 'grant':
      return [
        'You are working as ', h('strong', {}, b.target_name), ', a temporary admin of ',
        h('strong', {}, b.portal_name || b.portal || 'a portal'), ', for ', b.actor_name || 'support', '.'];
    default:
      return [b.text || 'Support staff ask for temporary access to your portals.'];
  }
}

function build(b) {
  const label = {
    impersonating: 'Impersonation', ending_soon: 'Session ending', being_viewed: 'Someone is in your account',
    support_request: 'Support access request', grant: 'Temporary admin session',
  }[b.kind] ?? 'Notice';
  const parts = [h('p', { class: 'banner__text' }, text(b))];
  if (!Number.isNaN(b.deadline) && b.kind !== 'support_request') {
    const until = b.kind === 'being_viewed' ? 'Ends in ' : 'Time left ';
    parts.push(h('p', { class: 'banner__time' }, until, countdown(b.deadline, { 'data-testid': `countdown-${b.kind}` })));
  }
  if (b.kind === 'impersonating' && actions.switchBack) {
    parts.push(h('button', { type: 'button', class: 'button button--banner', onclick: () => actions.switchBack(b) },
      'Switch back'));
  } else if (b.kind === 'grant' && actions.leaveGrant) {
    parts.push(h('button', { type: 'button', class: 'button button--banner', onclick: () => actions.leaveGrant(b) },
      'Leave temporary session'));
  } else if (b.kind === 'support_request') {
    parts.push(h('a', { class: 'button button--banner', href: '#/support' }, 'Review request'));
  }
  return h('section', { class: `banner banner--${b.kind}`, 'aria-label': label, dataset: { kind: b.kind } }, parts);
}

function draw() {
  const container = document.getElementById('banners');
  if (!container) return;
  const sorted = [...state.entries()].sort(([, a], [, b]) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const elements = [];
  for (const [key, b] of sorted) {
    const signature = JSON.stringify([b.kind, b.text, b.target_name, b.actor_name, b.expires_at, Math.round(b.deadline / 1000)]);
    let entry = drawn.get(key);
    // Unchanged banners keep their element, so a screen reader announces only what is new.
    if (!entry || entry.signature !== signature) {
      entry = { signature, el: build(b) };
      drawn.set(key, entry);
    }
    elements.push(entry.el);
  }
  for (const key of [...drawn.keys()]) if (!state.has(key)) drawn.delete(key);
  for (const child of [...container.children]) if (!elements.includes(child)) child.remove();
  elements.forEach((el, i) => {
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] ?? null);
  });
  document.body.classList.toggle('has-banner', elements.length > 0);
}
