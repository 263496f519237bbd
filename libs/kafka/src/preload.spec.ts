import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { groupMessagesPerPartition, type GroupMessagesInput } from './group-messages';
import { seededRandom } from './testing/random';

interface Message {
  n: number;
  partition: number;
}

/** kafkajs' own grouping, as it ships, by its file (jest's module registry: this spec never preloads). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsGroup = require(require.resolve('kafkajs/src/producer/groupMessagesPerPartition')) as (
  input: GroupMessagesInput<Message>,
) => Record<number, Message[]>;

const rand = seededRandom(7);
const int = (n: number): number => Math.floor(rand() * n);

/** Partitions as kafkajs' partitioners give them, and keys that are not array indices (ordered otherwise). */
const ODD_PARTITIONS = [-1, 2 ** 32 - 1, 2 ** 32, 1.5];

function randomInput(): { input: GroupMessagesInput<Message>; calls: unknown[] } {
  const partitions = int(4) === 0 ? 0 : 1 + int(64);
  const messages = Array.from({ length: int(500) }, (_, n) => ({
    n,
    partition: int(10) === 0 ? ODD_PARTITIONS[int(ODD_PARTITIONS.length)] : int(Math.max(partitions, 1)),
  }));
  const calls: unknown[] = [];
  const input: GroupMessagesInput<Message> = {
    topic: 'webhook.events',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId })),
    messages,
    partitioner: (args) => {
      calls.push(args);
      return args.message.partition;
    },
  };
  return { input, calls };
}

describe('groupMessagesPerPartition', () => {
  it('given 500 random topics of messages (none to 500, 0-64 partitions), then it groups them as kafkajs does: same partitions in the same key order, same messages in order, same partitioner calls', () => {
    for (let i = 0; i < 500; i++) {
      const ours = randomInput();
      const theirs = { ...ours, calls: [] as unknown[] };
      theirs.input = {
        ...ours.input,
        partitioner: (args) => (theirs.calls.push(args), args.message.partition),
      };
      const grouped = groupMessagesPerPartition(ours.input);
      const expected = kafkajsGroup(theirs.input);
      assert.deepStrictEqual(grouped, expected, `input ${i}`);
      assert.deepEqual(Object.keys(grouped), Object.keys(expected), `input ${i}`);
      for (const partition of Object.keys(expected) as unknown as number[]) {
        expected[partition].forEach((message, j) => assert.equal(grouped[partition][j], message));
      }
      assert.deepStrictEqual(ours.calls, theirs.calls);
    }
  });

  it('given a sparse array of messages, then its holes are skipped, as kafkajs’ reduce skips them', () => {
    const messages: Message[] = [];
    messages[2] = { n: 2, partition: 1 };
    messages[5] = { n: 5, partition: 0 };
    const input = { topic: 't', partitionMetadata: [{}, {}], messages, partitioner: () => 1 };
    assert.deepStrictEqual(groupMessagesPerPartition(input), kafkajsGroup(input));
  });

  it('given no partition metadata, then {} without calling the partitioner', () => {
    const input = {
      topic: 't',
      partitionMetadata: [],
      messages: [{ n: 0, partition: 0 }],
      partitioner: () => assert.fail('called'),
    };
    assert.deepStrictEqual(groupMessagesPerPartition(input), {});
    assert.deepStrictEqual(kafkajsGroup(input), {});
  });
});

/** Runs `script` in a node process of its own (jest has its own module system) and parses what it prints. */
function inNode<T>(script: string): T {
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

const PRELOAD = JSON.stringify(join(__dirname, 'preload.js'));
const GROUPING = JSON.stringify(join(__dirname, 'group-messages.js'));
const CLIENT = JSON.stringify(join(__dirname, 'client.js'));
const CREATE_KAFKA = `
  const warnings = [];
  const logger = { warn: (m) => warnings.push(String(m)), child: () => logger };
  require(${CLIENT}).createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger });
`;

describe('preload', () => {
  it('given the preload first, when kafkajs is required, then its producer groups messages with ours and createKafka does not warn', () => {
    const result = inNode<{ loaded: boolean; cache: boolean; fromProducer: boolean; warnings: string[] }>(`
      require(${PRELOAD});
      const { groupMessagesPerPartition } = require(${GROUPING});
      const Module = require('node:module');
      require('kafkajs');
      const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
      const fromProducer = Module.createRequire(require.resolve('kafkajs/src/producer/sendMessages.js'));
      ${CREATE_KAFKA}
      process.stdout.write(JSON.stringify({
        loaded: Boolean(require.cache[require.resolve('kafkajs/src/producer/sendMessages')]),
        cache: require.cache[path].exports === groupMessagesPerPartition,
        fromProducer: fromProducer('./groupMessagesPerPartition') === groupMessagesPerPartition,
        warnings,
      }));
    `);
    assert.deepEqual(result, { loaded: true, cache: true, fromProducer: true, warnings: [] });
  });

  it('given kafkajs required before the preload, then kafkajs keeps its own grouping and createKafka warns', () => {
    const result = inNode<{ cache: boolean; warnings: string[] }>(`
      require('kafkajs');
      require(${PRELOAD});
      const { groupMessagesPerPartition } = require(${GROUPING});
      const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
      ${CREATE_KAFKA}
      process.stdout.write(JSON.stringify({ cache: require.cache[path].exports === groupMessagesPerPartition, warnings }));
    `);
    assert.equal(result.cache, false);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /before @hookpost\/kafka\/preload/);
  });
});
