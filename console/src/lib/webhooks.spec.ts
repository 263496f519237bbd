import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { addUrlRequest, describeTest, removeUrlRequest, testRequest, webhookRows } from './webhooks';

const D = 'a.example.com';

describe('webhookRows', () => {
  it('given the API answer, then one row per URL, event types in the order of the eight', () => {
    expectEqual(
      webhookRows({
        opened: { urls: ['https://h/o'] },
        accepted: { urls: ['https://h/a1', 'https://h/a2'] },
        clicked: { urls: [] },
      }),
      [
        { eventType: 'accepted', url: 'https://h/a1' },
        { eventType: 'accepted', url: 'https://h/a2' },
        { eventType: 'opened', url: 'https://h/o' },
      ],
    );
    expectEqual(webhookRows({}), []);
  });
});

describe('removeUrlRequest', () => {
  const webhooks = { opened: { urls: ['https://h/1', 'https://h/2'] }, clicked: { urls: ['https://h/1'] } };

  it("given one of several URLs, then the event type's other URLs are put back", () => {
    expectEqual(removeUrlRequest(webhooks, D, { eventType: 'opened', url: 'https://h/1' }), {
      method: 'PUT',
      path: '/v3/domains/a.example.com/webhooks/opened',
      form: [['url', 'https://h/2']],
    });
  });

  it("given the event type's last URL, then its webhook is deleted", () => {
    expectEqual(removeUrlRequest(webhooks, D, { eventType: 'clicked', url: 'https://h/1' }), {
      method: 'DELETE',
      path: '/v3/domains/a.example.com/webhooks/clicked',
    });
  });
});

describe('addUrlRequest and testRequest', () => {
  it('are one v4 POST and one v3 test PUT', () => {
    expectEqual(addUrlRequest(D, 'opened', ' https://h/x '), {
      method: 'POST',
      path: '/v4/domains/a.example.com/webhooks',
      form: [
        ['url', 'https://h/x'],
        ['event_types', 'opened'],
      ],
    });
    expectEqual(testRequest(D, 'opened', 'https://h/x'), {
      method: 'PUT',
      path: '/v3/domains/a.example.com/webhooks/opened/test',
      form: [['url', 'https://h/x']],
    });
  });
});

describe('describeTest', () => {
  it("given the target's answer, then its status and the start of its body", () => {
    expectEqual(describeTest({ code: 200, message: 'ok' }), 'HTTP 200: ok');
    expectEqual(describeTest({ code: 204, message: '' }), 'HTTP 204 (empty answer)');
    expectEqual(describeTest({ code: 500, message: 'x'.repeat(10) }, 4), 'HTTP 500: xxxx…');
    expectEqual(
      describeTest({ code: 0, message: 'ECONNREFUSED: connect refused' }),
      'No answer: ECONNREFUSED: connect refused',
    );
  });
});
