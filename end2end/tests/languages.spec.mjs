// Welsh first and every language:
//  1. a "Welsh force" (SCRUTINY_DEFAULT_LANGUAGE=cy, the second web server in
//     playwright.config.mjs) serves Welsh to a browser that asks only for English, lets the
//     visitor choose English (and remembers it), and serves Polish to a Polish browser;
//  2. the accessibility statement (/accessibility) in all five languages, linked from the
//     footer of every public page in the page's own language;
//  3. card batches in several languages ordered on the dashboard (Welsh first on the card,
//     and a refusal when the text of five languages does not fit);
//  4. invitations written per language, with a warning before anyone would get another
//     language.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectAccessible, signIn } from './helpers.mjs';
import { welshBaseURL } from '../playwright.config.mjs';

const LANGS = [
  { code: 'en', html: 'en-GB', dir: 'ltr', a11yTitle: 'Accessibility statement', a11yLink: 'Accessibility' },
  { code: 'cy', html: 'cy', dir: 'ltr', a11yTitle: 'Datganiad hygyrchedd', a11yLink: 'Hygyrchedd' },
  { code: 'pl', html: 'pl', dir: 'ltr', a11yTitle: 'Deklaracja dostępności', a11yLink: 'Dostępność' },
  { code: 'ro', html: 'ro', dir: 'ltr', a11yTitle: 'Declarație de accesibilitate', a11yLink: 'Accesibilitate' },
  { code: 'ar', html: 'ar', dir: 'rtl', a11yTitle: 'بيان إمكانية الوصول', a11yLink: 'إمكانية الوصول' },
];

const PUBLIC_PAGES = ['/', '/join', '/privacy', '/rights'];

/** Collects uncaught errors and console errors (Chromium reports CSP violations there). */
function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  return errors;
}

/** How far the page scrolls sideways at the current width, and which elements stick out. */
async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [...document.body.querySelectorAll('*')].filter((e) => {
      const b = e.getBoundingClientRect();
      return b.width > 0 && (b.right > width + 0.5 || b.left < -0.5);
    });
    const leaves = out.filter((e) => !out.some((o) => o !== e && e.contains(o))).slice(0, 5);
    return {
      width,
      scrollWidth: document.documentElement.scrollWidth,
      culprits: leaves.map((e) => `<${e.localName}${e.id ? `#${e.id}` : ''}> `
        + `${Math.round(e.getBoundingClientRect().left)}..${Math.round(e.getBoundingClientRect().right)} "${(e.textContent || '').trim().slice(0, 40)}"`),
    };
  });
}

// ---------------------------------------------------------------------------------------
// 1. A Welsh force.

const WELSH_PAGES = ['/', '/join', '/privacy', '/rights', '/accessibility'];

test.describe('a Welsh force (SCRUTINY_DEFAULT_LANGUAGE=cy)', { tag: '@phone' }, () => {
  test.use({ baseURL: welshBaseURL });

  test.describe('a browser that asks only for English', () => {
    test.use({ locale: 'en-GB' });

    for (const [i, path] of WELSH_PAGES.entries()) {
      test(`${path} is in Welsh; choosing English gives English and is remembered`, async ({ page, context }) => {
        const next = WELSH_PAGES[(i + 1) % WELSH_PAGES.length];
        const errors = watchErrors(page);
        const request = page.waitForRequest((r) => new URL(r.url()).pathname === path);
        const response = await page.goto(path);
        expect(response.status()).toBe(200);
        // The browser really asked for English only, and nothing was chosen yet.
        const accept = await (await request).headerValue('accept-language');
        expect(accept, 'the browser asks for English').toMatch(/^en-GB\b/);
        expect(accept).not.toMatch(/\b(cy|pl|ro|ar)\b/);
        expect((await context.cookies()).filter((c) => c.name === 'lang'), 'no language cookie before a choice').toEqual([]);

        await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        const langs = page.locator('nav.langs');
        await expect(langs).toHaveAttribute('aria-label', 'Dewis iaith');
        await expect(langs.locator('[aria-current="true"]')).toHaveText('Cymraeg');
        // The journey's question page switches with buttons that re-post the form (nothing
        // typed is lost), the other pages with links.
        const english = langs.getByRole(path === '/join' ? 'button' : 'link', { name: 'English', exact: true });
        await expect(english).toHaveAttribute('lang', 'en');

        await english.click();
        await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
        await expect(page).toHaveURL(/[?&]lang=en(&|$)/);
        expect(new URL(page.url()).pathname).toBe(path);
        await expect(langs.locator('[aria-current="true"]')).toHaveText('English');
        await expect(langs.getByRole(path === '/join' ? 'button' : 'link', { name: 'Cymraeg', exact: true })).toBeVisible();
        expect((await context.cookies()).filter((c) => c.name === 'lang').map((c) => c.value), 'the choice is kept in a cookie')
          .toEqual(['en']);

        // The next page, with no ?lang=, is still English...
        await page.goto(next);
        await expect(page.locator('html')).toHaveAttribute('lang', 'en-GB');
        await expect(page.locator('nav.langs [aria-current="true"]')).toHaveText('English');
        // ...because of the cookie: without it the same page is Welsh again.
        await context.clearCookies();
        await page.goto(next);
        await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
        expect(errors).toEqual([]);
      });
    }
  });

  test.describe('a browser that asks for Polish', () => {
    test.use({ locale: 'pl-PL' });

    test('every public page is in Polish', async ({ page }) => {
      for (const path of WELSH_PAGES) {
        const request = page.waitForRequest((r) => new URL(r.url()).pathname === path);
        const response = await page.goto(path);
        expect(response.status(), path).toBe(200);
        expect(await (await request).headerValue('accept-language')).toMatch(/^pl-PL\b/);
        await expect(page.locator('html'), path).toHaveAttribute('lang', 'pl');
        await expect(page.locator('nav.langs [aria-current="true"]'), path).toHaveText('Polski');
      }
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deklaracja dostępności');
    });
  });
});

// ---------------------------------------------------------------------------------------
// 2. The accessibility statement.

for (const l of LANGS) {
  test.describe(`accessibility statement in ${l.code}`, { tag: '@phone' }, () => {
    test('answers 200 with an h1, no scripts, under 14 KB, accessible, and fits 320 px', async ({ page }) => {
      const scripts = [];
      page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(r.url()); });
      const errors = watchErrors(page);
      const response = await page.goto(`/accessibility?lang=${l.code}`);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toMatch(/^text\/html/);
      const html = await response.body();
      expect(html.length, 'the page HTML (uncompressed) is under 14 KB').toBeLessThan(14 * 1024);
      await expect(page.locator('html')).toHaveAttribute('lang', l.html);
      await expect(page.locator('html')).toHaveAttribute('dir', l.dir);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(l.a11yTitle);
      await expect(page.locator('h1')).toHaveCount(1);
      // The statement's content, whatever the language: the standard (WCAG 2.2, level AA;
      // the English text spells it out as GOV.UK's model statement does, with the
      // abbreviation: "Web Content Accessibility Guidelines (WCAG) version 2.2 AA") and
      // the enforcer.
      await expect(page.locator('main')).toContainText(/(WCAG|Web Content Accessibility Guidelines (\(WCAG\) )?version) 2\.2 AA/);
      await expect(page.locator('main')).toContainText('EHRC');
      expect(html.toString('utf8')).not.toMatch(/<script/i);
      await expect(page.locator('script')).toHaveCount(0);
      expect(scripts).toEqual([]);
      // Its own footer link is to itself, in the same language.
      await expect(page.locator(`footer a[href="/accessibility?lang=${l.code}"]`)).toHaveText(l.a11yLink);

      await expectAccessible(page, `/accessibility?lang=${l.code}`);

      await page.setViewportSize({ width: 320, height: 640 });
      const o = await sidewaysOverflow(page);
      expect(o.width).toBe(320);
      expect(o.scrollWidth, `sideways scrolling at 320 px: ${o.culprits.join('; ')}`).toBeLessThanOrEqual(320);
      expect(errors).toEqual([]);
    });

    test('every public page links to it in the same language, and the link works', async ({ page }) => {
      for (const path of PUBLIC_PAGES) {
        const response = await page.goto(`${path}?lang=${l.code}`);
        expect(response.status(), path).toBe(200);
        await expect(page.locator('html'), path).toHaveAttribute('lang', l.html);
        const link = page.locator('footer').getByRole('link', { name: l.a11yLink, exact: true });
        await expect(link, `${path}: footer link`).toHaveCount(1);
        await expect(link, `${path}: footer link`).toHaveAttribute('href', `/accessibility?lang=${l.code}`);
        await link.click();
        await expect(page, `${path}: the link leads to the statement`).toHaveURL(new RegExp(`/accessibility\\?lang=${l.code}$`));
        await expect(page.locator('html')).toHaveAttribute('lang', l.html);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(l.a11yTitle);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------
// 3. Cards in several languages.

/** Runs a command and returns its stdout; fails the test with stderr if it does not exit 0. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  expect(r.error, `${cmd} must be installed (poppler-utils)`).toBeUndefined();
  expect(r.status, `${cmd} ${args.join(' ')} failed: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const CARD_LANGS = ['Cymraeg', 'English', 'Polski', 'Română', 'العربية'];

test('a batch of bilingual cards: Welsh first on the card; five languages do not fit', { tag: '@desk' }, async ({ page }, info) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await signIn(page);
  await page.goto('/admin/cards/new');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order a new batch of cards');
  const languages = page.getByRole('group', { name: 'Languages on the card' });
  const boxes = languages.getByRole('checkbox');
  await expect(boxes).toHaveCount(5);
  for (const [i, name] of CARD_LANGS.entries()) {
    const box = languages.getByRole('checkbox', { name, exact: true });
    await expect(box, `checkbox ${name}`).toBeVisible();
    await expect(box, `${name} is not ticked to start with`).not.toBeChecked();
    // In this order (Welsh first).
    await expect(boxes.nth(i)).toHaveAccessibleName(name);
  }
  await languages.getByRole('checkbox', { name: 'English', exact: true }).check();
  await languages.getByRole('checkbox', { name: 'Cymraeg', exact: true }).check();
  await page.getByLabel('Label').fill('Bilingual e2e');
  await page.getByLabel('Number of cards').fill('2');
  await page.getByRole('button', { name: 'Create batch' }).click();

  await expect(page).toHaveURL(/\/admin\/cards\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bilingual e2e');
  await expect(page.getByTestId('batch-languages')).toHaveText('Cymraeg, English');
  await expect(page.locator('.codes li')).toHaveCount(2);
  const id = page.url().match(/\/admin\/cards\/(\d+)$/)[1];

  // The card printer's file, downloaded by clicking the link.
  const link = page.getByRole('link', { name: 'Card printer, one card per page (PDF)' });
  await expect(link).toHaveAttribute('href', `/admin/cards/${id}/cards-cr80.pdf`);
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(await file.failure(), 'the download failed in the browser').toBeNull();
  const path = info.outputPath(`${info.project.name}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  expect(readFileSync(path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = run('pdftotext', ['-raw', path, '-']);
  const welsh = text.indexOf('Stopio a chwilio');
  const english = text.indexOf('Stopped and searched?');
  expect(welsh, `Welsh heading in the PDF text:\n${text}`).toBeGreaterThanOrEqual(0);
  expect(english, `English heading in the PDF text:\n${text}`).toBeGreaterThanOrEqual(0);
  expect(welsh, 'the Welsh heading comes before the English one').toBeLessThan(english);
  // On every card that carries the headings, Welsh comes first.
  const pages = text.split('\f').filter((p) => p.includes('Stopped and searched?') || p.includes('Stopio a chwilio'));
  // Two cards: a front and a back each; the headings are on the fronts.
  expect(text.split('\f').filter((p) => p.trim()).length, 'pages in the CR80 file').toBe(4);
  expect(pages.length, 'both cards carry the headings').toBe(2);
  for (const p of pages) {
    expect(p.indexOf('Stopio a chwilio'), `a page with both headings:\n${p}`).toBeGreaterThanOrEqual(0);
    expect(p.indexOf('Stopio a chwilio'), `Welsh first on:\n${p}`).toBeLessThan(p.indexOf('Stopped and searched?'));
  }
  // And on the backs: "scan the QR code" in Welsh, then in English.
  const backs = text.split('\f').filter((p) => p.includes('Scan the QR code'));
  expect(backs.length, 'both cards have a back').toBe(2);
  for (const p of backs) {
    expect(p.indexOf('Sganiwch y cod QR'), `Welsh first on:\n${p}`).toBeGreaterThanOrEqual(0);
    expect(p.indexOf('Sganiwch y cod QR'), `Welsh first on:\n${p}`).toBeLessThan(p.indexOf('Scan the QR code'));
  }

  // Five languages: refused, with the ticks kept.
  await page.goto('/admin/cards/new');
  for (const name of CARD_LANGS) await languages.getByRole('checkbox', { name, exact: true }).check();
  await page.getByLabel('Label').fill('Five languages e2e');
  await page.getByLabel('Number of cards').fill('2');
  await page.getByRole('button', { name: 'Create batch' }).click();
  await expect(page).toHaveURL(/\/admin\/cards\/new\?/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Order a new batch of cards');
  const summary = page.locator('.error-summary');
  await expect(summary).toContainText('There is a problem');
  await expect(summary).toContainText('does not fit');
  await expect(languages.locator('.error-message')).toContainText('does not fit');
  for (const name of CARD_LANGS) {
    await expect(languages.getByRole('checkbox', { name, exact: true }), `${name} still ticked`).toBeChecked();
  }
  await expect(page.getByLabel('Label')).toHaveValue('Five languages e2e');
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});

// ---------------------------------------------------------------------------------------
// 4. Invitations written per language.

/**
 * Signs one person up without a card (the short way: email only, no equality questions)
 * in `lang`. Driven by each page's own step, so it does not depend on the order of the
 * questions (age first or name first).
 */
async function signUp(page, { name, email, lang }) {
  const cont = async () => {
    const loaded = page.waitForEvent('load');
    await page.locator('#signup > button.button[name=action][value=continue]').click();
    await loaded;
  };
  const step = page.locator('#signup input[type=hidden][name=step]');
  const radio = (field, value) => page.locator(`#signup input[name=${field}][value="${value}"]`);
  const html = lang === 'en' ? 'en-GB' : lang;

  await page.goto(`/join?lang=${lang}`);
  const seen = [];
  while (!/\/signup\/sent\//.test(page.url())) {
    expect(seen.length, `steps so far: ${seen.join(', ')}`).toBeLessThan(6);
    await expect(page.locator('html')).toHaveAttribute('lang', html);
    await expect(page.locator('#error-summary-title'), `no errors after ${seen.join(', ')}`).toHaveCount(0);
    const now = await step.inputValue();
    expect(seen, 'each step once').not.toContain(now);
    seen.push(now);
    if (now === 'about') {
      await page.locator('#name').fill(name);
      await page.locator('#email').fill(email);
      // Asked only of people who give both an email address and a phone number.
      if (await radio('contact_method', 'email').count()) await radio('contact_method', 'email').check();
    } else if (now === 'eligibility') {
      await radio('age_band', '25-34').check();
      await radio('connection', 'live').check();
    } else if (now === 'equality-intro') {
      await radio('equality', 'no').check();
    } else if (now === 'check') {
      await expect(page.locator('.summary-list')).toContainText(email);
    } else {
      throw new Error(`unexpected step ${now} after ${seen.join(', ')}`);
    }
    await cont(); // "Accept and send" on the check step
  }
  expect([...seen].sort()).toEqual(['about', 'check', 'eligibility', 'equality-intro']);
  expect(seen.at(-1)).toBe('check');
  await expect(page).toHaveURL(new RegExp(`/signup/sent/[^?]+\\?lang=${lang}$`));
  await expect(page.locator('html')).toHaveAttribute('lang', html);
  await expect(page.locator('.address')).toHaveText(email);
}

/** The outbox files (the server's file mailer) sent to `email` that contain `text`. */
function outboxMail(email, text) {
  const dir = join(process.env.E2E_DATA_DIR, 'outbox');
  let files = [];
  try { files = readdirSync(dir); } catch { /* not created yet */ }
  return files
    .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((m) => m.includes(email) && m.includes(text));
}

test('an invitation in English and Welsh: a warning until the Welsh version is written', { tag: '@desk' }, async ({ page }, info) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  // A short word, like a real name: one long unbroken word makes the recruits table wider
  // than a 360 px screen and its tick boxes cannot be tapped there (a layout problem of
  // its own, not what this test is about).
  const tag = `${info.project.name[0]}${Date.now().toString(36)}`;
  const cy = { name: `Rhian ${tag}`, email: `e2e-${tag}-cy@example.org`, lang: 'cy' };
  const en = { name: `Ellis ${tag}`, email: `e2e-${tag}-en@example.org`, lang: 'en' };
  await signIn(page);
  await signUp(page, cy);
  await signUp(page, en);

  // Both selected on the recruits page.
  await page.goto('/admin/recruits');
  await page.getByRole('searchbox', { name: 'Search' }).fill(tag);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status')).toHaveText('2 recruits match. Showing 1 to 2.');
  await page.getByRole('checkbox', { name: `Select ${cy.name}` }).check();
  await page.getByRole('checkbox', { name: `Select ${en.name}` }).check();
  await page.getByRole('button', { name: 'Write an invitation to the selected people' }).click();

  await expect(page).toHaveURL(/\/admin\/recruits\/invite\?/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Write an invitation');
  const legends = page.locator('form fieldset > legend');
  await expect(legends).toHaveText(['English (1 person)', 'Cymraeg (1 person)']);
  const englishPart = page.getByRole('group', { name: 'English (1 person)' });
  const welshPart = page.getByRole('group', { name: 'Cymraeg (1 person)' });
  await expect(welshPart.getByLabel('Subject')).toHaveAttribute('lang', 'cy');
  await expect(welshPart.getByLabel('Message')).toHaveAttribute('lang', 'cy');
  await expect(welshPart.getByLabel('Subject')).toHaveValue('');

  const subjectEn = `Panel meeting ${tag}`;
  const messageEn = 'Tuesday 7pm at Parkside.';
  const subjectCy = `Cyfarfod y panel ${tag}`;
  const messageCy = 'Nos Fawrth am 7yh ym Mharc-ochr.';
  await englishPart.getByLabel('Subject').fill(subjectEn);
  await englishPart.getByLabel('Message').fill(messageEn);
  await page.getByRole('button', { name: 'Preview' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check the invitation');
  await expect(page.locator('main')).toContainText('2 by email, 0 by text message.');
  const warning = page.getByRole('alert');
  await expect(warning).toContainText('1 person chose Cymraeg but there is no Cymraeg version');
  await expect(page.locator('main')).toContainText(messageEn);

  // Back to the form, the Welsh version written too.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Write an invitation');
  await englishPart.getByLabel('Subject').fill(subjectEn);
  await englishPart.getByLabel('Message').fill(messageEn);
  await welshPart.getByLabel('Subject').fill(subjectCy);
  await welshPart.getByLabel('Message').fill(messageCy);
  await page.getByRole('button', { name: 'Preview' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check the invitation');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('main')).not.toContainText('there is no');
  await expect(page.getByRole('heading', { level: 2, name: 'Cymraeg (1 person)' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'English (1 person)' })).toBeVisible();
  await expect(page.locator('main pre[lang="cy"]')).toHaveText(messageCy);

  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page).toHaveURL(/\/admin\/recruits\?invited=2&without_email=0$/);
  await expect(page.getByRole('status').filter({ hasText: 'Invitation queued' }))
    .toHaveText('Invitation queued for 2 people (0 selected have no email address).');

  // Each person is sent their own language's version.
  await expect.poll(() => outboxMail(cy.email, subjectCy).length, { message: 'the Welsh invitation reaches the outbox', timeout: 15_000 })
    .toBe(1);
  await expect.poll(() => outboxMail(en.email, subjectEn).length, { message: 'the English invitation reaches the outbox', timeout: 15_000 })
    .toBe(1);
  expect(outboxMail(cy.email, subjectEn), 'the Welsh speaker is not sent the English version').toEqual([]);
  expect(outboxMail(en.email, subjectCy), 'the English speaker is not sent the Welsh version').toEqual([]);
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});
