// What the scenarios share: the browser, signed-in pages, waiting, screenshots and a tiny runner.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const base = process.env.ACTAS_URL ?? 'http://127.0.0.1:8080/';
const root = process.env.ACTAS_ROOT ?? path.resolve(import.meta.dirname, '../..');
const toDocs = process.argv.includes('--screenshots');
export const shotsDir = toDocs ? path.join(root, 'docs/screenshots') : path.join(import.meta.dirname, 'out/screenshots');
const failDir = path.join(import.meta.dirname, 'out/failures');
export const PASSWORD = 'demo';
export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 400, height: 800 };

/// Debian's chromium, headless, with the flags this machine needs (no sandbox as root, no GPU, and no
/// background networking: the network is closed).
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export class Skip extends Error {}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/// Polls `fn` until it returns something truthy; fails with `message` after `timeout` ms.
export async function until(fn, message, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${message} (waited ${timeout} ms${last instanceof Error ? `: ${last.message}` : ''})`);
}

/// A new browser context (its own sessionStorage: another person) with one page.
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  // A 404 from a call the server does not offer yet is logged by the browser itself, not by a script.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text());
  });
  return page;
}

/// Signs in through the form and waits until the live socket is up.
export async function signIn(page, username) {
  await page.goto(base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who').waitFor();
  await live(page);
}

export const live = (page) => page.locator('#live-status[data-state="live"]').waitFor();

export async function go(page, route) {
  await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
  await page.locator('h1').first().waitFor();
}

export async function shot(page, name) {
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
}

/// The text of a locator, or '' when it is not there.
export async function textOf(locator) {
  return (await locator.count()) ? (await locator.first().innerText()) : '';
}

/// Runs the scenarios in order; prints one line each and the closing count.
export async function runAll(scenarios, only) {
  const browser = await launch();
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const world = { browser, pages: [] };
  for (const [name, fn] of scenarios) {
    if (only && !name.includes(only)) continue;
    const started = Date.now();
    try {
      await fn(world);
      counts.passed++;
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        counts.skipped++;
        console.log(`skip  ${name}: ${e.message}`);
        continue;
      }
      counts.failed++;
      console.log(`FAIL  ${name}: ${e.message}`);
      mkdirSync(failDir, { recursive: true });
      for (const [i, p] of world.pages.entries()) {
        if (p.isClosed()) continue;
        await p.screenshot({ path: path.join(failDir, `${name.replace(/\W+/g, '-')}-${i}.png`) }).catch(() => {});
        if (p.errors.length) console.log(`      page ${i} errors: ${p.errors.join(' | ')}`);
      }
    }
  }
  await browser.close();
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  console.log(`browser: ${counts.passed} passed, ${counts.failed} failed${skipped}`);
  return counts.failed === 0;
}
