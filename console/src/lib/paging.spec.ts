import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { apiPath, failuresPath, NO_FILTERS } from './paging';

describe('apiPath', () => {
  it("given a paging link of the API, then its path and query on the console's own origin", () => {
    expectEqual(
      apiPath('http://10.0.0.5:8080/v3/domains/a.example.com/webhook-failures?limit=25&page=WyJvIl0'),
      '/v3/domains/a.example.com/webhook-failures?limit=25&page=WyJvIl0',
    );
    expectEqual(apiPath('/v1/webhook-failures?limit=1'), '/v1/webhook-failures?limit=1');
  });
});

describe('failuresPath', () => {
  it('given no filters, then only the page size', () => {
    expectEqual(
      failuresPath('a.example.com', NO_FILTERS, 25),
      '/v3/domains/a.example.com/webhook-failures?limit=25',
    );
  });

  it('given every filter, then each as the API names it, the URL trimmed and encoded', () => {
    expectEqual(
      failuresPath(
        'a.example.com',
        { event: 'opened', url: ' https://h.example/x?a=1 ', begin: 1763114400, end: 1763118000 },
        10,
      ),
      '/v3/domains/a.example.com/webhook-failures?event=opened&url=https%3A%2F%2Fh.example%2Fx%3Fa%3D1' +
        '&begin=1763114400&end=1763118000&limit=10',
    );
  });
});
