import { expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Fails the test with the list of WCAG 2.2 AA violations on the current page. */
export async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(results.violations.map((v) => `${label}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

// The server allows 20 sign-in attempts per client address per 15 minutes, successful ones
// included, and every test comes from 127.0.0.1: so each worker signs in once and later
// tests reuse that session cookie (a worker restarted after a failure signs in again).
let session = null;

/** Signs in to the dashboard as the admin created by the web server command. */
export async function signIn(page) {
  if (session) {
    await page.context().addCookies(session);
    await page.goto('/admin');
    if (new URL(page.url()).pathname === '/admin') {
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
      return;
    }
    session = null; // ended (idle timeout): sign in again
  }
  await page.goto('/admin/login');
  await page.getByLabel('Email address').fill(process.env.E2E_ADMIN_EMAIL);
  await page.getByLabel('Password').fill(process.env.E2E_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  session = (await page.context().cookies()).filter((c) => c.name === 'scrutiny_session');
}

/** Creates a card batch through the dashboard and returns one of its codes. */
export async function newCardCode(page, label = 'E2E batch') {
  await signIn(page);
  await page.goto('/admin/cards/new');
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Number of cards').fill('3');
  await page.getByRole('button', { name: 'Create batch' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(label);
  return (await page.locator('.codes code').first().textContent()).trim();
}

/** The newest confirmation link written to the file outbox for `email`. */
export async function confirmationLink(email) {
  const dir = join(process.env.E2E_DATA_DIR, 'outbox');
  for (let i = 0; i < 50; i++) {
    let files = [];
    try { files = readdirSync(dir); } catch { /* not created yet */ }
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      if (text.includes(email)) {
        const m = text.match(/https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]+\S*/);
        if (m) return m[0];
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no confirmation email for ${email}`);
}
