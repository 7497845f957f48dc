// Home of the active account: who it is and its notifications, live. While impersonating this is the
// user's view as the admin sees it; the user's own tabs show the being_viewed banner above it.
import { h, clear, roleName, statusName, formatTime } from '../ui.js';
import { watch } from '../notifications.js';
import { notificationList } from '../bell.js';

export function render(main, ctx) {
  const { user } = ctx.me;
  const impersonating = ctx.mode === 'impersonating';
  const inbox = h('div', { id: 'inbox' });
  const count = h('span', { class: 'pill', id: 'unread-count' });

  const first = user.name.split(' ')[0];
  main.append(
    h('h1', {}, impersonating ? `${user.name}'s home` : `Welcome, ${first}`),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'account-title' },
        h('h2', { id: 'account-title' }, 'Account'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Name'), h('dd', {}, user.name),
          h('dt', {}, 'Username'), h('dd', {}, user.username),
          h('dt', {}, 'Role'), h('dd', {}, roleName(user.role)),
          user.portal ? [h('dt', {}, 'Portal'), h('dd', {}, user.portal)] : null,
          h('dt', {}, 'Status'), h('dd', {}, statusName(user.status))),
        impersonating ? sessionFacts(ctx.me.impersonation) : null),
      h('section', { class: 'card card--wide', 'aria-labelledby': 'inbox-title' },
        h('h2', { id: 'inbox-title' }, 'Notifications ', count),
        inbox)));

  return watch((s) => {
    count.textContent = `${s.unread} unread`;
    if (!s.loaded) return clear(inbox, h('p', { class: 'muted' }, 'Loading…'));
    // Without the inbox call (an older server) the live ones still show as they arrive.
    const note = s.error === 'unavailable'
      ? h('p', { class: 'hint' }, 'Earlier notifications are not available on this server yet; new ones show here as they arrive.')
      : null;
    clear(inbox, note, notificationList(s.items, { canMark: !impersonating && !s.error }));
  });
}

/// While impersonating: why and until when, as the admin entered it.
function sessionFacts(session) {
  if (!session) return null;
  return [
    h('h2', {}, 'This session'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Reason'), h('dd', {}, session.reason),
      h('dt', {}, 'Started'), h('dd', {}, formatTime(session.started_at)),
      h('dt', {}, 'Ends'), h('dd', {}, formatTime(session.expires_at))),
    h('p', { class: 'hint' }, 'Everything you do here is recorded as done by you in this user\u2019s account.'),
  ];
}
