import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { basicApiKey, bearerToken, secretEquals, sha256Hex } from './credentials';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe('basicApiKey', () => {
  const cases: Array<[string, string | undefined, string | null]> = [
    [
      "Mailgun's api:<key>",
      basic('api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0'),
      'key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
    ],
    ['a key that contains a colon', basic('api:abc:def'), 'abc:def'],
    ['surrounding spaces after the scheme', `Basic  ${Buffer.from('api:k').toString('base64')}  `, 'k'],
    ['a user other than "api"', basic('admin:key-1'), null],
    ['"API" in upper case', basic('API:key-1'), null],
    ['an empty user', basic(':key-1'), null],
    ['no colon', basic('apikey-1'), null],
    ['an empty key', basic('api:'), null],
    ['no header', undefined, null],
    ['an empty header', '', null],
    ['a Bearer header', 'Bearer key-1', null],
    ['"Basic" without a space', `Basic${Buffer.from('api:k').toString('base64')}`, null],
    ['base64 that decodes to garbage', 'Basic ////', null],
  ];
  for (const [name, header, expected] of cases) {
    it(`given ${name}, then the key is ${JSON.stringify(expected)}`, () => {
      assert.equal(basicApiKey(header), expected);
    });
  }
});

describe('bearerToken', () => {
  const cases: Array<[string, string | undefined, string | null]> = [
    ['a token', 'Bearer s3cret-admin-token-0001', 's3cret-admin-token-0001'],
    ['spaces around the token', 'Bearer   tok  ', 'tok'],
    ['no token', 'Bearer ', null],
    ['only spaces', 'Bearer    ', null],
    ['no header', undefined, null],
    ['a Basic header', basic('api:k'), null],
    ['"Bearer" without a space', 'Bearertok', null],
  ];
  for (const [name, header, expected] of cases) {
    it(`given ${name}, then the token is ${JSON.stringify(expected)}`, () => {
      assert.equal(bearerToken(header), expected);
    });
  }
});

describe('secretEquals', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['the same secret', 'admin-token-0123456789', 'admin-token-0123456789', true],
    ['two empty strings', '', '', true],
    ['one character off', 'admin-token-0123456789', 'admin-token-0123456788', false],
    ['a prefix of the secret', 'admin-token', 'admin-token-0123456789', false],
    ['a longer string', 'admin-token-0123456789x', 'admin-token-0123456789', false],
    ['another case', 'ADMIN-TOKEN-0123456789', 'admin-token-0123456789', false],
    ['an empty guess', '', 'admin-token-0123456789', false],
  ];
  for (const [name, given, expected, result] of cases) {
    it(`given ${name}, then they ${result ? '' : 'do not '}match`, () => {
      assert.equal(secretEquals(given, expected), result);
    });
  }
});

describe('sha256Hex', () => {
  it('given a text, then it is the hex SHA-256 of its UTF-8 bytes', () => {
    assert.equal(sha256Hex('key-ü'), createHash('sha256').update(Buffer.from('key-ü', 'utf8')).digest('hex'));
  });
});
