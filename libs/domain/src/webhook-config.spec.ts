import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';
import {
  checkUrl,
  fieldList,
  isDomainName,
  MAX_URL_LENGTH,
  parseWebhookName,
  validateWebhookUrls,
} from './webhook-config';

describe('parseWebhookName', () => {
  for (const name of WEBHOOK_EVENT_TYPES) {
    it(`given "${name}", then it is accepted as itself`, () => {
      assert.deepEqual(parseWebhookName(name), { ok: true, value: name });
    });
  }

  it('given the mailgun.js alias "unsubscribe", then it resolves to "unsubscribed"', () => {
    assert.deepEqual(parseWebhookName('unsubscribe'), { ok: true, value: 'unsubscribed' });
  });

  describe('given a missing name, then it is required', () => {
    for (const name of [undefined, null, '', 7, ['delivered']]) {
      it(`given ${JSON.stringify(name)}`, () => {
        assert.deepEqual(parseWebhookName(name), { ok: false, message: 'Webhook name is required' });
      });
    }
  });

  describe('given a name that is not a webhook, then it is invalid and named', () => {
    for (const name of [
      'failed',
      'bounce',
      'Delivered',
      'permanent-fail',
      'delivered ',
      'toString',
      '__proto__',
    ]) {
      it(`given ${JSON.stringify(name)}`, () => {
        assert.deepEqual(parseWebhookName(name), { ok: false, message: `Invalid webhook name: ${name}` });
      });
    }
  });
});

describe('fieldList', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['an absent field', undefined, []],
    ['a null field', null, []],
    ['one value', 'https://a.example.net/', ['https://a.example.net/']],
    [
      'a repeated field',
      ['https://a.example.net/', 'https://b.example.net/'],
      ['https://a.example.net/', 'https://b.example.net/'],
    ],
    ['non-string values mixed in', ['https://a.example.net/', 5, { url: 'x' }], ['https://a.example.net/']],
    ['a number', 5, []],
  ];
  for (const [name, value, expected] of cases) {
    it(`given ${name}, then the list is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(fieldList(value), expected);
    });
  }
});

describe('validateWebhookUrls', () => {
  it('given up to three URLs, then they come back normalised in the order given', () => {
    assert.deepEqual(
      validateWebhookUrls([
        'https://B.example.net/hook?x=1',
        ' http://a.example.net ',
        'HTTPS://c.example.net:443/p',
      ]),
      {
        ok: true,
        value: ['https://b.example.net/hook?x=1', 'http://a.example.net/', 'https://c.example.net/p'],
      },
    );
  });

  it('given duplicates, including ones that only differ in spelling, then each URL is kept once', () => {
    assert.deepEqual(
      validateWebhookUrls([
        'https://a.example.net',
        'https://A.example.net/',
        'https://b.example.net/',
        'https://a.example.net',
      ]),
      { ok: true, value: ['https://a.example.net/', 'https://b.example.net/'] },
    );
  });

  const rejected: Array<[string, string[], string]> = [
    ['no URL', [], 'url is required'],
    [
      'four distinct URLs',
      [
        'https://a.example.net/',
        'https://b.example.net/',
        'https://c.example.net/',
        'https://d.example.net/',
      ],
      'A webhook may have at most 3 URLs',
    ],
    ['an ftp URL', ['ftp://files.example.net/'], 'URL must use http or https: ftp://files.example.net/'],
    ['a javascript: URL', ['javascript:alert(1)'], 'URL must use http or https: javascript:alert(1)'],
    ['a file: URL', ['file:///etc/passwd'], 'URL must use http or https: file:///etc/passwd'],
    ['a relative URL', ['/hooks/mailgun'], 'Invalid URL: /hooks/mailgun'],
    ['text that is not a URL', ['not a url'], 'Invalid URL: not a url'],
    ['an empty string', [''], 'Invalid URL: '],
    ['http with no host', ['http://'], 'Invalid URL: http://'],
    [
      'user and password',
      ['https://user:pw@hooks.example.net/'],
      'URL must not carry credentials: https://user:pw@hooks.example.net/',
    ],
    [
      'a user only',
      ['https://user@hooks.example.net/'],
      'URL must not carry credentials: https://user@hooks.example.net/',
    ],
    [
      'a bad URL after good ones',
      ['https://a.example.net/', 'gopher://x.example.net/'],
      'URL must use http or https: gopher://x.example.net/',
    ],
  ];
  for (const [name, urls, message] of rejected) {
    it(`given ${name}, then it is refused with "${message}"`, () => {
      assert.deepEqual(validateWebhookUrls(urls), { ok: false, message });
    });
  }
});

describe('checkUrl', () => {
  it('given an http URL with a port and path, then it is accepted as serialised by WHATWG', () => {
    assert.deepEqual(checkUrl('http://hooks.example.net:8080/a/../b'), {
      ok: true,
      value: 'http://hooks.example.net:8080/b',
    });
  });

  const urlOf = (length: number) => {
    const base = 'https://hooks.example.net/';
    return base + 'a'.repeat(length - base.length);
  };

  it('given a URL of exactly 2,048 characters, then it is accepted unchanged', () => {
    assert.equal(MAX_URL_LENGTH, 2048);
    assert.deepEqual(checkUrl(urlOf(2048)), { ok: true, value: urlOf(2048) });
  });

  it('given a URL of 2,049 characters, then it is refused with a message that says the limit', () => {
    assert.deepEqual(checkUrl(urlOf(2049)), { ok: false, message: 'URL must be at most 2048 characters' });
  });

  it('given a URL within the limit that grows past it once normalised (percent-encoding), then it is refused', () => {
    const raw = `https://hooks.example.net/${'é'.repeat(1000)}`;
    assert.ok(raw.length <= 2048);
    assert.deepEqual(checkUrl(raw), { ok: false, message: 'URL must be at most 2048 characters' });
  });

  it('given a very long string, then it is refused before it is parsed', () => {
    assert.equal(checkUrl(`https://x.example/${'a'.repeat(60_000)}`).ok, false);
  });
});

describe('isDomainName', () => {
  const cases: Array<[string, boolean]> = [
    ['sample.mailgun.com', true],
    ['mg.example.co.uk', true],
    ['Sample.MailGun.com', true],
    ['a-b.example.com', true],
    ['xn--bcher-kva.example', true],
    ['1.2.3.example', true],
    [`${'a'.repeat(63)}.com`, true],
    [`${'a.'.repeat(125)}com`, true],
    ['localhost', false],
    ['10.0.0.1', false],
    ['192.168.1.20', false],
    ['', false],
    ['-bad.example.com', false],
    ['bad-.example.com', false],
    ['a..example.com', false],
    ['.example.com', false],
    ['example.com.', false],
    ['exa mple.com', false],
    ['under_score.example.com', false],
    ['bücher.example', false],
    ['example.com/path', false],
    [`${'a'.repeat(64)}.com`, false],
    [`${'a.'.repeat(126)}com`, false],
  ];
  for (const [name, expected] of cases) {
    it(`given ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}, then it is ${expected ? '' : 'not '}a domain name`, () => {
      assert.equal(isDomainName(name), expected);
    });
  }
});
