// The notification bell in the header: unread count, and a panel with the inbox.
import { h, clear, formatTime, toast, explain } from './ui.js';
import { watch, markRead } from './notifications.js';

const BELL_SVG = '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" ' +
  'stroke-linecap="round" stroke-linejoin="round"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>' +
  '<path d="M13.7 21a2 2 0 0 1-3.4 0"/></svg>';

/// A list of inbox items; `canMark` offers "Mark as read" (not while impersonating: SPEC §2).
export function notificationList(items, { canMark, emptyText = 'No notifications yet.' }) {
  if (items.length === 0) return h('p', { class: 'muted' }, emptyText);
  return h('ul', { class: 'inbox' }, items.map((n) => h('li', {
    class: `inbox__item${n.read ? '' : ' inbox__item--unread'}`,
    dataset: { kind: n.kind, id: n.id },
  },
  h('div', { class: 'inbox__head' },
    h('strong', { class: 'inbox__title' }, n.read ? '' : h('span', { class: 'visually-hidden' }, 'Unread: '), n.title),
    h('time', { class: 'inbox__time', datetime: n.created_at }, formatTime(n.created_at))),
  n.body ? h('p', { class: 'inbox__body' }, n.body) : null,
  canMark && !n.read
    ? h('button', {
      type: 'button', class: 'link-button',
      onclick: () => markRead(n.id).catch((e) => toast(explain(e), 'error')),
    }, 'Mark as read')
    : null)));
}

/// The bell button and its panel. `impersonating` hides "Mark as read" and says why.
export function bell({ impersonating }) {
  const count = h('span', { class: 'bell__count', hidden: true, 'aria-hidden': 'true' });
  const label = h('span', { class: 'visually-hidden' }, 'Notifications');
  const icon = h('span', { class: 'bell__icon', 'aria-hidden': 'true' });
  icon.innerHTML = BELL_SVG;
  const button = h('button', {
    type: 'button', class: 'bell', id: 'bell', 'aria-expanded': 'false', 'aria-controls': 'bell-panel',
  }, icon, label, count);
  const panel = h('div', { class: 'bell__panel', id: 'bell-panel', hidden: true, role: 'region', 'aria-label': 'Notifications' });
  const wrap = h('div', { class: 'bell-wrap' }, button, panel);

  const setOpen = (open) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => setOpen(panel.hidden));
  wrap.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  const outside = (e) => {
    if (!wrap.contains(e.target)) setOpen(false);
  };
  document.addEventListener('click', outside);

  const stop = watch((s) => {
    count.hidden = s.unread === 0;
    count.textContent = String(s.unread);
    label.textContent = s.unread ? `Notifications, ${s.unread} unread` : 'Notifications';
    const note = impersonating
      ? h('p', { class: 'hint' }, 'These are the user\u2019s notifications. Reading them here does not mark them read.')
      : null;
    let body;
    if (!s.loaded) body = h('p', { class: 'muted' }, 'Loading…');
    else if (s.error && s.items.length === 0) {
      body = h('p', { class: 'muted' }, s.error === 'unavailable' ? 'Notifications are not available yet.' : explain(s.error));
    } else body = notificationList(s.items.slice(0, 20), { canMark: !impersonating && !s.error });
    clear(panel, h('h2', { class: 'bell__heading' }, 'Notifications'), note, body);
  });
  wrap.stop = () => {
    stop();
    document.removeEventListener('click', outside);
  };
  return wrap;
}
