import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';
import { TOPICS } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import { ROOT, waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

/** Debian's Chromium (scripts/lib.mjs ensureChromium installs it with apt when missing). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Where the pages' screenshots go: docs/console/ for `npm run console:screenshots`, else .local/. */
const SHOTS = process.env.CONSOLE_SCREENSHOTS || join(ROOT, '.local', 'console-screenshots');

const PRIMARY_DOMAIN = 'acme.example.com';
const SUB_DOMAIN = 'eu.acme.example.com';

type Account = { id: string; api_key: string; signing_key: string };

/**
 * What the browser reported as errors. Chromium reports each API answer of 4xx to fetch as a console error
 * ("Failed to load resource"); the tests provoke some on purpose (a wrong key, refused forms, the rate
 * limit), so those are kept apart. Anything else is a script error.
 */
class BrowserErrors {
  readonly scriptErrors: string[] = [];
  readonly refusedCalls: string[] = [];

  watch(page: Page): void {
    page.on('pageerror', (err) => this.scriptErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() !== 'error' && msg.type() !== 'warning') return;
      const where = msg.location().url;
      const refused = /^Failed to load resource: the server responded with a status of 4\d\d/.test(
        msg.text(),
      );
      if (refused && /\/v\d\//.test(new URL(where || 'http://x/').pathname)) {
        this.refusedCalls.push(`${msg.text()} ${new URL(where).pathname}`);
      } else {
        this.scriptErrors.push(`console.${msg.type()}: ${msg.text()} (${where})`);
      }
    });
  }
}

describe('the web console in Chromium against the real stack (Kafka, PostgreSQL, every service)', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: ApiClient;
  let acme: Account;
  let acmeEu: Account;
  const errors = new BrowserErrors();

  const shot = (name: string, target: Page = page) =>
    target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  const row = (text: string, within: Page | Locator = page) =>
    within.getByRole('row').filter({ hasText: text });

  const newPage = async (viewport = { width: 1280, height: 860 }) => {
    const ctx = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
    const p = await ctx.newPage();
    errors.watch(p);
    return { ctx, p };
  };

  const signIn = async (target: Page, key: string) => {
    await target.goto(`${system.api}/`);
    await target.getByLabel('API key').fill(key);
    await target.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: npm test installs Debian's chromium (or set CHROMIUM_PATH)`);
    }
    mkdirSync(SHOTS, { recursive: true });
    receiver = await new Receiver().start();
    receiver.respond = (req) => (req.path.startsWith('/fail') ? 500 : 200);
    receiver.replyBody = (req) => (req.path.startsWith('/fail') ? 'upstream exploded' : 'thanks, got it');
    system = await TestSystem.start({ env: { RETRY_SCHEDULE: '1s' } });
    api = new ApiClient(system.api);
    acme = (await system.admin('/internal/v1/accounts', { name: 'Acme' })) as unknown as Account;
    acmeEu = (await system.admin('/internal/v1/accounts', {
      name: 'Acme EU',
      parent_account_id: acme.id,
    })) as unknown as Account;
    await system.admin('/internal/v1/domains', { name: PRIMARY_DOMAIN, account_id: acme.id });
    await system.admin('/internal/v1/domains', { name: SUB_DOMAIN, account_id: acmeEu.id });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root there is no sandbox; the rest keeps Chromium off the (closed) network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
    });
    ({ ctx: context, p: page } = await newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('serves the page at / (never cached) and its hashed assets (cached for good), beside the API', async () => {
    const res = await fetch(`${system.api}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(
      assets.some((a) => /\/assets\/index-[\w-]{8,}\.js$/.test(a)),
      html,
    );
    for (const asset of assets) {
      const file = await fetch(`${system.api}${asset}`);
      assert.equal(file.status, 200, asset);
      assert.equal(file.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
    }
    const missing = await fetch(`${system.api}/assets/index-missing.js`);
    assert.equal(missing.status, 404);

    // The API's own routes are untouched.
    assert.equal((await fetch(`${system.api}/openapi.json`)).status, 200);
    assert.equal((await fetch(`${system.api}/healthz`)).status, 200);
    const anonymous = await api.call('GET', '/v4/domains');
    expectEqual([anonymous.status, anonymous.body], [401, { message: 'Invalid private key' }]);
  });

  it('refuses a wrong key with a message that says the key is invalid', async () => {
    await signIn(page, 'key-not-a-real-one');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /API key is invalid/);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    await shot('sign-in');
  });

  it("signs in with the key, kept in the tab's session storage only; the picker offers the subaccount's domain, named", async () => {
    await signIn(page, acme.api_key);
    await tab('Webhooks').waitFor();
    for (const name of ['Webhooks', 'Failure logs', 'Settings', 'Security']) await tab(name).waitFor();
    const options = await page.getByLabel('Domain').locator('option').allInnerTexts();
    expectEqual(options, [PRIMARY_DOMAIN, `${SUB_DOMAIN} (Acme EU)`]);

    expectEqual(
      // (a string: the page's globals, not this Node's)
      await page.evaluate(`({
        session: Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)]),
        local: localStorage.length,
        cookie: document.cookie,
      })`),
      { session: [['hookpost.apiKey', acme.api_key]], local: 0, cookie: '' },
    );
    expectEqual(await context.cookies(), []);
    assert.ok(!page.url().includes(acme.api_key));
  });

  it('adds, tests and deletes a webhook; what the API refuses is said next to the form', async () => {
    await tab('Webhooks').click();
    await page.getByText('No webhooks on this domain yet').waitFor();
    const ok = receiver.url('/first');

    await page.getByRole('button', { name: 'Add webhook' }).click();
    let form = page.getByRole('form', { name: `New webhook for ${PRIMARY_DOMAIN}` });
    await form.getByLabel('Event type').selectOption('clicked');
    await form.getByLabel('URL').fill(ok);
    await form.getByRole('button', { name: 'Save' }).click();
    await row(ok).waitFor();
    expectEqual((await api.as(acme.api_key).call('GET', `/v3/domains/${PRIMARY_DOMAIN}/webhooks`)).body, {
      webhooks: { clicked: { urls: [ok] } },
    });

    await row(ok).getByRole('button', { name: 'Test' }).click();
    const result = row(ok).getByRole('status');
    await result.waitFor();
    assert.equal(await result.innerText(), 'Test: HTTP 200: thanks, got it');
    const [sample] = await receiver.waitFor('/first', 1);
    const body = JSON.parse(sample.body) as { 'event-data': { event: string; domain: { name: string } } };
    expectEqual([body['event-data'].event, body['event-data'].domain.name], ['clicked', PRIMARY_DOMAIN]);

    // A bad URL, then a fourth URL of an event type: the API's words, next to the form.
    await page.getByRole('button', { name: 'Add webhook' }).click();
    form = page.getByRole('form', { name: `New webhook for ${PRIMARY_DOMAIN}` });
    await form.getByLabel('Event type').selectOption('clicked');
    await form.getByLabel('URL').fill('not a url');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'Invalid URL: not a url' }).waitFor();
    for (const path of ['/second', '/third']) {
      await form.getByLabel('URL').fill(receiver.url(path));
      await form.getByRole('button', { name: 'Save' }).click();
      await row(receiver.url(path)).waitFor();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      form = page.getByRole('form', { name: `New webhook for ${PRIMARY_DOMAIN}` });
      await form.getByLabel('Event type').selectOption('clicked');
    }
    await form.getByLabel('URL').fill(receiver.url('/fourth'));
    await form.getByRole('button', { name: 'Save' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.equal(
      await refused.innerText(),
      'Webhook clicked already has 3 URLs; a webhook may have at most 3',
    );
    assert.equal(await form.getByLabel('URL').getAttribute('aria-invalid'), 'true');
    await shot('webhooks-form-error');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // An account-level webhook, in its own section.
    await page.getByRole('button', { name: 'Add account webhook' }).click();
    const accountForm = page.getByRole('form', { name: 'New account webhook' });
    await accountForm.getByLabel('URL').fill(receiver.url('/all-domains'));
    await accountForm.getByLabel('delivered').check();
    await accountForm.getByLabel('permanent_fail').check();
    await accountForm.getByLabel('Description').fill('Data warehouse');
    await accountForm.getByRole('button', { name: 'Save' }).click();
    await row(receiver.url('/all-domains')).waitFor();
    const accountHooks = (await api.as(acme.api_key).call('GET', '/v1/webhooks')).body as {
      webhooks: Array<{ url: string; event_types: string[]; description: string }>;
    };
    expectEqual(
      accountHooks.webhooks.map(({ url, event_types, description }) => ({ url, event_types, description })),
      [
        {
          url: receiver.url('/all-domains'),
          event_types: ['delivered', 'permanent_fail'],
          description: 'Data warehouse',
        },
      ],
    );
    await shot('webhooks');

    // Delete asks first; the dialog's Delete removes the URL from its event type, the others stay.
    await row(ok).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(ok).waitFor({ state: 'detached' });
    await row(receiver.url('/second')).waitFor();
    expectEqual((await api.as(acme.api_key).call('GET', `/v3/domains/${PRIMARY_DOMAIN}/webhooks`)).body, {
      webhooks: { clicked: { urls: [receiver.url('/second'), receiver.url('/third')] } },
    });
  });

  it('shows a failure produced through Kafka (an endpoint answering 500) in Failure logs, and resends it', async () => {
    const fail = receiver.url('/fail');
    const hooked = await api
      .as(acme.api_key)
      .call('POST', `/v3/domains/${PRIMARY_DOMAIN}/webhooks`, { form: { id: 'permanent_fail', url: fail } });
    assert.equal(hooked.status, 200, JSON.stringify(hooked.body));
    await system.configPropagated();
    const event = structuredClone(seedEvent('permanent_fail')) as Record<string, unknown>;
    event.id = 'evt-console-1';
    event.domain = { name: PRIMARY_DOMAIN };
    (event.message as { headers: Record<string, string> }).headers['message-id'] =
      'evt-console-1@mail.example';
    await system.produce(TOPICS.mailEvents, JSON.stringify(event));
    // Two attempts (the schedule is one retry), then the delivery is given up on: a final failure.
    await receiver.waitFor('/fail', 2);

    await tab('Failure logs').click();
    const table = page.getByRole('table', { name: /Failed webhook deliveries/ });
    const finalRow = table
      .getByRole('row')
      .filter({ hasText: fail })
      .filter({ has: page.getByRole('button', { name: 'Resend' }) });
    await waitFor(
      async () => {
        if ((await finalRow.count()) > 0) return true;
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.getByRole('button', { name: 'Refresh' }).isEnabled();
        return false;
      },
      30_000,
      'the final failure in the Failure logs tab',
      500,
    );
    const rows = await table.getByRole('row').allInnerTexts();
    // The header, then newest first: the delivery given up on, attempt 2, attempt 1.
    assert.equal(rows.length, 4, rows.join('\n'));
    assert.match(
      rows[1],
      /permanent_fail\s+given up after 2 attempt\(s\); last: HTTP 500: upstream exploded\s+3\s+Yes\s+Resend/,
    );
    assert.match(rows[2], /HTTP 500: upstream exploded\s+2\s+No/);
    assert.match(rows[3], /HTTP 500: upstream exploded\s+1\s+No/);
    await shot('failure-logs');

    await finalRow.getByRole('button', { name: 'Resend' }).click();
    await finalRow.getByRole('status').filter({ hasText: 'Resent (1 delivery).' }).waitFor();
    await receiver.waitFor('/fail', 3);

    // The filters are the API's: another event type has no failures in this range.
    await page.getByLabel('Event type').selectOption('opened');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No failures in this range').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await finalRow.first().waitFor();
  });

  it('turns PII redaction on, and the API reports it; on the subaccount it is inherited and disabled', async () => {
    await tab('Settings').click();
    const pii = page.getByLabel('Redact PII in webhooks');
    await pii.waitFor();
    assert.equal(await pii.isChecked(), false);
    await pii.check();
    await page.getByRole('status').filter({ hasText: 'PII redaction is on.' }).waitFor();
    const features = await api.as(acme.api_key).call('GET', '/v5/accounts/features');
    expectEqual((features.body as { features: Record<string, unknown> }).features.webhooks_redact_pii, {
      enabled: true,
      inherited: false,
    });
    const standard = page.getByRole('switch', { name: 'Standard Webhooks signatures' });
    assert.equal(await standard.isChecked(), false);
    await shot('settings');

    await page.getByLabel('Domain').selectOption(SUB_DOMAIN);
    await page.getByText('Acting for the subaccount').waitFor();
    const inherited = page.getByLabel('Redact PII in webhooks');
    await page.getByText('Inherited from the primary account, which has it on').waitFor();
    expectEqual([await inherited.isChecked(), await inherited.isDisabled()], [true, true]);
    await page.getByLabel('Domain').selectOption(PRIMARY_DOMAIN);
  });

  it('shows the signing key only when asked, copies it, and rotates it after confirming', async () => {
    await tab('Security').click();
    const key = page.getByRole('group', { name: 'Signing key' }).locator('code');
    await key.waitFor();
    assert.ok(!(await page.content()).includes(acme.signing_key), 'the key is not in the page before Show');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('group', { name: 'Signing key' }).getByText(acme.signing_key).waitFor();
    assert.equal(await key.innerText(), acme.signing_key);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.api });
    await page.getByRole('button', { name: 'Copy signing key' }).click();
    await page.getByRole('status').filter({ hasText: 'Signing key copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), acme.signing_key);
    await shot('security');

    await page.getByRole('button', { name: 'Rotate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing key?' });
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('status').filter({ hasText: 'New signing key generated' }).waitFor();
    const rotated = await key.innerText();
    assert.notEqual(rotated, acme.signing_key);
    const now = await api.as(acme.api_key).call('GET', '/v5/accounts/http_signing_key');
    assert.equal(now.body.http_signing_key, rotated);
  });

  it('reads well on a phone: nothing wider than the screen', async () => {
    const { ctx, p } = await newPage({ width: 390, height: 844 });
    await signIn(p, acme.api_key);
    await p.getByRole('tab', { name: 'Webhooks' }).waitFor();
    await row(receiver.url('/second'), p).waitFor();
    await row(receiver.url('/all-domains'), p).waitFor();
    await shot('webhooks-phone', p);
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    expectEqual(await p.evaluate('document.documentElement.scrollWidth - window.innerWidth'), 0);
    await ctx.close();
  });

  it("shows the API's rate limit (429) as a message", async () => {
    const busy = (await system.admin('/internal/v1/accounts', { name: 'Busy' })) as unknown as Account;
    const client = api.as(busy.api_key);
    // The account's budget (300 a minute), used up 25 requests at a time.
    const statuses: number[] = [];
    while (!statuses.includes(429) && statuses.length < 1000) {
      const batch = Array.from({ length: 25 }, () => client.call('GET', '/v5/accounts/features'));
      statuses.push(...(await Promise.all(batch)).map((r) => r.status));
    }
    assert.ok(statuses.includes(429), `no 429 in ${statuses.length} requests`);
    const { ctx, p } = await newPage();
    await signIn(p, busy.api_key);
    const alert = p.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /^Too many requests: .* Try again in \d+ s\.$/);
    await ctx.close();
  });

  it('reported no script error in the browser console (only the API refusals the tests asked for)', () => {
    expectEqual(errors.scriptErrors, []);
    assert.ok(errors.refusedCalls.some((c) => /status of 401 .*\/v5\/accounts\/features$/.test(c)));
    assert.ok(errors.refusedCalls.some((c) => /status of 400 .*\/v4\/domains\/.*\/webhooks$/.test(c)));
    assert.ok(
      errors.refusedCalls.every((c) => /status of (400|401|429) /.test(c)),
      errors.refusedCalls.join('\n'),
    );
  });
});
