import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { Admin, PartitionMetadata } from 'kafkajs';
import { waitForLeaders } from './topics-admin';

type Answer = Error | Array<{ name: string; leaders: number[] }>;

/** An admin whose metadata answers are scripted, one per call; the last one repeats. */
function scriptedAdmin(answers: Answer[]) {
  let calls = 0;
  const admin: Pick<Admin, 'fetchTopicMetadata'> = {
    fetchTopicMetadata: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return {
        topics: answer.map(({ name, leaders }) => ({
          name,
          partitions: leaders.map((leader, partitionId) => ({ partitionId, leader }) as PartitionMetadata),
        })),
      };
    },
  };
  return { admin, calls: () => calls };
}

const protocolError = (type: string) => Object.assign(new Error(type), { type });

describe('waitForLeaders', () => {
  it('given metadata that first does not know the new topic, when waiting, then it polls until every partition has a leader', async () => {
    const { admin, calls } = scriptedAdmin([
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
      protocolError('LEADER_NOT_AVAILABLE'),
      [{ name: 'a', leaders: [1, -1] }],
      [{ name: 'a', leaders: [1, 1] }],
    ]);
    await waitForLeaders(admin, ['a'], 5000, 1);
    assert.equal(calls(), 4);
  });

  it('given any other error, when waiting, then it fails at once', async () => {
    const { admin, calls } = scriptedAdmin([protocolError('TOPIC_AUTHORIZATION_FAILED')]);
    await assert.rejects(waitForLeaders(admin, ['a'], 5000, 1), /TOPIC_AUTHORIZATION_FAILED/);
    assert.equal(calls(), 1);
  });

  it('given a topic that never gets a leader, when the time is up, then it names the topics', async () => {
    const { admin } = scriptedAdmin([[{ name: 'a', leaders: [-1] }]]);
    await assert.rejects(waitForLeaders(admin, ['a'], 20, 1), /without a leader after 20 ms: a/);
  });
});
