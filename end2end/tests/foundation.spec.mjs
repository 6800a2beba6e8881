import { test, expect } from '@playwright/test';
import { expectAccessible, signIn } from './helpers.mjs';

test('the dashboard hydrates: clicking the health button calls the server and updates the page', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await signIn(page);
  await page.goto('/admin');
  await expect(page.getByTestId('health-checks')).toHaveText('Checks this visit: 0');
  const button = page.getByRole('button', { name: 'Check the database now' });
  // Islands hydrate when the browser is idle; keep clicking until the island responds.
  await expect(async () => {
    await button.click();
    await expect(page.getByTestId('health-status')).toHaveText('Database (sqlite) answered: reachable.', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId('health-checks')).not.toHaveText('Checks this visit: 0');
  expect(errors).toEqual([]);
});

test('public pages load no scripts and no wasm', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Have your say on stop and search');
  expect(fetched.filter((u) => /\.(js|wasm)$/.test(u))).toEqual([]);
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });
  test('the start page still reads in full', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Have your say on stop and search');
  });
});

test('anonymous visitors to the dashboard are sent to sign in', async ({ page }) => {
  await page.goto('/admin/cards');
  await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin%2Fcards$/);
  await expectAccessible(page, 'login');
});

for (const path of ['/', '/no-such-page']) {
  test(`axe finds no accessibility violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await expectAccessible(page, path);
  });
}

for (const path of ['/admin', '/admin/insight', '/admin/imports', '/admin/recruits', '/admin/cards', '/admin/cards/new', '/admin/users', '/admin/audit', '/admin/account']) {
  test(`axe finds no accessibility violations on ${path} (signed in)`, async ({ page }) => {
    await signIn(page);
    await page.goto(path);
    await expectAccessible(page, path);
  });
}

test('no console errors or content security policy violations on any dashboard page', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  await signIn(page);
  for (const path of ['/admin', '/admin/insight', '/admin/imports', '/admin/recruits', '/admin/recruits/call-back',
    '/admin/cards', '/admin/cards/new', '/admin/users', '/admin/audit', '/admin/account']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  expect(errors).toEqual([]);
});
