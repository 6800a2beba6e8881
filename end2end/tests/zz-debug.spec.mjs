import { test, expect } from '@playwright/test';
import { signIn } from './helpers.mjs';
test('debug recruits at 360', async ({ page }, info) => {
  await signIn(page);
  // one recruit
  await page.goto('/join?lang=en');
  await page.locator('#name').fill('Debug Person With A Long Name');
  await page.locator('#email').fill(`debug-${Date.now()}@example.org`);
  await page.locator('#signup input[name=contact_method][value=email]').check();
  const c = async () => { const l = page.waitForEvent('load'); await page.locator('#signup > button.button[name=action][value=continue]').click(); await l; };
  await c();
  await page.locator('#signup input[name=age_band][value="25-34"]').check();
  await page.locator('#signup input[name=connection][value=live]').check();
  await c();
  await page.locator('#signup input[name=equality][value=no]').check();
  await c(); await c();
  console.log(page.url());
  await page.goto('/admin/recruits');
  await page.waitForLoadState('networkidle');
  const r = await page.evaluate(() => ({ cw: document.documentElement.clientWidth, sw: document.documentElement.scrollWidth, iw: window.innerWidth, vv: window.visualViewport.scale }));
  console.log(JSON.stringify(r));
  const box = await page.locator('tbody input[type=checkbox]').first().boundingBox();
  console.log('checkbox', JSON.stringify(box));
  await page.screenshot({ path: '/tmp/recruits-360.png', fullPage: true });
  const hit = await page.evaluate(() => { const e = document.querySelector('tbody input[type=checkbox]'); const b = e.getBoundingClientRect(); const t = document.elementFromPoint(b.x + b.width/2, b.y + b.height/2); return t ? t.outerHTML.slice(0, 200) : null; });
  console.log('hit', hit);
});
