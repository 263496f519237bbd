import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../../libs/domain/src/testing/expect-equal';
import { DOMAIN_LIST, MAX_SKIP, parseListQuery, SUBACCOUNT_LIST } from './list-query';

describe('parseListQuery', () => {
  it('given nothing, then the list bounds decide: 100 domains or 10 subaccounts from the start', () => {
    expectEqual(parseListQuery({}, DOMAIN_LIST), {
      ok: true,
      value: { limit: 100, skip: 0, includeSubaccounts: false },
    });
    expectEqual(parseListQuery({}, SUBACCOUNT_LIST), {
      ok: true,
      value: { limit: 10, skip: 0, includeSubaccounts: false },
    });
  });

  it('given limit, skip and include_subaccounts, then they are read (case and spaces aside)', () => {
    expectEqual(parseListQuery({ limit: '1000', skip: ' 20 ', include_subaccounts: 'TRUE' }, DOMAIN_LIST), {
      ok: true,
      value: { limit: 1000, skip: 20, includeSubaccounts: true },
    });
    expectEqual(parseListQuery({ include_subaccounts: 'false' }, DOMAIN_LIST), {
      ok: true,
      value: { limit: 100, skip: 0, includeSubaccounts: false },
    });
  });

  it('given include_subaccounts on the subaccount list, then it is ignored like any unknown parameter', () => {
    expectEqual(parseListQuery({ include_subaccounts: 'maybe', sort: 'asc' }, SUBACCOUNT_LIST), {
      ok: true,
      value: { limit: 10, skip: 0, includeSubaccounts: false },
    });
  });

  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['a limit of 0', { limit: '0' }, 'limit: must be an integer from 1 to 1000'],
    ['a limit over the maximum', { limit: '1001' }, 'limit: must be an integer from 1 to 1000'],
    ['a negative limit', { limit: '-1' }, 'limit: must be an integer from 1 to 1000'],
    ['a fractional limit', { limit: '1.5' }, 'limit: must be an integer from 1 to 1000'],
    ['an empty limit', { limit: '' }, 'limit: must be an integer from 1 to 1000'],
    ['a limit given twice', { limit: ['1', '2'] }, 'limit must be given once'],
    ['a limit as an object', { limit: { a: '1' } }, 'limit must be a string'],
    ['a negative skip', { skip: '-5' }, `skip: must be an integer from 0 to ${MAX_SKIP}`],
    ['a skip past the maximum', { skip: '99999999' }, `skip: must be an integer from 0 to ${MAX_SKIP}`],
    [
      'a word for include_subaccounts',
      { include_subaccounts: 'yes' },
      'include_subaccounts: must be true or false',
    ],
  ];
  for (const [name, query, message] of bad) {
    it(`given ${name}, then the 400 message names it`, () => {
      expectEqual(parseListQuery(query, DOMAIN_LIST), { ok: false, message });
    });
  }
});
