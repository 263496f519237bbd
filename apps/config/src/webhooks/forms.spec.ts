import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { checkUrl, fieldList, validateWebhookUrls } from '@hookpost/domain';
import { ApiError } from '../errors';
import { featuresUpdateForm, domainUpdateForm } from '../settings/settings.schemas';
import { resendForm } from '../failure-log/failure-log.schemas';
import { parseField, parseForm } from '../validation';
import {
  accountWebhookForm,
  accountWebhookUpdateForm,
  deleteAllQuery,
  webhookIdsQuery,
} from './account-webhooks.schemas';
import {
  domainWebhookCreateForm,
  domainWebhookUrlForm,
  domainWebhookUrlsForm,
} from './domain-webhooks.schemas';
import { oneUrl, webhookName } from './forms';

/** The 400 message a form gets, or its value. */
function outcome<T>(parse: () => T): { value: T } | { message: string } {
  try {
    return { value: parse() };
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'bad_request');
    return { message: err.message };
  }
}

const refused = (message: string) => ({ message });
const URL_A = 'https://a.example.com/hook';

describe('Mailgun API forms (zod schemas over the domain checks)', () => {
  it('given a webhook name, then an event type, its alias resolved, or the domain message', () => {
    assert.deepEqual(
      outcome(() => parseField(webhookName, 'unsubscribe')),
      { value: 'unsubscribed' },
    );
    assert.deepEqual(
      outcome(() => parseField(webhookName, 'clicked')),
      { value: 'clicked' },
    );
    assert.deepEqual(
      outcome(() => parseField(webhookName, 'bounced')),
      refused('Invalid webhook name: bounced'),
    );
    for (const missing of [undefined, '', ['clicked'], 7]) {
      assert.deepEqual(
        outcome(() => parseField(webhookName, missing)),
        refused('Webhook name is required'),
      );
    }
  });

  it('given the v3 create form, then the name is checked before the URLs, and URLs are normalised once each', () => {
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookCreateForm, { url: 'x' })),
      refused('Webhook name is required'),
    );
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookCreateForm, { id: 'opened' })),
      refused('url is required'),
    );
    const urls = ['HTTPS://A.example.com/hook', URL_A, 'https://b.example.com/', 'https://c.example.com/'];
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookCreateForm, { id: 'opened', url: urls })),
      {
        value: { id: 'opened', url: [URL_A, 'https://b.example.com/', 'https://c.example.com/'] },
      },
    );
    const four = [...urls, 'https://d.example.com/'];
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookUrlsForm, { url: four })),
      refused('A webhook may have at most 3 URLs'),
    );
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookUrlsForm, { url: [URL_A, 'ftp://x.example.com/'] })),
      refused('URL must use http or https: ftp://x.example.com/'),
    );
  });

  it('given one URL, then it is required, given once, and checked', () => {
    assert.deepEqual(
      outcome(() => parseField(oneUrl, undefined)),
      refused('url is required'),
    );
    assert.deepEqual(
      outcome(() => parseField(oneUrl, [5])),
      refused('url is required'),
    );
    assert.deepEqual(
      outcome(() => parseField(oneUrl, [URL_A, URL_A])),
      refused('url must be given once'),
    );
    assert.deepEqual(
      outcome(() => parseField(oneUrl, 'not a url')),
      refused('Invalid URL: not a url'),
    );
    assert.deepEqual(
      outcome(() => parseField(oneUrl, [' https://A.example.com/hook '])),
      { value: URL_A },
    );
  });

  it('given the v4 form, then the URL before the event types, which are deduplicated', () => {
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookUrlForm, { event_types: 'x' })),
      refused('url is required'),
    );
    assert.deepEqual(
      outcome(() => parseForm(domainWebhookUrlForm, { url: URL_A, event_types: ['opened', 'bounced'] })),
      refused('Invalid event type: bounced'),
    );
    assert.deepEqual(
      outcome(() =>
        parseForm(domainWebhookUrlForm, { url: URL_A, event_types: ['unsubscribe', 'unsubscribed'] }),
      ),
      { value: { url: URL_A, event_types: ['unsubscribed'] } },
    );
  });

  it('given an account webhook, then the description is bounded and optional', () => {
    const form = { url: URL_A, event_types: 'opened' };
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookForm, form)),
      {
        value: { url: URL_A, event_types: ['opened'] },
      },
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookForm, { ...form, description: 'd'.repeat(501) })),
      refused('description must be at most 500 characters'),
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookForm, { ...form, description: ['a', 'b'] })),
      {
        value: { url: URL_A, event_types: ['opened'], description: 'a' },
      },
    );
  });

  it('given an account webhook change, then it needs one field with text, and checks only those', () => {
    const none = refused('url, event_types or description is required');
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookUpdateForm, {})),
      none,
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookUpdateForm, { url: [], event_types: 5 })),
      none,
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookUpdateForm, undefined)),
      none,
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookUpdateForm, { description: '' })),
      {
        value: { description: '' },
      },
    );
    assert.deepEqual(
      outcome(() => parseForm(accountWebhookUpdateForm, { description: 'x', event_types: 'nope' })),
      refused('Invalid event type: nope'),
    );
  });

  it('given webhook_ids and all, then a comma list of at most 100, and all only as "true"', () => {
    assert.deepEqual(
      outcome(() => parseField(webhookIdsQuery, ['a, b', ' ,c'])),
      { value: ['a', 'b', 'c'] },
    );
    assert.deepEqual(
      outcome(() => parseField(webhookIdsQuery, ' , ')),
      { value: undefined },
    );
    const many = Array.from({ length: 101 }, (_, i) => `w${i}`).join(',');
    assert.deepEqual(
      outcome(() => parseField(webhookIdsQuery, many)),
      refused('webhook_ids may name at most 100 webhooks'),
    );
    assert.deepEqual(
      outcome(() => parseField(deleteAllQuery, ['true', 'false'])),
      { value: true },
    );
    assert.deepEqual(
      outcome(() => parseField(deleteAllQuery, 'TRUE')),
      { value: false },
    );
  });

  it('given the settings forms, then booleans as forms say them and features as JSON text', () => {
    assert.deepEqual(
      outcome(() => parseForm(domainUpdateForm, { webhooks_redact_pii: ' Yes ' })),
      {
        value: { webhooks_redact_pii: true },
      },
    );
    assert.deepEqual(
      outcome(() => parseForm(domainUpdateForm, { webhooks_redact_pii: 'maybe' })),
      refused('webhooks_redact_pii must be true or false'),
    );
    assert.deepEqual(
      outcome(() => parseForm(domainUpdateForm, {})),
      refused('webhooks_redact_pii is required'),
    );
    assert.deepEqual(
      outcome(() => parseForm(featuresUpdateForm, { parent_signature: '{"enabled": false}' })),
      { value: { parent_signature: false } },
    );
    assert.deepEqual(
      outcome(() => parseForm(featuresUpdateForm, { standard_webhooks: '{"enabled": true, "x": 1}' })),
      refused('standard_webhooks must be JSON like {"enabled": true}'),
    );
    assert.deepEqual(
      outcome(() => parseForm(featuresUpdateForm, { webhooks_redact_pii: { enabled: true } })),
      refused('webhooks_redact_pii, standard_webhooks or parent_signature is required'),
    );
  });

  it('given a resend, then the URL is optional and checked when given', () => {
    assert.deepEqual(
      outcome(() => parseForm(resendForm, {})),
      { value: {} },
    );
    assert.deepEqual(
      outcome(() => parseForm(resendForm, { url: 'nope' })),
      refused('Invalid URL: nope'),
    );
  });

  it('given any URL list, then the form accepts exactly what validateWebhookUrls accepts, with its value', () => {
    const url = fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(url, { maxLength: 5 }), (urls) => {
        const checked = validateWebhookUrls(fieldList(urls));
        const parsed = outcome(() => parseForm(domainWebhookUrlsForm, { url: urls }).url);
        assert.deepEqual(parsed, checked.ok ? { value: checked.value } : { message: checked.message });
      }),
      { numRuns: 100, seed: 19 },
    );
    fc.assert(
      fc.property(url, (one) => {
        const checked = checkUrl(one);
        const parsed = outcome(() => parseField(oneUrl, one));
        assert.deepEqual(parsed, checked.ok ? { value: checked.value } : { message: checked.message });
      }),
      { numRuns: 100, seed: 19 },
    );
  });
});
