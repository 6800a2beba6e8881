// Forms always go forward.
//
// Pressing Enter (a phone keyboard's Go key) in a field submits its form with the form's
// FIRST submit button in document order. On the journey's question pages that used to be a
// language-switch button in the header (form="signup"), or "Back": Enter then changed the
// language or went back a page instead of going on. These tests press Enter in every text
// input of every step, in English and in Arabic (right to left), with JavaScript on and off,
// and check where it lands: always where the page's main button ("Continue", "Accept and
// send") would have gone. They test behaviour only, not how it is achieved.
//
// The same file checks that no public page scrolls sideways at 320 px, in every language,
// and what the browser's Back button shows in the middle of the journey.
import { test, expect } from '@playwright/test';
import { newCardCode, signIn } from './helpers.mjs';

// The text-like inputs of a step (the honeypot included: it is a text input of the form,
// hidden from people, and Enter in it must behave like Enter anywhere else).
const TEXT_INPUTS = '#signup input:not([type=hidden]):not([type=radio]):not([type=checkbox])'
  + ':not([type=submit]):not([type=button]):not([type=reset]):not([type=image])';

/** The step the page shows (the form's hidden `step` field), or null on other pages. */
async function stepOf(page) {
  const field = page.locator('#signup input[type=hidden][name=step]');
  return (await field.count()) ? field.inputValue() : null;
}

/** Ids of the step's text inputs, in document order. */
async function textInputIds(page) {
  const inputs = page.locator(TEXT_INPUTS);
  const ids = [];
  for (let i = 0; i < await inputs.count(); i++) ids.push(await inputs.nth(i).getAttribute('id'));
  return ids;
}

/** Presses Enter in `field` and waits for the page it submits to load. */
async function enterIn(page, field, what) {
  const loaded = page.waitForEvent('load', { timeout: 10_000 });
  await field.press('Enter');
  await loaded.catch(() => {
    throw new Error(`Enter in ${what} did not submit the form (no new page within 10 s)`);
  });
}

/** Continues from the current step with the page's own visible button. */
async function continueWith(page) {
  const loaded = page.waitForEvent('load');
  await page.locator('#signup > button.button[name=action][value=continue]').click();
  await loaded;
}

/** Goes back one step with the page's own "Back" button. */
async function backWith(page, to) {
  const loaded = page.waitForEvent('load');
  await page.locator('#signup button[name=action][value=back]').click();
  await loaded;
  expect(await stepOf(page), 'the Back button leads to the previous step').toBe(to);
}

/**
 * Presses Enter in every text input of the current step, which is `step`, and checks each
 * time that the language did not change and the page went where "Continue" goes:
 * `expected` (another step, or 'sent') — or, when `expected === step`, that the same step
 * came back with the error summary. `fill` puts the answers in before each press (they are
 * kept across pages, so filling again is harmless); after a step that moved on, "Back"
 * returns to `step` for the next field.
 */
async function enterEverywhere(page, { step, expected, fill, lang, dir, mustHave = [], alsoRadio = null }) {
  expect(await stepOf(page)).toBe(step);
  const ids = await textInputIds(page);
  for (const id of mustHave) expect(ids, `text inputs of step ${step}`).toContain(id);
  const targets = ids.map((id) => ({ what: `#${id} on step ${step}`, locator: page.locator(`[id="${id}"]`) }));
  if (alsoRadio) targets.push({ what: `radio ${alsoRadio} on step ${step}`, locator: page.locator(alsoRadio) });
  for (const [i, t] of targets.entries()) {
    await fill();
    await enterIn(page, t.locator, t.what);
    await expect(page.locator('html'), `Enter in ${t.what} must not switch language`).toHaveAttribute('lang', lang);
    await expect(page.locator('html')).toHaveAttribute('dir', dir);
    if (expected === 'sent') {
      await expect(page, `Enter in ${t.what} sends the answers`).toHaveURL(/\/signup\/sent\/[^/?]+\?lang=/);
      expect(await stepOf(page)).toBeNull();
      continue;
    }
    const now = await stepOf(page);
    expect(now, `Enter in ${t.what} must do what Continue does`).toBe(expected);
    if (expected === step) {
      await expect(page.locator('#error-summary-title'), `Enter in ${t.what}: the missing answer is named`).toBeVisible();
    } else {
      await expect(page.locator('#error-summary-title'), `Enter in ${t.what}: no error`).toHaveCount(0);
      if (i < targets.length - 1) await backWith(page, step);
    }
  }
}

const LANGS = [
  { code: 'en', html: 'en-GB', dir: 'ltr' },
  { code: 'ar', html: 'ar', dir: 'rtl' },
];

for (const js of [false, true]) {
  for (const l of LANGS) {
    test.describe(`Enter key with JavaScript ${js ? 'on' : 'off'}, ${l.code}`, { tag: '@phone' }, () => {
      test.use({ javaScriptEnabled: js });

      test('Enter in any field of any step goes forward, never back or to another language', async ({ page }, info) => {
        test.setTimeout(120_000);
        const code = await newCardCode(page, `Enter ${info.project.name} ${js} ${l.code}`);
        const email = `enter-${info.project.name}-${js}-${l.code}-${Date.now()}@example.org`;
        const radio = (name, value) => page.locator(`#signup input[name=${name}][value="${value}"]`);
        const common = { lang: l.html, dir: l.dir };

        await page.goto(`/j/${code}/join?lang=${l.code}`);
        await expect(page.locator('html')).toHaveAttribute('lang', l.html);

        // Who can join comes first: no age yet (the same step with the errors, and the
        // postcode typed is still there), then answered.
        await enterEverywhere(page, {
          ...common, step: 'eligibility', expected: 'eligibility', mustHave: ['postcode'],
          fill: async () => { await page.locator('#postcode').fill('CB1 1AA'); },
        });
        await expect(page.locator('#postcode')).toHaveValue('CB1 1AA');
        await enterEverywhere(page, {
          ...common, step: 'eligibility', expected: 'about', mustHave: ['postcode'],
          fill: async () => {
            await radio('age_band', '18-24').check();
            await radio('connection', 'live').check();
            await page.locator('#postcode').fill('CB1 1AA');
          },
        });

        // About you. A required answer missing (no name, no way of contacting chosen):
        // the same step with the errors, and what was typed is still there.
        await enterEverywhere(page, {
          ...common, step: 'about', expected: 'about', mustHave: ['name', 'email', 'phone'],
          fill: async () => {
            await page.locator('#email').fill(email);
            await page.locator('#phone').fill('07700 900 982');
          },
        });
        await expect(page.locator('#email')).toHaveValue(email);
        // All answered: on to the equality questions, from every field.
        await enterEverywhere(page, {
          ...common, step: 'about', expected: 'equality-intro', mustHave: ['name', 'email', 'phone'],
          fill: async () => {
            await page.locator('#name').fill('Omar Haddad');
            await page.locator('#email').fill(email);
            await page.locator('#phone').fill('07700 900 982');
            await radio('contact_method', 'either').check();
          },
        });

        // Equality intro: only choices (and the honeypot); Enter on the choice itself too.
        await enterEverywhere(page, {
          ...common, step: 'equality-intro', expected: 'equality-intro',
          alsoRadio: '#signup input[name=equality][value=yes]', fill: async () => {},
        });
        await enterEverywhere(page, {
          ...common, step: 'equality-intro', expected: 'equality',
          alsoRadio: '#signup input[name=equality][value=yes]',
          fill: async () => { await radio('equality', 'yes').check(); },
        });

        // Equality: every question optional, so Enter always goes on.
        await enterEverywhere(page, {
          ...common, step: 'equality', expected: 'ethnicity',
          alsoRadio: '#signup input[name=ethnic_group][value=other]',
          fill: async () => {
            await radio('ethnic_group', 'other').check();
            await radio('gender', 'woman').check();
            await radio('disability', 'no').check();
          },
        });

        // Ethnicity, with the free text shown: a description it refuses, then a good one.
        await enterEverywhere(page, {
          ...common, step: 'ethnicity', expected: 'ethnicity', mustHave: ['ethnic_other'],
          fill: async () => {
            await radio('ethnic_detail', 'other_any').check();
            await page.locator('#ethnic_other').fill('<b>Kurdish</b>');
          },
        });
        await enterEverywhere(page, {
          ...common, step: 'ethnicity', expected: 'check', mustHave: ['ethnic_other'],
          fill: async () => {
            await radio('ethnic_detail', 'other_any').check();
            await page.locator('#ethnic_other').fill('Kurdish');
          },
        });

        // Check your answers: no visible text input; the only text control is the (empty)
        // honeypot. Enter there must "Accept and send", not "Back" or "Change".
        await expect(page.locator('.summary-list')).toContainText('Kurdish');
        await enterEverywhere(page, { ...common, step: 'check', expected: 'sent', fill: async () => {} });
        await expect(page.locator('.address')).toHaveText(email);
      });
    });
  }
}

for (const js of [false, true]) {
  test.describe(`sign-in with JavaScript ${js ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled: js });
    test('Enter in the email field signs in', async ({ page }) => {
      await page.goto('/admin/login');
      await page.getByLabel('Email address').fill(process.env.E2E_ADMIN_EMAIL);
      await page.getByLabel('Password').fill(process.env.E2E_ADMIN_PASSWORD);
      await enterIn(page, page.getByLabel('Email address'), 'the sign-in email field');
      await expect(page).toHaveURL(/\/admin$/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
    });
  });
}

test.describe('no sideways scrolling at 320 px', { tag: '@phone' }, () => {
  test.use({ viewport: { width: 320, height: 640 } });
  let code;
  test.beforeAll(async ({ browser }, info) => {
    const page = await browser.newPage();
    code = await newCardCode(page, `Narrow ${info.project.name}`);
    await page.close();
  });

  for (const lang of ['en', 'cy', 'pl', 'ro', 'ar']) {
    test(`every public page fits 320 px in ${lang}`, async ({ page }) => {
      const problems = [];
      for (const path of ['/', `/j/${code}`, `/j/${code}/join`, '/privacy', '/rights']) {
        await page.goto(`${path}?lang=${lang}`);
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'en' ? 'en-GB' : lang);
        const r = await page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          // The innermost elements that stick out, to say what to fix.
          const out = [...document.body.querySelectorAll('*')].filter((e) => {
            const b = e.getBoundingClientRect();
            return b.width > 0 && (b.right > width + 0.5 || b.left < -0.5);
          });
          const leaves = out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 5);
          return {
            scrollWidth: document.documentElement.scrollWidth,
            culprits: leaves.map((e) => `<${e.localName}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).replace(/ /g, '.')}` : ''}> `
              + `${Math.round(e.getBoundingClientRect().left)}..${Math.round(e.getBoundingClientRect().right)} "${(e.textContent || '').trim().slice(0, 40)}"`),
          };
        });
        if (r.scrollWidth > 320) problems.push(`${path}?lang=${lang}: scrollWidth ${r.scrollWidth}: ${r.culprits.join('; ')}`);
      }
      expect(problems).toEqual([]);
    });
  }
});

for (const js of [false, true]) {
  test.describe(`browser Back in the journey with JavaScript ${js ? 'on' : 'off'}`, { tag: '@phone' }, () => {
    test.use({ javaScriptEnabled: js });

    test('Back after two steps shows the previous step, not "Confirm Form Resubmission"', async ({ page }, info) => {
      const code = await newCardCode(page, `Back ${info.project.name} ${js}`);
      await page.goto(`/j/${code}/join`);
      await page.locator('#signup input[name=age_band][value="25-34"]').check();
      await page.locator('#signup input[name=connection][value=work]').check();
      await continueWith(page);
      expect(await stepOf(page)).toBe('about');
      await page.locator('#name').fill('Omar Haddad');
      await page.locator('#email').fill(`back-${info.project.name}-${js}-${Date.now()}@example.org`);
      await page.locator('#signup input[name=contact_method][value=email]').check();
      await continueWith(page);
      expect(await stepOf(page)).toBe('equality-intro');

      const seen = [];
      for (const expected of ['about', 'eligibility']) {
        let error = null;
        try {
          await page.goBack();
        } catch (e) {
          error = e.message.split('\n')[0];
        }
        const url = page.url();
        const body = await page.locator('body').innerText().catch(() => '');
        const cacheMiss = /ERR_CACHE_MISS/.test(`${error} ${body}`) || url.startsWith('chrome-error://');
        seen.push(`Back (expecting ${expected}): url=${url} goBack=${error ?? 'ok'} cacheMiss=${cacheMiss}`);
        if (cacheMiss) {
          info.annotations.push({ type: 'seen', description: seen.join(' | ') });
          // post/redirect/get not done yet (issue 16): each step is the answer to a POST,
          // so Chromium cannot show it again from Back without resubmitting the form.
          test.fixme(true, `post/redirect/get not done yet (issue 16): ${seen.join(' | ')}`);
        }
        expect(error, 'Back must not fail').toBeNull();
        await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
        expect(await stepOf(page), 'Back shows the previous step').toBe(expected);
      }
    });
  });
}
