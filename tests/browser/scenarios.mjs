// The console's scenarios, in order, against one demo server (tests/browser/run starts it).
// Demo logins (README): adam admin of acme-eu, ann learner in acme-eu, bob learner in acme-us,
// ivan instructor, sara superadmin of acme, sam support; every password is "demo".
import {
  base, assert, until, newPage, signIn, go, shot, textOf, runAll, Skip, live, NARROW, DESKTOP,
} from './harness.mjs';

const REASON = 'Ann cannot find the course she was assigned';
const MESSAGE = 'Your course was hidden by a filter; I cleared it.';

const countdownSeconds = (text) => {
  const parts = text.trim().split(':').map(Number);
  return parts.reduce((acc, n) => acc * 60 + n, 0);
};

/// Opens the users screen and waits for its rows; a server without GET /v1/users (404) skips the
/// scenario, after the screen said "not available yet".
async function usersScreen(page) {
  await go(page, 'users');
  const shown = await until(async () => {
    if (await page.locator('#users tr[data-username]').count()) return 'rows';
    if (await page.locator('#users .notice').count()) return textOf(page.locator('#users .notice'));
    return null;
  }, 'the users screen shows neither users nor a notice');
  if (shown === 'rows') return;
  if (/Not available yet/.test(shown)) throw new Skip('the user list (GET /v1/users) is not on this server yet');
  throw new Error(`users screen: ${shown}`);
}

/// Logs the admin page in as a user through the users screen and the reason dialog.
async function logInAs(page, name, reason = REASON) {
  await usersScreen(page);
  await page.getByRole('button', { name: `Log in as ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Log in as ${name}` });
  await dialog.getByLabel(/Reason for the access/).fill(reason);
  await dialog.getByRole('button', { name: 'Log in as user' }).click();
  await page.locator('#banners [data-kind="impersonating"]').waitFor();
  await live(page);
}

const scenarios = [
  ['the binary serves the console with content types and caching', async () => {
    const index = await fetch(base);
    assert(index.status === 200, `GET / answered ${index.status}`);
    assert(index.headers.get('content-type')?.startsWith('text/html'), `GET / is ${index.headers.get('content-type')}`);
    assert(/no-cache/.test(index.headers.get('cache-control') ?? ''), `GET / Cache-Control: ${index.headers.get('cache-control')}`);
    const js = await fetch(new URL('/assets/app.js', base));
    assert(js.status === 200, `GET /assets/app.js answered ${js.status}`);
    assert(js.headers.get('content-type')?.startsWith('text/javascript'), `app.js is ${js.headers.get('content-type')}`);
    const etag = js.headers.get('etag');
    assert(etag && !etag.startsWith('W/'), `app.js has no strong ETag (${etag})`);
    assert(/max-age=\d+/.test(js.headers.get('cache-control') ?? ''), `app.js Cache-Control: ${js.headers.get('cache-control')}`);
    const again = await fetch(new URL('/assets/app.js', base), { headers: { 'If-None-Match': etag } });
    assert(again.status === 304, `a matching If-None-Match answered ${again.status}, not 304`);
    const css = await fetch(new URL('/assets/app.css', base));
    assert(css.headers.get('content-type')?.startsWith('text/css'), `app.css is ${css.headers.get('content-type')}`);
    const missing = await fetch(new URL('/assets/nope.js', base));
    assert(missing.status === 404, `an unknown asset answered ${missing.status}`);
  }],

  ['the browser enforces the console\'s security policy: injected inline script and framing are refused', async (world) => {
    // A page of its own, not in world.pages: the refusals it provokes are console errors on purpose.
    const page = await newPage(world.browser);
    const refusals = [];
    page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) refusals.push(m.text()); });
    await page.goto(base);
    await page.getByLabel('Username').waitFor();
    // What an HTML injection would try: an inline script and an inline handler. Neither may run.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = true;';
      document.body.append(s);
      const img = document.createElement('img');
      img.setAttribute('src', 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
      img.setAttribute('onload', 'window.handlerRan = true;');
      document.body.append(img);
    });
    await until(async () => refusals.length >= 1, 'Chromium reported no Content Security Policy refusal');
    const ran = await page.evaluate(() => ({ injected: window.injected === true, handler: window.handlerRan === true }));
    assert(!ran.injected, 'an injected inline script ran');
    assert(!ran.handler, 'an injected inline event handler ran');
    // Framed by another origin's page, the console does not load (frame-ancestors 'none', X-Frame-Options).
    const framer = await newPage(world.browser);
    // The outer page's load event waits for the frame, whether it loaded or was refused.
    await framer.setContent(`<iframe src="${base}" name="console"></iframe>`, { waitUntil: 'load' });
    const framed = framer.frame({ name: 'console' });
    const rendered = framed ? await framed.getByLabel('Username').count().catch(() => 0) : 0;
    assert(rendered === 0, `the console rendered inside a frame (${framed?.url()})`);
    await page.context().close();
    await framer.context().close();
  }],

  ['sign in: a wrong password is refused, the demo logins work', async (world) => {
    const page = await newPage(world.browser);
    world.pages.push(page);
    await page.goto(base);
    await page.getByLabel('Username').waitFor();
    await shot(page, 'sign-in');
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await until(async () => /Wrong username or password/.test(await textOf(page.locator('.form-error'))), 'no error for a wrong password');
    // Keyboard only: the username field has focus; Tab to the password, Enter submits.
    await page.getByLabel('Username').fill('');
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Username').focus();
    await page.keyboard.type('ann');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo');
    await page.keyboard.press('Enter');
    await page.locator('#who').waitFor();
    assert((await textOf(page.locator('#who'))).includes('Ann Lee'), 'the header does not name Ann Lee');
    await live(page);
    world.ann = page;
  }],

  ['admin logs in as a learner with a reason; the learner sees it live; switch back with a message', async (world) => {
    const ann = world.ann;
    const unreadBefore = Number((await textOf(ann.locator('.bell__count'))) || 0);
    const adam = await newPage(world.browser);
    world.pages.push(adam);
    world.adam = adam;
    await signIn(adam, 'adam');
    await usersScreen(adam);

    // Rows the admin may not log in as say why, on hover and on keyboard focus.
    // (Users outside adam's portals, like bob of acme-us, are not listed at all.)
    const noel = adam.locator('#users tr[data-username="noel"] button');
    assert((await noel.getAttribute('aria-disabled')) === 'true', 'Log in as Noel is not disabled');
    assert((await noel.getAttribute('data-why-not')) === 'consent_missing', `noel: ${await noel.getAttribute('data-why-not')}`);
    assert((await adam.locator('#users tr[data-username="bob"]').count()) === 0, 'bob (acme-us) is listed for adam');
    await noel.focus();
    const tip = adam.locator('#users tr[data-username="noel"] [role="tooltip"]');
    await until(() => tip.isVisible(), 'the why_not tooltip does not show on focus');
    assert(/not accepted the terms/.test(await tip.innerText()), `tooltip says: ${await tip.innerText()}`);
    const ivan = adam.locator('#users tr[data-username="ivan"] button');
    assert((await ivan.getAttribute('data-why-not')) === 'target_role_not_allowed', 'ivan is not target_role_not_allowed');
    await noel.hover();
    await shot(adam, 'users');

    // The reason dialog: keyboard opens it, the minimum length holds the button back.
    const loginAsAnn = adam.getByRole('button', { name: 'Log in as Ann Lee' });
    await loginAsAnn.focus();
    await adam.keyboard.press('Enter');
    const dialog = adam.getByRole('dialog', { name: 'Log in as Ann Lee' });
    await dialog.waitFor();
    const reason = dialog.getByLabel(/Reason for the access/);
    await until(() => reason.evaluate((el) => el === document.activeElement), 'the reason field has no focus');
    await adam.keyboard.type('too short');
    const submit = dialog.getByRole('button', { name: 'Log in as user' });
    assert(await submit.isDisabled(), 'a 9-character reason can be submitted');
    await adam.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert(await loginAsAnn.evaluate((el) => el === document.activeElement), 'focus did not return to Log in as');
    await loginAsAnn.click();
    await dialog.getByLabel(/Reason for the access/).fill(REASON);
    await shot(adam, 'reason-dialog');
    await dialog.getByRole('button', { name: 'Log in as user' }).click();

    // The impersonated view: permanent banner with a live countdown, header names both people.
    const banner = adam.locator('#banners [data-kind="impersonating"]');
    await banner.waitFor();
    assert((await banner.innerText()).includes('You are logged in as Ann Lee'), `banner: ${await banner.innerText()}`);
    const who = await textOf(adam.locator('#who'));
    assert(who.includes('Ann Lee') && who.includes('Adam Admin'), `header while impersonating: ${who}`);
    await live(adam);
    const timer = banner.locator('[role="timer"]');
    const first = countdownSeconds(await timer.innerText());
    assert(first > 1700 && first <= 1800, `countdown starts at ${first} s`);
    await until(async () => countdownSeconds(await timer.innerText()) < first, 'the countdown does not move', 3000);
    await shot(adam, 'impersonating');

    // The learner's own tab: being_viewed banner and the notification, live.
    const viewed = ann.locator('#banners [data-kind="being_viewed"]');
    await viewed.waitFor();
    assert((await viewed.innerText()).includes('Adam Admin'), `being_viewed: ${await viewed.innerText()}`);
    await ann.locator('#inbox [data-kind="impersonation_started"]').waitFor();
    await until(async () => Number(await textOf(ann.locator('.bell__count'))) > unreadBefore, 'the unread count did not go up');
    await shot(ann, 'learner-being-viewed');

    // Switch back with a message: the admin is back on the users list as itself.
    await banner.getByRole('button', { name: 'Switch back' }).click();
    const back = adam.getByRole('dialog', { name: 'Switch back to your account' });
    await back.getByLabel('Message to Ann Lee (optional)').fill(MESSAGE);
    await shot(adam, 'switch-back');
    await back.getByRole('button', { name: 'Send and switch back' }).click();
    await banner.waitFor({ state: 'detached' });
    await until(() => adam.url().endsWith('#/users'), `after switch back the page is ${adam.url()}`);
    await adam.locator('#users tr[data-username="ann"]').waitFor();
    const whoAfter = await textOf(adam.locator('#who'));
    assert(whoAfter.includes('Adam Admin') && !whoAfter.includes('Ann Lee'), `header after switch back: ${whoAfter}`);
    const stored = await adam.evaluate(() => sessionStorage.getItem('actas.impersonation'));
    assert(stored === null, 'the impersonation token is still kept');

    // The learner sees the message and the end, and the banner goes away.
    await viewed.waitFor({ state: 'detached' });
    const message = ann.locator('#inbox [data-kind="impersonation_message"]');
    await message.waitFor();
    assert((await message.innerText()).includes(MESSAGE), `message notification: ${await message.innerText()}`);
    await ann.locator('#inbox [data-kind="impersonation_ended"]').waitFor();
    await ann.locator('#bell').click();
    await ann.locator('#bell-panel').waitFor();
    await shot(ann, 'learner-notifications');
    await ann.keyboard.press('Escape');
  }],

  ['a superadmin terminates a session from the live dashboard', async (world) => {
    const sara = await newPage(world.browser);
    world.pages.push(sara);
    world.sara = sara;
    await signIn(sara, 'sara');
    await go(sara, 'dashboard');
    await sara.locator('#dashboard-sessions').waitFor();

    const adam = world.adam;
    await logInAs(adam, 'Ann Lee', 'Checking the certificate Ann reported as missing');
    const row = sara.locator('#dashboard-sessions tr[data-session]');
    await row.first().waitFor({ timeout: 12000 });
    const text = await row.first().innerText();
    assert(text.includes('Adam Admin') && text.includes('Ann Lee'), `dashboard row: ${text}`);
    assert(/\d+:\d\d/.test(await row.first().locator('[role="timer"]').innerText()), 'no time left on the row');
    await shot(sara, 'dashboard');

    await row.first().getByRole('button', { name: /Terminate/ }).click();
    await sara.getByRole('dialog', { name: 'Terminate session' }).getByRole('button', { name: 'Terminate' }).click();
    await row.first().waitFor({ state: 'detached' });

    // The admin's impersonation tab ends by itself and goes back to where it started.
    await adam.locator('#banners [data-kind="impersonating"]').waitFor({ state: 'detached' });
    await until(async () => (await textOf(adam.locator('#who'))).includes('Adam Admin') &&
      !(await textOf(adam.locator('#who'))).includes('Ann Lee'), 'the admin tab is not back to its own account');
    await until(async () => /terminated/.test(await textOf(adam.locator('#toasts'))), 'no notice that the session was terminated');
  }],

  ['support request, allow, revoke', async (world) => {
    const sara = world.sara;
    await go(sara, 'support');
    const sam = await newPage(world.browser);
    world.pages.push(sam);
    await signIn(sam, 'sam');
    await go(sam, 'support');
    await sam.getByLabel('Portals').fill('acme-eu');
    await sam.getByLabel('Reason').fill('Reproduce the broken course import');
    await sam.getByLabel('Ticket reference').fill('T-4711');
    await sam.getByRole('button', { name: 'Send request' }).click();
    const outcome = await until(async () => {
      const error = await textOf(sam.locator('.form-error'));
      if (error) return { error };
      if ((await sam.locator('#my-requests [data-request]').count()) > 0) return { ok: true };
      return null;
    }, 'the request was neither sent nor refused');
    if (outcome.error) {
      // The server has no support access yet: the console says so instead of breaking.
      await shot(sam, 'support-user');
      await shot(sara, 'support-access');
      if (/not available/.test(outcome.error)) throw new Skip(`support access is not on this server yet (${outcome.error})`);
      throw new Error(`the request was refused: ${outcome.error}`);
    }
    await shot(sam, 'support-user');

    // The superadmin: banner, then Allow for one day.
    await sara.locator('#banners [data-kind="support_request"]').waitFor({ timeout: 12000 });
    const request = sara.locator('#support-requests [data-request]').first();
    await request.waitFor();
    await request.getByRole('button', { name: 'Allow…' }).click();
    const allow = sara.getByRole('dialog', { name: 'Portal access' });
    assert(await allow.getByRole('checkbox', { name: /EU|acme-eu/i }).isChecked(), 'the requested portal is not preselected');
    await allow.getByLabel('Access duration').selectOption({ label: '1 day' });
    await shot(sara, 'support-allow');
    await allow.getByRole('button', { name: 'Allow' }).click();
    const portalRow = sara.locator('#support-access tr[data-portal="acme-eu"]');
    await until(async () => (await portalRow.getAttribute('data-state')) === 'available', 'acme-eu is not available after Allow');
    assert(await portalRow.locator('.dot--green').count() === 1, 'no green dot on an available portal');
    await shot(sara, 'support-access');

    // The support user opens a temporary admin session when the console can list its grants.
    const grantRow = sam.locator('#my-grants tr[data-grant]');
    if (await grantRow.first().waitFor({ timeout: 8000 }).then(() => true, () => false)) {
      await grantRow.first().getByRole('button', { name: /Open a temporary admin session/ }).click();
      await sam.locator('#banners [data-kind="grant"]').waitFor();
      await shot(sam, 'support-temporary-admin');
      await sam.getByRole('button', { name: 'Leave temporary session' }).click();
      await sam.locator('#banners [data-kind="grant"]').waitFor({ state: 'detached' });
    } else {
      console.log('      note: the support user\u2019s grant list is not available; temporary session not opened');
    }

    // Access log, then Revoke with the checkbox and the bulk button.
    await portalRow.getByRole('button', { name: /Access log/ }).click();
    const log = sara.getByRole('dialog', { name: /Access log/ });
    await log.locator('table, p.muted, .notice').first().waitFor();
    await shot(sara, 'support-access-log');
    await log.getByRole('button', { name: 'Close' }).click();
    await portalRow.getByRole('checkbox').check();
    await sara.getByRole('button', { name: 'Revoke selected' }).click();
    await sara.getByRole('dialog', { name: 'Portal access' }).getByRole('button', { name: 'Revoke' }).click();
    await until(async () => (await portalRow.getAttribute('data-state')) === 'revoked', 'acme-eu is not revoked');
    assert(await portalRow.locator('.dot--red').count() === 1, 'no red dot on a revoked portal');
  }],

  ['settings: switches, limits and templates', async (world) => {
    const sara = world.sara;
    await go(sara, 'settings');
    await until(async () => (await sara.locator('#settings form, #settings .notice').count()) > 0, 'settings did not load');
    await shot(sara, 'settings');
    if (await sara.locator('#settings .notice').count()) {
      const note = await textOf(sara.locator('#settings .notice'));
      if (/Not available yet/.test(note)) throw new Skip('settings are not on this server yet');
      throw new Error(`settings: ${note}`);
    }
    const title = sara.locator('input[name="impersonation_started.title"]');
    const changed = `${await title.inputValue()} `.trimEnd() + ' (support)';
    await title.fill(changed);
    await sara.getByRole('button', { name: 'Save settings' }).click();
    await until(async () => /Settings saved/.test(await textOf(sara.locator('#toasts'))), 'no "Settings saved"');
    await until(async () => (await sara.locator('input[name="impersonation_started.title"]').inputValue()) === changed,
      'the saved title did not come back');
  }],

  ['narrow window: no sideways scrolling, banner and lists readable', async (world) => {
    const adam = world.adam;
    await adam.setViewportSize(NARROW);
    await usersScreen(adam).catch(async (e) => {
      await adam.setViewportSize(DESKTOP);
      throw e;
    });
    const fits = () => adam.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    assert(await fits(), 'the users page scrolls sideways at 400 px');
    await shot(adam, 'narrow-users');
    await logInAs(adam, 'Ann Lee', 'Checking the layout on a phone-sized window');
    assert(await fits(), 'the impersonated view scrolls sideways at 400 px');
    await shot(adam, 'narrow-impersonating');
    await adam.locator('#banners').getByRole('button', { name: 'Switch back' }).click();
    await adam.getByRole('dialog', { name: 'Switch back to your account' }).getByRole('button', { name: 'Skip message' }).click();
    await adam.locator('#banners [data-kind="impersonating"]').waitFor({ state: 'detached' });
    await adam.setViewportSize(DESKTOP);
  }],

  ['ending soon: the banner warns before the time is up', async (world) => {
    // Tighten acme-eu to 2-minute sessions with the warning at 115 s, so the warning shows at once.
    const token = await world.sara.evaluate(() => JSON.parse(sessionStorage.getItem('actas.token')));
    const answer = await fetch(new URL('/v1/portals/acme-eu/settings', base), {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ impersonation: { max_duration_s: 120, warn_before_s: 115 } }),
    });
    if (answer.status === 404) throw new Skip('settings are not on this server yet');
    assert(answer.ok, `PATCH settings answered ${answer.status}: ${await answer.text()}`);
    const adam = world.adam;
    await logInAs(adam, 'Ann Lee', 'Checking the warning before the session ends');
    const soon = adam.locator('#banners [data-kind="ending_soon"]');
    await soon.waitFor({ timeout: 12000 });
    const left = countdownSeconds(await adam.locator('#banners [data-kind="impersonating"] [role="timer"]').innerText());
    assert(left <= 120, `the session has ${left} s left, not at most 120`);
    await shot(adam, 'ending-soon');
    await adam.locator('#banners').getByRole('button', { name: 'Switch back' }).click();
    await adam.getByRole('dialog', { name: 'Switch back to your account' }).getByRole('button', { name: 'Skip message' }).click();
    await soon.waitFor({ state: 'detached' });
  }],

  ['no script errors on any page', async (world) => {
    const errors = world.pages.flatMap((p) => p.errors);
    assert(errors.length === 0, `script errors: ${errors.join(' | ')}`);
  }],
];

const onlyAt = process.argv.indexOf('--only');
const ok = await runAll(scenarios, onlyAt > 0 ? process.argv[onlyAt + 1] : undefined);
process.exit(ok ? 0 : 1);
