import { test, expect } from '@playwright/test';
import { expectAccessible, newCardCode, confirmationLink } from './helpers.mjs';

for (const js of [false, true]) {
  test.describe(`sign-up journey with JavaScript ${js ? 'on' : 'off'}`, { tag: '@phone' }, () => {
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

      // Who can join comes first: submit empty, see the errors in the page's order, each
      // linking to its question's first input, then answer.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who can join');
      await a11y(page, 'eligibility');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert')).toContainText('There is a problem');
      const eligibilityErrors = page.locator('.error-summary li a');
      await expect(eligibilityErrors).toHaveText(['Select how old you are', 'Select whether you live, work or study in the area']);
      await expect(eligibilityErrors.first()).toHaveAttribute('href', '#age_band-0');
      await expect(eligibilityErrors.nth(1)).toHaveAttribute('href', '#connection-0');
      await a11y(page, 'eligibility with errors');
      await page.getByLabel('18 to 24').check();
      await page.getByLabel('I live here').check();
      await page.getByLabel('Postcode (optional)').fill('cb1 1aa');
      await page.getByRole('button', { name: 'Continue' }).click();

      // About you: submit empty first, see the errors, then fix them.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('About you');
      await a11y(page, 'about');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert')).toContainText('There is a problem');
      await expect(page.getByRole('alert')).toContainText('Enter your name');
      // In the page's order: the name, then a way to contact (linked to the email box).
      const aboutErrors = page.locator('.error-summary li a');
      await expect(aboutErrors.nth(0)).toHaveText('Enter your name');
      await expect(aboutErrors.nth(0)).toHaveAttribute('href', '#name');
      await expect(aboutErrors.nth(1)).toHaveText('Enter an email address or a phone number so we can contact you');
      await expect(aboutErrors.nth(1)).toHaveAttribute('href', '#email');
      await a11y(page, 'about with errors');
      await page.getByLabel('Your name').fill('Amara Mensah');
      await page.getByLabel('Email address (optional)').fill('not-an-email');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByLabel('Your name')).toHaveValue('Amara Mensah');
      await page.getByLabel('Email address (optional)').fill(email);
      await page.getByLabel('By email').check();
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
      // The rows in the order they were asked: who can join first, then about you.
      const rows = await page.locator('.summary-list .summary-row').evaluateAll((rs) => rs.map((r) => [
        r.querySelector('dt').textContent.trim(), r.querySelector('dd').textContent.trim()]));
      expect(rows.slice(0, 6)).toEqual([
        ['How old are you?', '18 to 24'],
        ['Do you live, work or study in the area?', 'I live here'],
        ['Postcode', 'CB1 1AA'],
        ['Your name', 'Amara Mensah'],
        ['Email address', email],
        ['Phone number', 'Not given'],
      ]);
      // Only an email was given, so "how should we contact you?" was never asked or shown.
      expect(rows.map((r) => r[0])).not.toContain('How should we contact you?');
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

test('switching to Arabic keeps what was typed and lays the page out right to left', { tag: '@phone' }, async ({ page }) => {
  const code = await newCardCode(page, 'Arabic');
  await page.goto(`/j/${code}/join`);
  // The name is asked on the second page, after who can join.
  await page.getByLabel('25 to 34').check();
  await page.getByLabel('I work here').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('About you');
  await page.getByLabel('Your name').fill('Omar');
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('#name')).toHaveValue('Omar');
  await expectAccessible(page, 'arabic about');
});

test('age comes first: under 16 is asked nothing personal; one way of contact needs no choice', { tag: '@phone' }, async ({ page }, info) => {
  const code = await newCardCode(page, `Age first ${info.project.name}`);
  await page.goto(`/j/${code}/join`);
  // The first page asks the age, and nothing personal.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who can join');
  const ages = page.getByRole('group', { name: 'How old are you?' });
  await expect(ages.getByRole('radio')).toHaveCount(8);
  await expect(page.locator('#name, #email, #phone, input[type=email], input[type=tel]')).toHaveCount(0);
  await expect(page.getByLabel('Your name')).toHaveCount(0);

  // Under 16: a page that asks nothing, and whose Back link leads to the start again.
  await ages.getByLabel('Under 16').check();
  await page.getByLabel('I live here').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are too young to join the panel for now');
  await expect(page.locator('main')).toContainText('We have not kept any of your answers.');
  await expect(page.locator('main input, main select, main textarea, #signup')).toHaveCount(0);
  await page.locator('main').getByRole('link', { name: 'Back' }).click();
  await expect(page).toHaveURL(new RegExp(`/j/${code}/join\\?lang=en$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who can join');
  await expect(page.getByRole('group', { name: 'How old are you?' }).getByRole('radio', { checked: true })).toHaveCount(0);

  // An email address and no phone number: the contact question left unanswered is fine.
  await page.getByLabel('35 to 44').check();
  await page.getByLabel('I study here').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('About you');
  await page.getByLabel('Your name').fill('Jo Okafor');
  await page.getByLabel('Email address (optional)').fill(`age-first-${info.project.name}-${Date.now()}@example.org`);
  await expect(page.getByRole('group', { name: 'How should we contact you?' }).getByRole('radio', { checked: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('.error-summary')).toHaveCount(0);
  await expect(page.locator('#signup input[type=hidden][name=step]')).toHaveValue('equality-intro');
});

for (const path of ['/privacy', '/rights', '/join', '/j/ABCDEFGHJ', '/?lang=cy', '/?lang=pl', '/?lang=ro', '/?lang=ar']) {
  test(`axe finds no violations on ${path}`, async ({ page }) => {
    await page.goto(path);
    await expectAccessible(page, path);
  });
}
