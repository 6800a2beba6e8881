// Browser tests against the release build, in Debian's chromium (never a downloaded browser).
// .ci/test sets SCRUTINY_BIN (the server binary) and E2E_PORT; the server runs on a fresh
// SQLite file in a temp folder. A second server, one port up, is a "Welsh force"
// (SCRUTINY_DEFAULT_LANGUAGE=cy) on its own fresh SQLite file (tests/languages.spec.mjs).
import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const port = process.env.E2E_PORT || '3197';
const bin = process.env.SCRUTINY_BIN || resolve('../target/release/scrutiny');
// Shared with the tests (they read confirmation emails from the outbox folder).
const dataDir = process.env.E2E_DATA_DIR || mkdtempSync(join(tmpdir(), 'scrutiny-e2e-'));
process.env.E2E_DATA_DIR = dataDir;
export const baseURL = `http://127.0.0.1:${port}`;
// The Welsh force: same binary, Welsh before anyone chooses a language, no admin account.
const welshPort = String(Number(port) + 1);
const welshDataDir = process.env.E2E_WELSH_DATA_DIR || mkdtempSync(join(tmpdir(), 'scrutiny-e2e-cy-'));
process.env.E2E_WELSH_DATA_DIR = welshDataDir;
export const welshBaseURL = `http://127.0.0.1:${welshPort}`;
process.env.E2E_WELSH_BASE_URL = welshBaseURL;
export const adminEmail = 'e2e-admin@test.example';
export const adminPassword = 'e2e correct horse battery';
process.env.E2E_ADMIN_EMAIL = adminEmail;
process.env.E2E_ADMIN_PASSWORD = adminPassword;

const chromium = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  retries: 0,
  // Two at once (E2E_WORKERS to change): the spec files make their own batches, people and
  // meetings, so they can share the server; 3.7 min instead of 4.7 on 2 cores.
  workers: Number(process.env.E2E_WORKERS || 2),
  reporter: [['list']],
  use: { baseURL, launchOptions: chromium, trace: 'off' },
  // Each journey at the size of the person whose journey it is; pages checked at both sizes
  // only where the size changes what is checked. The searched person's journeys (sign-up,
  // Enter key and Back, languages of the public pages, phone-only sign-up; tag @phone or
  // phone.spec) run on a 360 px phone: their forms behave the same at any width, and the
  // 320 px checks set their own width. The coordinator's and chair's (card and export
  // downloads, bilingual batches, invitations, meetings; tag @desk or downloads.spec) run at
  // desktop size. The dashboard pages (foundation.spec) and the axe scans of the public
  // pages run at both. Line 2 is bound by the 2 cores: the journeys twice cost ~150 s of
  // browser time in every run.
  projects: [
    { name: 'desktop', testIgnore: /phone\.spec/, grepInvert: /@phone/, use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } } },
    { name: 'mobile-360', testIgnore: /downloads\.spec/, grepInvert: /@desk/, use: { browserName: 'chromium', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } },
  ],
  webServer: [{
    // A fresh database with one admin account, then the server.
    command: `sh -c '"${bin}" user add --email ${adminEmail} --role admin && exec "${bin}" serve'`,
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    cwd: resolve('..'),
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT || resolve('../target/site'),
      DATABASE_URL: `sqlite://${dataDir}/scrutiny.db`,
      SCRUTINY_DATA_DIR: dataDir,
      RUST_LOG: 'warn',
      SCRUTINY_MIN_FILL_SECONDS: '0',
      SCRUTINY_PASSWORD: adminPassword,
      SCRUTINY_MAIL_POLL_SECONDS: '1',
    },
  }, {
    // The Welsh force: a fresh database (created by `serve`), Welsh as the default language.
    command: `exec "${bin}" serve`,
    url: `${welshBaseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    cwd: resolve('..'),
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${welshPort}`,
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT || resolve('../target/site'),
      DATABASE_URL: `sqlite://${welshDataDir}/scrutiny.db`,
      SCRUTINY_DATA_DIR: welshDataDir,
      RUST_LOG: 'warn',
      SCRUTINY_MIN_FILL_SECONDS: '0',
      SCRUTINY_MAIL_POLL_SECONDS: '1',
      SCRUTINY_DEFAULT_LANGUAGE: 'cy',
    },
  }],
});
