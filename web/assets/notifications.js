// The inbox of the active account (SPEC §4): loaded once, then kept live by `notification` frames.
// The bell and the home screen both draw from it.
import { get, post, notAvailable } from './api.js';
import { live } from './live.js';

const state = { items: [], unread: 0, loaded: false, error: null };
const watchers = new Set();

function changed() {
  for (const fn of watchers) fn(state);
}

/// Calls fn(state) now and on every change; returns a function that stops watching.
export function watch(fn) {
  watchers.add(fn);
  fn(state);
  return () => watchers.delete(fn);
}

export async function load() {
  try {
    const r = await get('/v1/notifications');
    state.items = r.notifications ?? [];
    state.unread = r.unread ?? state.items.filter((n) => !n.read).length;
    state.error = null;
  } catch (e) {
    state.error = notAvailable(e) ? 'unavailable' : e;
  }
  state.loaded = true;
  changed();
}

export function reset() {
  Object.assign(state, { items: [], unread: 0, loaded: false, error: null });
  changed();
}

/// Marks one read. Under an impersonation token the server leaves it unread (SPEC §2); the console
/// does not offer this there.
export async function markRead(id) {
  const r = await post(`/v1/notifications/${encodeURIComponent(id)}/read`);
  const item = state.items.find((n) => n.id === id);
  if (item && !item.read) {
    item.read = true;
    state.unread = typeof r.unread === 'number' ? r.unread : Math.max(0, state.unread - 1);
  }
  changed();
}

live.on('hello', (frame) => {
  if (typeof frame.unread === 'number' && frame.unread !== state.unread) {
    state.unread = frame.unread;
    load();  // something arrived while the socket was away
  }
});

live.on('notification', (frame) => {
  const n = frame.notification;
  if (!n) return;
  if (!state.items.some((x) => x.id === n.id)) state.items.unshift(n);
  if (typeof frame.unread === 'number') state.unread = frame.unread;
  changed();
});
