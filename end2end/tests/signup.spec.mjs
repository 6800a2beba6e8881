import { test, expect } from '@playwright/test';
import { expectAccessible, newCardCode, confirmationLink } from './helpers.mjs';

for (const js of [false, true]) {
  test.describe(`sign-up journey with JavaScript ${js ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled: js });

    test('scan, answer, fix mistakes, check, send and confirm — accessible on every page', async ({ page }, info) => {
      test.setTimeout(90_000);
      // axe runs inside the page, so it needs JavaScript: the JS-on run scans the same
      // server-rendered pages (they carry no scripts, so both runs get identical HTML).
      const a11y = js ? expectAccessible : async () => {};
      const code = await newCardCode(page, `Journey ${info.project.name} ${js}`);
      const email = `e2e-${info.project.name}-${js}-${Date.now()}@example.org`;

      await page.goto(`/j/${code}`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Have your say on stop and search');
      await a11y(page, 'landing');
      await page.getByRole('link', { name: 'Start now' }).click();

      // About you: submit empty first, see the errors, then fix them.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('About you');
      await a11y(page, 'about');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert')).toContainText('There is a problem');
      await expect(page.getByRole('alert')).toContainText('Enter your name');
      await a11y(page, 'about with errors');
      await page.getByLabel('Your name').fill('Amara Mensah');
      await page.getByLabel('Email address (optional)').fill('not-an-email');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByLabel('Your name')).toHaveValue('Amara Mensah');
      await page.getByLabel('Email address (optional)').fill(email);
      await page.getByLabel('By email').check();
      await page.getByRole('button', { name: 'Continue' }).click();

      // Who can join
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who can join');
      await a11y(page, 'eligibility');
      await page.getByLabel('18 to 24').check();
      await page.getByLabel('I live here').check();
      await page.getByLabel('Postcode (optional)').fill('cb1 1aa');
      await page.getByRole('button', { name: 'Continue' }).click();

      // Equality questions, in two steps for ethnic group
      await a11y(page, 'equality intro');
      await page.getByLabel('Yes, I agree').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await a11y(page, 'equality');
      await page.getByLabel('Black, Black British, Black Welsh, Caribbean or African').check();
      await page.getByLabel('Woman or girl').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await a11y(page, 'ethnicity');
      await page.getByLabel('Caribbean', { exact: true }).check();
      await page.getByRole('button', { name: 'Continue' }).click();

      // Check answers, change one, come back
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before you send them');
      await a11y(page, 'check');
      await expect(page.locator('.summary-list')).toContainText('CB1 1AA');
      await page.getByRole('button', { name: 'Change Your name' }).click();
      await expect(page.getByLabel('Your name')).toHaveValue('Amara Mensah');
      await page.getByLabel('Your name').fill('Amara K. Mensah');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.locator('.summary-list')).toContainText('Amara K. Mensah');
      await page.getByRole('button', { name: 'Accept and send' }).click();

      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');
      await expect(page.locator('.address')).toHaveText(email);
      await a11y(page, 'sent');

      const link = await confirmationLink(email);
      await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you, your email address is confirmed');
      await a11y(page, 'confirmed');
    });
  });
}

test('switching to Arabic keeps what was typed and lays the page out right to left', async ({ page }) => {
  const code = await newCardCode(page, 'Arabic');
  await page.goto(`/j/${code}/join`);
  await page.getByLabel('Your name').fill('Omar');
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('#name')).toHaveValue('Omar');
  await expectAccessible(page, 'arabic about');
});

for (const path of ['/privacy', '/rights', '/join', '/j/ABCDEFGHJ', '/?lang=cy', '/?lang=pl', '/?lang=ro', '/?lang=ar']) {
  test(`axe finds no violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await expectAccessible(page, path);
  });
}
