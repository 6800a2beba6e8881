// The phone-only journey, with JavaScript off, through a local stand-in for GOV.UK Notify.
//
// The spec starts its own scrutiny server (the one from playwright.config.mjs has no text
// service) configured for Notify at a stand-in on 127.0.0.1 that checks each request the
// way Notify does (https://docs.notifications.service.gov.uk/rest-api.html): an HS256 JWT
// in `Authorization: Bearer`, signed with the API key's secret over "header.claims"
// (base64url, no padding), `iss` = the service id, `iat` within 30 seconds of now; a UUID
// template_id; a phone number in international form; a string personalisation body. It
// answers 201 with Notify's response body and keeps every message for the tests to read.
import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = process.env.SCRUTINY_BIN || resolve('../target/release/scrutiny');
const SITE_ROOT = process.env.LEPTOS_SITE_ROOT || resolve('../target/site');
const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const API_KEY = `scrutiny_test-${SERVICE_ID}-${SECRET}`;
const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const EMAIL_TEMPLATE = '0c6ee6a4-5cc0-4c0a-9a3b-0f1e5ad1c8b2';
const ADMIN_EMAIL = 'x@test.example';
const ADMIN_PASSWORD = 'phone spec correct horse battery';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------
// The Notify stand-in.

/** Checks the bearer token as Notify does; returns an error message, or null if it is good. */
function jwtProblem(authorization) {
  const m = /^Bearer (\S+)$/.exec(authorization || '');
  if (!m) return 'Unauthorized: authentication token must be provided';
  const parts = m[1].split('.');
  if (parts.length !== 3) return 'Invalid token: not a JWT';
  const [h, c, sig] = parts;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return 'Invalid token: undecodable';
  }
  if (header.alg !== 'HS256') return `Invalid token: algorithm ${header.alg}`;
  if (/=/.test(`${h}${c}${sig}`)) return 'Invalid token: padded base64';
  if (claims.iss !== SERVICE_ID) return 'Invalid token: service id';
  const expected = createHmac('sha256', SECRET).update(`${h}.${c}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'Invalid token: signature, api token not found';
  }
  if (!Number.isInteger(claims.iat) || Math.abs(Date.now() / 1000 - claims.iat) > 30) {
    return 'Error: Your system clock must be accurate to within 30 seconds';
  }
  return null;
}

/** Starts the stand-in; resolves to { url, messages, refused, close }. */
async function startNotify() {
  const messages = [];
  const refused = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      const answer = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const fail = (status, error, message) => {
        refused.push({ path: req.url, status, error, message });
        answer(status, { status_code: status, errors: [{ error, message }] });
      };
      const kind = { '/v2/notifications/sms': 'sms', '/v2/notifications/email': 'email' }[req.url];
      if (req.method !== 'POST' || !kind) return fail(404, 'NotFound', `${req.method} ${req.url}`);
      const auth = jwtProblem(req.headers.authorization);
      if (auth) return fail(403, 'AuthError', auth);
      if (!/^application\/json\b/.test(req.headers['content-type'] || '')) {
        return fail(400, 'BadRequestError', 'Content-Type must be application/json');
      }
      let body;
      try { body = JSON.parse(raw); } catch { return fail(400, 'BadRequestError', 'Invalid JSON supplied in POST data'); }
      if (typeof body.template_id !== 'string' || !UUID.test(body.template_id)) {
        return fail(400, 'ValidationError', 'template_id is not a valid UUID');
      }
      if (typeof body.personalisation?.body !== 'string') {
        return fail(400, 'BadRequestError', 'Missing personalisation: body');
      }
      if (body.reference !== undefined && typeof body.reference !== 'string') {
        return fail(400, 'ValidationError', 'reference is not a string');
      }
      if (kind === 'sms') {
        const phone = body.phone_number;
        const digits = typeof phone === 'string' ? phone.slice(1).replace(/\D/g, '') : '';
        if (typeof phone !== 'string' || !phone.startsWith('+') || digits.length < 8 || digits.length > 15
            || /[^\d]/.test(phone.slice(1))) {
          return fail(400, 'ValidationError', 'phone_number Not a valid international number');
        }
      } else {
        if (typeof body.email_address !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email_address)) {
          return fail(400, 'ValidationError', 'email_address Not a valid email address');
        }
        if (typeof body.personalisation.subject !== 'string') {
          return fail(400, 'BadRequestError', 'Missing personalisation: subject');
        }
      }
      const id = randomUUID();
      messages.push({ id, kind, at: Date.now(), ...body });
      const base = 'https://api.notifications.service.gov.uk';
      answer(201, {
        id,
        reference: body.reference ?? null,
        content: kind === 'sms'
          ? { body: body.personalisation.body, from_number: 'GOVUK' }
          : { body: body.personalisation.body, subject: body.personalisation.subject, from_email: 'panel@notifications.service.gov.uk' },
        uri: `${base}/v2/notifications/${id}`,
        template: { id: body.template_id, version: 1, uri: `${base}/v2/template/${body.template_id}` },
      });
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    messages,
    refused,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}

// ---------------------------------------------------------------------------------------
// Our own scrutiny server, configured for Notify.

async function freePort() {
  const s = createNetServer();
  await new Promise((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

async function startScrutiny(notifyUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'scrutiny-phone-'));
  const port = await freePort();
  const env = {
    ...process.env,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: SITE_ROOT,
    DATABASE_URL: `sqlite://${dir}/db.sqlite`,
    SCRUTINY_DATA_DIR: dir,
    SCRUTINY_MIN_FILL_SECONDS: '0',
    SCRUTINY_MAIL_POLL_SECONDS: '1',
    RUST_LOG: 'warn',
    SCRUTINY_NOTIFY_API_KEY: API_KEY,
    SCRUTINY_NOTIFY_BASE_URL: notifyUrl,
    SCRUTINY_NOTIFY_SMS_TEMPLATE: SMS_TEMPLATE,
    SCRUTINY_NOTIFY_EMAIL_TEMPLATE: EMAIL_TEMPLATE,
  };
  const add = spawnSync(BIN, ['user', 'add', '--email', ADMIN_EMAIL, '--role', 'admin'], {
    env: { ...env, SCRUTINY_PASSWORD: ADMIN_PASSWORD }, encoding: 'utf8', timeout: 60_000,
  });
  if (add.status !== 0) throw new Error(`scrutiny user add failed (${add.status}): ${add.stderr}${add.error ?? ''}`);

  let log = '';
  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = `exited with ${code ?? signal}`; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`scrutiny serve ${exited} before it was ready:\n${log}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`scrutiny serve did not answer /health within 60 s:\n${log}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return {
    base,
    log: () => log,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------

let notify;
let app;
let codes;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  notify = await startNotify();
  app = await startScrutiny(notify.url);
  // A card batch, ordered on the dashboard like a coordinator would.
  const context = await browser.newContext({ baseURL: app.base, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.getByLabel('Email address').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  await page.goto('/admin/cards/new');
  await page.getByLabel('Label').fill('Phone journeys');
  await page.getByLabel('Number of cards').fill('3');
  await page.getByRole('button', { name: 'Create batch' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Phone journeys');
  codes = (await page.locator('.codes code').allTextContents()).map((c) => c.trim());
  expect(codes.length).toBe(3);
  await context.close();
});

test.afterAll(async () => {
  await app?.stop();
  await notify?.close();
});

const PHONE = '+447700900982';

const JOURNEYS = [
  { lang: 'en', html: 'en-GB', card: 0, sms: /community scrutiny panel/, sentTitle: 'Check your text messages' },
  { lang: 'cy', html: 'cy', card: 1, sms: /Panel craffu cymunedol/, sentTitle: null },
];

for (const j of JOURNEYS) {
  test(`phone only, confirmed by a text message (${j.lang}, JavaScript off)`, async ({ browser }, info) => {
    test.setTimeout(60_000);
    const context = await browser.newContext({ baseURL: app.base, javaScriptEnabled: false });
    const page = await context.newPage();
    const scripts = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(r.url()); });
    const before = notify.messages.length;
    const go = async (locator) => {
      const loaded = page.waitForEvent('load');
      await locator.click();
      await loaded;
    };
    const cont = () => go(page.locator('#signup > button.button[name=action][value=continue]'));
    const step = () => page.locator('#signup input[type=hidden][name=step]');
    const radio = (name, value) => page.locator(`#signup input[name=${name}][value="${value}"]`);

    const code = codes[j.card];
    await page.goto(j.lang === 'en' ? `/j/${code}` : `/j/${code}?lang=${j.lang}`);
    await expect(page.locator('html')).toHaveAttribute('lang', j.html);
    await go(page.locator('a.button.start'));

    // Who can join comes first.
    await expect(step()).toHaveValue('eligibility');
    await radio('age_band', '25-34').check();
    await radio('connection', 'live').check();
    await cont();

    await expect(step(), 'no errors on Who can join').toHaveValue('about');
    await page.locator('#name').fill('Kwame Boateng');
    await expect(page.locator('#email')).toHaveValue('');
    await page.locator('#phone').fill('07700 900 982');
    await radio('contact_method', 'phone').check(); // "By phone"
    await cont();

    await expect(step(), 'no errors on About you').toHaveValue('equality-intro');
    await radio('equality', 'no').check();
    await cont();

    await expect(step()).toHaveValue('check');
    await expect(page.locator('.summary-list')).toContainText('07700 900 982');
    await go(page.locator('#signup > button.button[name=action][value=continue]')); // Accept and send

    // "Check your text messages", with the number in international form.
    await expect(page).toHaveURL(/\/signup\/sent\//);
    await expect(page.locator('html')).toHaveAttribute('lang', j.html);
    if (j.sentTitle) await expect(page.getByRole('heading', { level: 1 })).toHaveText(j.sentTitle);
    await expect(page.locator('.address')).toHaveText(PHONE);

    // One text to that number, in the person's language, with a short link.
    await expect.poll(() => notify.messages.length - before, {
      message: `a text message reaches the Notify stand-in (refused so far: ${JSON.stringify(notify.refused)})`,
      timeout: 20_000,
    }).toBeGreaterThan(0);
    const mine = notify.messages.slice(before);
    expect(notify.refused, 'the stand-in refused nothing').toEqual([]);
    expect(mine.map((m) => [m.kind, m.phone_number, m.template_id])).toEqual([['sms', PHONE, SMS_TEMPLATE]]);
    const sms = mine[0];
    expect(sms.personalisation.body).toMatch(j.sms);
    expect(sms.reference).toMatch(/^outbox-\d+$/);
    const link = sms.personalisation.body.match(/https?:\/\/[^\s/]+(\/c\/[A-Za-z0-9_-]+)/);
    expect(link, `a short /c/ link in "${sms.personalisation.body}"`).not.toBeNull();

    const response = await page.goto(link[1]);
    expect(response.status()).toBe(200);
    await expect(page.locator('html')).toHaveAttribute('lang', j.html);
    // A link from a text confirms a phone number, and says so.
    if (j.lang === 'en') await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you, your phone number is confirmed');
    else await expect(page.getByRole('heading', { level: 1 })).toHaveText("Diolch, mae eich rhif ffôn wedi'i gadarnhau");

    // What the person saw and was sent, for the report.
    info.annotations.push({ type: 'text message', description: sms.personalisation.body });
    info.annotations.push({ type: 'confirmation heading', description: await page.getByRole('heading', { level: 1 }).innerText() });
    expect(notify.messages.length - before, 'still exactly one message for this journey').toBe(1);
    expect(scripts, 'JavaScript off: no scripts requested').toEqual([]);
    await context.close();
  });
}
