// Every file the coordinator dashboard offers, downloaded by clicking the real link or
// button in Chromium, saved, and checked byte by byte.
//
// Why through the browser and not page.request: a real browser sends
// `Accept-Encoding: gzip, deflate, br, …`, and the print files once came back as a 200
// with an EMPTY body under the compression layer. Each check below therefore also asserts
// the browser asked for compression and that the saved file is not empty.
//
// Needs poppler-utils (pdfinfo, pdftotext, pdftoppm); zbar-tools (zbarimg) is used to
// decode QR codes when it is installed. `.ci/setup test` installs both.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { signIn } from './helpers.mjs';

// 25 cards: three A4 sheets, the last one half full (see the layout notes below).
const CARDS = 25;
// src/cards/print.rs: `COLS = 2`, `ROWS = 5`, `PER_SHEET = COLS * ROWS`, and
// `Layout::page_count`: A4 = 2 * ceil(cards / PER_SHEET) (a fronts page, then a page of
// mirrored backs, per sheet); CR80 = 2 * cards (one card-sized page per side: front, back).
const PER_SHEET = 10;
const A4_PAGES = 2 * Math.ceil(CARDS / PER_SHEET); // 6
const CR80_PAGES = 2 * CARDS; // 50

const zbarimg = spawnSync('zbarimg', ['--version']).status === 0;

/** Runs a command and returns its stdout; fails the test with stderr if it does not exit 0. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  expect(r.error, `${cmd} must be installed (poppler-utils / zbar-tools)`).toBeUndefined();
  expect(r.status, `${cmd} ${args.join(' ')} failed: ${r.stderr}`).toBe(0);
  return r;
}

/**
 * Clicks `trigger`, waits for the browser's download, saves it under the test's output
 * folder and returns it with its bytes. Checks what every download must be: asked for
 * with compression (the condition the original bug needed), finished, and not empty.
 */
async function download(page, trigger, urlPart, info) {
  const request = page.waitForRequest((r) => r.url().includes(urlPart));
  const [file] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
  expect(file.url()).toContain(urlPart);
  const acceptEncoding = await (await request).headerValue('accept-encoding');
  expect(acceptEncoding, `the browser's Accept-Encoding for ${urlPart}`).toMatch(/\bgzip\b/);
  expect(await file.failure(), `download of ${urlPart} failed in the browser`).toBeNull();
  const path = info.outputPath(`${info.project.name}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  const bytes = readFileSync(path);
  expect(bytes.length, `${urlPart} was downloaded with an EMPTY body`).toBeGreaterThan(0);
  return { file, path, bytes };
}

/** Orders a batch of `count` cards on the dashboard; returns its id and the codes shown. */
async function newBatch(page, label, count = CARDS) {
  await signIn(page);
  await page.goto('/admin/cards/new');
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Number of cards').fill(String(count));
  await page.getByRole('button', { name: 'Create batch' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(label);
  const id = page.url().match(/\/admin\/cards\/(\d+)$/)[1];
  const items = page.locator('.codes li');
  await expect(items.first()).toBeVisible();
  const codes = (await page.locator('.codes code').allTextContents()).map((c) => c.trim());
  // "CODE – QR code (SVG) for <card URL>": the URL the server puts in each QR code.
  const firstUrl = (await items.first().textContent()).match(/ for (\S+)\s*$/)[1];
  return { id, codes, firstUrl };
}

/** Checks a saved print file with poppler and returns its text. */
function expectPdf(d, pages, pageSize) {
  expect(d.bytes.subarray(0, 5).toString('latin1'), 'a PDF starts with %PDF-').toBe('%PDF-');
  expect(d.bytes.subarray(-64).toString('latin1'), 'a PDF ends with %%EOF').toMatch(/%%EOF\s*$/);
  const r = run('pdfinfo', [d.path]);
  expect(r.stderr, 'pdfinfo found problems in the file').toBe('');
  expect(r.stdout.match(/^Pages:\s+(\d+)$/m)?.[1], `page count of ${d.path}`).toBe(String(pages));
  expect(r.stdout.match(/^Page size:\s+(.*)$/m)?.[1]).toMatch(pageSize);
  return run('pdftotext', [d.path, '-']).stdout;
}

/** Decodes the only QR code in a PNG with zbarimg. */
function decodeQr(png) {
  return run('zbarimg', ['--raw', '-q', png]).stdout.trim();
}

test.describe('card batch downloads', () => {
  test('A4 print file: 10 cards a sheet, fronts then backs, every card on it', async ({ page }, info) => {
    const label = `Downloads A4 ${info.project.name}`;
    const batch = await newBatch(page, label);
    const link = page.getByRole('link', { name: 'A4 sheets, 10 cards per sheet (PDF)' });
    await expect(link).toHaveAttribute('href', `/admin/cards/${batch.id}/cards-a4.pdf`);
    const d = await download(page, link, `/admin/cards/${batch.id}/cards-a4.pdf`, info);
    expect(d.file.suggestedFilename()).toBe(`batch-${batch.id}-a4.pdf`);
    const text = expectPdf(d, A4_PAGES, /^595\.2\d* x 841\.8\d* pts \(A4\)$/);
    // One back per card, each with its code.
    expect(text.match(/Card code:/g)?.length).toBe(CARDS);
    for (const code of batch.codes) expect(text).toContain(code);
  });

  test('CR80 print file: one card-sized page per side, QR code of the first card decodes', async ({ page }, info) => {
    const label = `Downloads CR80 ${info.project.name}`;
    const batch = await newBatch(page, label);
    const link = page.getByRole('link', { name: 'Card printer, one card per page (PDF)' });
    await expect(link).toHaveAttribute('href', `/admin/cards/${batch.id}/cards-cr80.pdf`);
    const d = await download(page, link, `/admin/cards/${batch.id}/cards-cr80.pdf`, info);
    expect(d.file.suggestedFilename()).toBe(`batch-${batch.id}-cr80.pdf`);
    // 85.6 x 54 mm = 242.646 x 153.071 pt.
    const text = expectPdf(d, CR80_PAGES, /^242\.6\d* x 153\.0\d* pts$/);
    expect(text.match(/Card code:/g)?.length).toBe(CARDS);
    for (const code of batch.codes) expect(text).toContain(code);
    if (zbarimg) {
      // Page 2 is the first card's back.
      const prefix = info.outputPath(`${info.project.name}-cr80-page2`);
      run('pdftoppm', ['-r', '300', '-f', '2', '-l', '2', '-singlefile', '-png', d.path, prefix]);
      expect(decodeQr(`${prefix}.png`)).toBe(batch.firstUrl);
    } else {
      info.annotations.push({ type: 'skipped check', description: 'zbarimg not installed: QR not decoded' });
    }
  });

  test('QR code image of a card: an SVG that decodes to the card URL', async ({ page }, info) => {
    const batch = await newBatch(page, `Downloads QR ${info.project.name}`, 3);
    const code = batch.codes[0];
    const path = `/admin/cards/${batch.id}/qr/${code}.svg`;
    const link = page.locator('.codes li').first().getByRole('link', { name: 'QR code (SVG)' });
    await expect(link).toHaveAttribute('href', path);
    // Served inline (no Content-Disposition), so the click opens it rather than
    // downloading it: take the bytes from the browser's own response.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(path)),
      link.click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    expect(await response.request().headerValue('accept-encoding')).toMatch(/\bgzip\b/);
    const body = await response.body();
    expect(body.length, 'the QR SVG was received with an empty body').toBeGreaterThan(0);
    const svg = body.toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('<path');
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
    // The browser rendered it as an image document.
    await expect(page.locator('svg')).toBeVisible();
    const saved = info.outputPath(`${info.project.name}-${code}.svg`);
    writeFileSync(saved, body);
    if (zbarimg) {
      // Rendered by Chromium, large enough for zbar, from the bytes received (setContent
      // needs an HTML document, so leave the SVG one first).
      await page.goto('about:blank');
      await page.setContent(`<img alt="" width="400" height="400" src="data:image/svg+xml;base64,${body.toString('base64')}">`);
      const png = info.outputPath(`${info.project.name}-${code}.png`);
      await page.locator('img').screenshot({ path: png });
      expect(decodeQr(png)).toBe(batch.firstUrl);
    } else {
      info.annotations.push({ type: 'skipped check', description: 'zbarimg not installed: QR not decoded' });
    }
  });
});

/** Signs one person up from a card (the short way: no equality questions); returns them. */
async function signUp(page, info, what) {
  const batch = await newBatch(page, `Downloads ${what} ${info.project.name}`, 3);
  const name = `Dana ${what} ${info.project.name}`;
  const email = `e2e-dl-${what.toLowerCase()}-${info.project.name}-${Date.now()}@example.org`;
  await page.goto(`/j/${batch.codes[0]}/join`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who can join');
  await page.getByLabel('25 to 34').check();
  await page.getByLabel('I work here').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('About you');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email address (optional)').fill(email);
  await page.getByLabel('By email').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('No, skip these questions').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before you send them');
  await page.getByRole('button', { name: 'Accept and send' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');
  return { name, email, batchLabel: `Downloads ${what} ${info.project.name}` };
}

/** Finds the person on the recruits page with the search box. */
async function searchRecruits(page, email) {
  await page.goto('/admin/recruits');
  await page.getByRole('searchbox', { name: 'Search' }).fill(email);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('status')).toHaveText('1 recruits match. Showing 1 to 1.');
}

test.describe('recruit downloads', () => {
  test('CSV export of the recruits the filter matches: header row and the person', async ({ page }, info) => {
    const person = await signUp(page, info, 'CSV');
    await searchRecruits(page, person.email);
    await page.getByText('Export these recruits to a spreadsheet (CSV)').click();
    // Name, Email and Status are ticked already; add the card batch.
    await expect(page.locator('#col-name')).toBeChecked();
    await expect(page.locator('#col-email')).toBeChecked();
    await expect(page.locator('#col-status')).toBeChecked();
    await page.locator('#col-batch').check();
    const d = await download(page, page.getByRole('button', { name: 'Download CSV' }), '/admin/recruits/export.csv?', info);
    expect(d.file.suggestedFilename()).toBe('recruits.csv');
    // Cells are quoted and lines end in CRLF (src/recruits/export.rs); columns in the
    // order of export_columns(); the status is its code.
    expect(d.bytes.toString('utf8')).toBe(
      '"Name","Email","Status","Card batch"\r\n'
      + `"${person.name}","${person.email}","new","${person.batchLabel}"\r\n`,
    );
  });

  test('subject access JSON from the person\'s page holds their details', async ({ page }, info) => {
    const person = await signUp(page, info, 'JSON');
    await searchRecruits(page, person.email);
    await page.getByRole('link', { name: person.name }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(person.name);
    // The person's page fits a 360 px screen (it once did not: a long email address).
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(page.viewportSize().width);
    const id = page.url().match(/\/admin\/recruits\/([A-Za-z0-9_-]+)$/)[1];
    const link = page.getByRole('link', { name: 'Download everything held about this person (JSON)' });
    await expect(link).toHaveAttribute('href', `/admin/recruits/${id}/export.json`);
    const d = await download(page, link, `/admin/recruits/${id}/export.json`, info);
    expect(d.file.suggestedFilename()).toBe(`subject-access-${id}.json`);
    const json = JSON.parse(d.bytes.toString('utf8'));
    expect(json.about).toBe('Everything the community scrutiny panel holds about this person.');
    expect(json.person).toMatchObject({
      public_id: id,
      name: person.name,
      email: person.email,
      contact_method: 'email',
      age_band: '25-34',
      status: 'new',
      batch: person.batchLabel,
      equality: null,
    });
    // The confirmation email queued at sign-up is part of what is held.
    expect(json.person.emails.map(([kind]) => kind)).toContain('confirm');
  });
});
