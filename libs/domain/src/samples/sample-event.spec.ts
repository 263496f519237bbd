import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';
import { normaliseMailEvent } from '../normalise';
import { SEED_EVENTS } from './mailgun-payloads';
import { sampleEventData } from './sample-event';

describe('sampleEventData', () => {
  for (const type of WEBHOOK_EVENT_TYPES) {
    it(`given ${type}, then it is the seed payload moved to the domain and now, and normalises to ${type}`, () => {
      const data = sampleEventData(type, 'example.org', 1_795_000_000_123, 'sample-id');
      assert.deepEqual(data.domain, { name: 'example.org' });
      assert.equal(data.timestamp, 1_795_000_000.123);
      assert.equal(data.id, 'sample-id');
      assert.equal((data.flags as Record<string, unknown>)['is-system-test'], true);
      assert.equal(data.event, SEED_EVENTS[type].event);
      const normalised = normaliseMailEvent(Buffer.from(JSON.stringify(data)), 0);
      assert.equal(normalised.ok && normalised.event.webhook, type);
    });
  }

  it('given a sample, then the shared seed payload is left untouched', () => {
    sampleEventData('delivered', 'example.org', 0, 'x');
    assert.equal((SEED_EVENTS.delivered.domain as { name: string }).name, 'sample.mailgun.com');
  });
});
