// Realm settings of SPEC §1 for one portal: the impersonation switches and limits, support durations and
// the notification templates. Superadmins change them (PATCH with only what changed; a sub-portal may
// only tighten its parent's values); admins read them.
import { get, patch, notAvailable } from '../api.js';
import { h, add, clear, field, nextId, toast, explain, unavailable, errorBox, roleName } from '../ui.js';

const SWITCHES = [
  ['enabled', 'Admins may log in as users', 'The feature switch for this portal and the portals below it.'],
  ['exclusive', 'One admin at a time per user', null],
  ['target_can_end', 'Users may end a session in their account', null],
  ['show_target_live', 'Show users a banner while someone is in their account', null],
];
// [key, label, unit seconds, hint]
const LIMITS = [
  ['max_duration_s', 'Longest session (minutes)', 60, '1 to 30 minutes.'],
  ['warn_before_s', 'Warn before the end (minutes)', 60, 'The "ends soon" banner.'],
  ['reason_min_length', 'Shortest reason (characters)', 1, null],
];
const SUPPORT = [
  ['default_duration_s', 'Default access duration (hours)', 3600],
  ['max_duration_s', 'Longest access (hours)', 3600],
  ['warn_before_s', 'Warn before access ends (hours)', 3600],
  ['request_ttl_s', 'A request lapses after (hours)', 3600],
];
const CALLERS = ['superadmin', 'admin', 'power_user'];
const TARGETS = ['learner', 'instructor', 'manager', 'power_user', 'admin'];
const KIND_NAMES = {
  impersonation_started: 'Impersonation started', impersonation_ended: 'Impersonation ended',
  impersonation_message: 'Message after impersonation', support_request: 'Support access requested',
  support_granted: 'Support access granted', support_ending_soon: 'Support access ends soon',
  support_revoked: 'Support access revoked', support_expired: 'Support access expired',
  support_denied: 'Support request denied',
};

export function render(main, ctx) {
  const editable = ctx.isSuperadmin();
  const portal = h('select', { name: 'portal' }, h('option', { value: ctx.me.user.portal }, ctx.me.user.portal));
  const body = h('div', { id: 'settings' });
  add(main,
    h('h1', {}, 'Settings'),
    editable ? null : h('p', { class: 'notice notice--muted' }, 'Only superadmins change settings; you can read them.'),
    h('div', { class: 'toolbar' }, field('Portal', portal,
      'A sub-portal inherits its parent\u2019s settings and may only make them stricter.')),
    body);
  portal.addEventListener('change', () => load());

  // The realm's portals, when the support access list (superadmins) names them.
  get('/v1/support/access').then((r) => {
    const list = r.portals ?? [];
    if (list.length === 0) return;
    clear(portal, list.map((p) => h('option', { value: p.portal, selected: p.portal === portal.value }, p.name ?? p.portal)));
  }).catch(() => {});

  async function load() {
    clear(body, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const r = await get(`/v1/portals/${encodeURIComponent(portal.value)}/settings`);
      clear(body, form(r.settings ?? r, portal.value, editable, load));
    } catch (e) {
      clear(body, notAvailable(e) ? unavailable('settings') : errorBox(e));
    }
  }
  load();
}

function checkbox(name, checked, disabled) {
  return h('input', { type: 'checkbox', name, checked: Boolean(checked), disabled });
}

function form(s, portalId, editable, reload) {
  const imp = s.impersonation ?? {};
  const sup = s.support ?? {};
  const notes = s.notifications ?? {};
  const read = [];  // functions that add their part to the patch when it changed

  const switches = SWITCHES.map(([key, label, hint]) => {
    const box = checkbox(key, imp[key], !editable);
    read.push((p) => { if (box.checked !== Boolean(imp[key])) (p.impersonation ??= {})[key] = box.checked; });
    return h('div', { class: 'field field--check' }, h('label', {}, box, ` ${label}`), hint ? h('p', { class: 'hint' }, hint) : null);
  });

  const number = (section, source, [key, label, unit, hint]) => {
    const input = h('input', { type: 'number', name: `${section}.${key}`, min: unit === 1 ? 1 : 0, step: 'any',
      value: String((source[key] ?? 0) / unit), disabled: !editable, inputmode: 'numeric' });
    read.push((p) => {
      const value = Math.round(Number(input.value) * unit);
      if (Number.isFinite(value) && value !== source[key]) (p[section] ??= {})[key] = value;
    });
    return field(label, input, hint);
  };

  const consents = ['terms', 'privacy'].map((c) => {
    const box = checkbox(`consent.${c}`, (imp.require_consent ?? []).includes(c), !editable);
    return { c, box, el: h('label', { class: 'check' }, box, ` ${c === 'terms' ? 'Terms of use' : 'Privacy policy'}`) };
  });
  read.push((p) => {
    const now = consents.filter((x) => x.box.checked).map((x) => x.c);
    if ([...now].sort().join() !== [...(imp.require_consent ?? [])].sort().join()) (p.impersonation ??= {}).require_consent = now;
  });

  const targets = imp.allowed_targets ?? {};
  const grid = CALLERS.map((caller) => TARGETS.map((target) => checkbox(`allow.${caller}.${target}`,
    (targets[caller] ?? []).includes(target), !editable)));
  read.push((p) => {
    const now = {};
    CALLERS.forEach((caller, i) => {
      const list = TARGETS.filter((_, j) => grid[i][j].checked);
      if (list.length || targets[caller]) now[caller] = list;
    });
    const same = CALLERS.every((c) => (now[c] ?? []).join() === TARGETS.filter((t) => (targets[c] ?? []).includes(t)).join());
    if (!same) (p.impersonation ??= {}).allowed_targets = now;
  });
  const matrix = h('table', { class: 'table matrix' },
    h('caption', {}, 'Who may log in as whom'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Admin role'), TARGETS.map((t) => h('th', { scope: 'col' }, roleName(t))))),
    h('tbody', {}, CALLERS.map((caller, i) => h('tr', {}, h('th', { scope: 'row' }, roleName(caller)),
      TARGETS.map((t, j) => {
        grid[i][j].setAttribute('aria-label', `${roleName(caller)} may log in as ${roleName(t)}`);
        return h('td', { 'data-label': roleName(t) }, grid[i][j]);
      })))));

  const restricted = h('textarea', { name: 'restricted_actions', rows: 5, disabled: !editable },
    (imp.restricted_actions ?? []).join('\n'));
  read.push((p) => {
    const now = restricted.value.split('\n').map((x) => x.trim()).filter(Boolean);
    if (now.join('\n') !== (imp.restricted_actions ?? []).join('\n')) (p.impersonation ??= {}).restricted_actions = now;
  });

  const templates = Object.keys(KIND_NAMES).filter((k) => notes[k]).map((kind) => {
    const t = notes[kind];
    const enabled = checkbox(`${kind}.enabled`, t.enabled, !editable);
    const title = h('input', { type: 'text', name: `${kind}.title`, value: t.title ?? '', disabled: !editable });
    const text = h('textarea', { name: `${kind}.body`, rows: 3, disabled: !editable }, t.body ?? '');
    read.push((p) => {
      const part = {};
      if (enabled.checked !== Boolean(t.enabled)) part.enabled = enabled.checked;
      if (title.value !== (t.title ?? '')) part.title = title.value;
      if (text.value !== (t.body ?? '')) part.body = text.value;
      if (Object.keys(part).length) (p.notifications ??= {})[kind] = part;
    });
    return h('fieldset', { class: 'template', dataset: { kind } },
      h('legend', {}, KIND_NAMES[kind]),
      h('label', { class: 'check' }, enabled, ' Send this notification'),
      field('Title', title), field('Text', text));
  });

  const error = h('div', { class: 'form-error', role: 'alert' });
  const consentLegend = nextId('consents');
  return h('form', {
    class: 'settings',
    onsubmit: async (e) => {
      e.preventDefault();
      const p = {};
      read.forEach((f) => f(p));
      if (Object.keys(p).length === 0) return toast('Nothing changed.');
      error.textContent = '';
      try {
        await patch(`/v1/portals/${encodeURIComponent(portalId)}/settings`, p);
        toast('Settings saved.');
        reload();
      } catch (err) {
        error.textContent = explain(err);
      }
    },
  },
  h('fieldset', { class: 'card', disabled: !editable },
    h('legend', {}, 'Logging in as users'),
    switches,
    h('div', { class: 'row' }, LIMITS.map((l) => number('impersonation', imp, l))),
    h('fieldset', { class: 'checks', 'aria-labelledby': consentLegend },
      h('legend', { id: consentLegend }, 'Users must have accepted'), consents.map((x) => x.el)),
    h('div', { class: 'table-wrap' }, matrix),
    field('Never allowed while logged in as a user (one action pattern a line)', restricted)),
  h('fieldset', { class: 'card', disabled: !editable },
    h('legend', {}, 'Support access'),
    h('div', { class: 'row' }, SUPPORT.map((l) => number('support', sup, l)))),
  h('fieldset', { class: 'card', disabled: !editable },
    h('legend', {}, 'Notifications'),
    h('p', { class: 'hint' }, 'Placeholders: {actor_name}, {target_name}, {started_at}, {ended_at}, {reason}.'),
    templates.length ? templates : h('p', { class: 'muted' }, 'No templates.')),
  error,
  editable ? h('div', { class: 'actions actions--sticky' }, h('button', { type: 'submit', class: 'button button--primary' }, 'Save settings')) : null);
}
