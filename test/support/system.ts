import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, type IHeaders } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS, topicName } from '@hookpost/contracts';
import { fixRequestQueueIdlePolling, registerCompressionCodecs } from '@hookpost/kafka';
import { defaultJournalDir } from '../../apps/fan-out/src/journal-file';
import { ApiClient } from './api-client';
import { freePort, ROOT, ServiceProcess, waitFor } from './processes';
import { seedEvent } from './seeds';

export const SERVICE_NAMES = ['config', 'ingest', 'redaction', 'fan-out', 'retry', 'failure-log'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** KAFKA_BROKERS / DATABASE_URL of the stack the test command started (or the one configured). */
export function stackEnv(): { KAFKA_BROKERS: string; DATABASE_URL: string } {
  const { KAFKA_BROKERS, DATABASE_URL } = process.env;
  if (!KAFKA_BROKERS || !DATABASE_URL) {
    throw new Error('KAFKA_BROKERS and DATABASE_URL must be set: run the e2e tests through `npm test`');
  }
  return { KAFKA_BROKERS, DATABASE_URL };
}

async function withAdminClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface SystemOptions {
  env?: Record<string, string>;
  /** The broker and database server to use (default: those of the test command, stackEnv()). */
  stack?: { KAFKA_BROKERS: string; DATABASE_URL: string };
  services?: readonly ServiceName[];
  /** Node flags per service (the bench's heap limits from the Helm chart); none by default. */
  nodeArgs?: Partial<Record<ServiceName, readonly string[]>>;
}

/**
 * A whole Hookpost for one test file: its own database and topic prefix on the shared real stack,
 * topics and migrations provisioned, the six services running as real processes.
 */
export class TestSystem {
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly kafka: Kafka;
  /** The config service's GRPC_PORT (a free port picked when it starts). */
  grpcPort = 0;

  private constructor(
    readonly env: Record<string, string>,
    private readonly baseDatabaseUrl: string,
    readonly databaseName: string,
    private readonly nodeArgs: Partial<Record<ServiceName, readonly string[]>> = {},
  ) {
    // The services compress what they produce (LZ4): the tests read it like any Kafka client does. And
    // without kafkajs' idle polling (its 1-ms timer also warned TimeoutNegativeWarning on every run).
    registerCompressionCodecs();
    fixRequestQueueIdlePolling();
    this.kafka = new Kafka({
      clientId: 'hookpost-e2e',
      brokers: env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  static async start(opts: SystemOptions = {}): Promise<TestSystem> {
    const stack = opts.stack ?? stackEnv();
    const id = randomBytes(4).toString('hex');
    const databaseName = `hookpost_e2e_${id}`;
    await withAdminClient(stack.DATABASE_URL, (c) => c.query(`CREATE DATABASE ${databaseName}`));
    const url = new URL(stack.DATABASE_URL);
    url.pathname = `/${databaseName}`;
    const env: Record<string, string> = {
      KAFKA_BROKERS: stack.KAFKA_BROKERS,
      DATABASE_URL: url.toString(),
      KAFKA_TOPIC_PREFIX: `e2e-${id}.`,
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      DESTINATION_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'warn',
      TOPIC_PARTITIONS: '3',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      ...opts.env,
    };
    const system = new TestSystem(env, stack.DATABASE_URL, databaseName, opts.nodeArgs);
    const provision = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'apps', 'provision', 'src', 'main.js')],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
      },
    );
    if (provision.status !== 0) throw new Error(`provision failed: ${provision.stderr}${provision.stdout}`);
    for (const name of opts.services ?? SERVICE_NAMES) await system.startService(name);
    await Promise.all([...system.services.values()].map((s) => s.waitReady()));
    return system;
  }

  async startService(name: ServiceName): Promise<ServiceProcess> {
    const env = { ...this.env };
    const port = await freePort();
    if (name === 'config') {
      do {
        this.grpcPort = await freePort();
      } while (this.grpcPort === port);
      env.GRPC_PORT = String(this.grpcPort);
    }
    const service = ServiceProcess.spawn(name, env, port, this.nodeArgs[name]);
    this.services.set(name, service);
    return service;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  }

  topic(base: string): string {
    return topicName(this.env.KAFKA_TOPIC_PREFIX, base);
  }

  get api(): string {
    return this.service('config').url;
  }

  /** The config service's gRPC address, `127.0.0.1:<GRPC_PORT>`. */
  get grpc(): string {
    this.service('config');
    return `127.0.0.1:${this.grpcPort}`;
  }

  async admin(path: string, body: unknown): Promise<Record<string, string>> {
    const res = await fetch(`${this.api}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, string>;
    if (res.status !== 201) throw new Error(`${path} -> ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /**
   * Creates `domain` for the account and its v3 webhooks (event type -> URL or URLs), as a customer would
   * through the Mailgun API; throws unless each is answered 200.
   */
  async addDomain(
    account: Record<string, string>,
    domain: string,
    webhooks: Array<[type: string, url: string | string[]]>,
  ): Promise<void> {
    await this.admin('/internal/v1/domains', { name: domain, account_id: account.id });
    const api = new ApiClient(this.api, account.api_key);
    for (const [id, url] of webhooks) {
      const res = await api.call('POST', `/v3/domains/${domain}/webhooks`, { form: { id, url } });
      if (res.status !== 200)
        throw new Error(`webhook ${id} of ${domain}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }

  /** Waits until every config change so far has reached the in-memory views of redaction and fan-out. */
  async configPropagated(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      () =>
        withAdminClient(
          this.env.DATABASE_URL,
          async (c) => (await c.query('SELECT 1 FROM outbox')).rowCount === 0,
        ),
      timeoutMs,
      'the outbox to drain',
    );
    const admin = this.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(this.topic(TOPICS.config));
    await admin.disconnect();
    for (const name of ['redaction', 'fan-out'] as const) {
      if (!this.services.has(name)) continue;
      await waitFor(
        async () => {
          const { body } = await this.service(name).readiness();
          const applied = ((body.info as Record<string, { offsets?: Record<string, string> }>)?.config_view
            ?.offsets ?? {}) as Record<string, string>;
          return offsets.every((o) => BigInt(applied[o.partition] ?? '0') >= BigInt(o.high));
        },
        timeoutMs,
        `${name} to apply the config`,
      );
    }
  }

  /**
   * Waits until every consumer group of this system has committed up to the end of the topics it reads
   * (nothing left to do; a bench phase then does not pay for the previous one's tail). Answers false when
   * `timeoutMs` passes first (a retry waiting for its due time keeps its group behind, for instance).
   * `only` narrows it to some groups.
   */
  async idle(timeoutMs = 60_000, only: (groupId: string) => boolean = () => true): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + timeoutMs;
      const highs = new Map<string, Map<number, bigint>>();
      const highOf = async (topic: string) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        const map = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
        highs.set(topic, map);
        return map;
      };
      while (Date.now() < deadline) {
        highs.clear();
        const groups = (await admin.listGroups()).groups
          .map((g) => g.groupId)
          .filter((id) => id.startsWith(this.env.KAFKA_TOPIC_PREFIX) && only(id));
        let behind = false;
        for (const groupId of groups) {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
            const high = highs.get(topic) ?? (await highOf(topic));
            for (const { partition, offset } of partitions) {
              const end = high.get(partition) ?? 0n;
              if (end > 0n && (offset === '-1' ? 0n : BigInt(offset)) < end) behind = true;
            }
          }
        }
        if (!behind) return true;
        await sleep(200);
      }
      return false;
    } finally {
      await admin.disconnect();
    }
  }

  async produce(base: string, value: string | Buffer, headers: IHeaders = {}, key: string | null = null) {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: this.topic(base), messages: [{ key, value, headers }] });
    await producer.disconnect();
  }

  /**
   * Produces `count` of the seed's `type` events for `domain` to mail.events (fresh ids, keyed by id),
   * as a mail server would; returns the ids.
   */
  async produceSeedEvents(type: string, domain: string, count: number, tag = 'ev'): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `${tag}-${i}-${randomBytes(6).toString('hex')}`);
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < ids.length; i += 500) {
        await producer.send({
          topic: this.topic(TOPICS.mailEvents),
          messages: ids.slice(i, i + 500).map((id) => ({
            key: id,
            value: JSON.stringify({ ...seedEvent(type), id, domain: { name: domain } }),
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    return ids;
  }

  /**
   * A reader that is already in place before what it waits for is produced: resolves once its group
   * has joined; `items` fills as messages arrive; `stop()` when done.
   */
  async reader<T>(
    base: string,
    decode: (value: Buffer, headers: IHeaders, key: Buffer | null) => T,
  ): Promise<{ items: T[]; stop: () => Promise<void> }> {
    const consumer = this.kafka.consumer({
      groupId: `e2e-reader-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 50,
    });
    const items: T[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic(base)], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) items.push(decode(message.value, message.headers ?? {}, message.key));
      },
    });
    await joined;
    return { items, stop: () => consumer.disconnect() };
  }

  /** Reads a topic from the beginning until `done` holds for what has been read. */
  async consumeUntil<T>(
    base: string,
    decode: (value: Buffer, headers: IHeaders) => T,
    done: (items: T[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<T[]> {
    const consumer = this.kafka.consumer({
      groupId: `e2e-reader-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    const items: T[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic(base)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) items.push(decode(message.value, message.headers ?? {}));
      },
    });
    try {
      await waitFor(() => done(items), timeoutMs, `messages on ${base}`);
      return items;
    } finally {
      await consumer.disconnect();
    }
  }

  /**
   * Stops every service with SIGTERM; returns their exit codes. Drops the test database and deletes the
   * system's topics (a shared broker would otherwise collect thousands of them, and slow down).
   */
  async stop(): Promise<Record<string, number | null>> {
    const codes: Record<string, number | null> = {};
    await Promise.all(
      [...this.services].map(async ([name, service]) => {
        codes[name] = await service.stop();
      }),
    );
    await withAdminClient(this.baseDatabaseUrl, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${this.databaseName}`),
    );
    const journal = this.env.DISPATCH_JOURNAL_DIR || defaultJournalDir(this.env.KAFKA_TOPIC_PREFIX);
    rmSync(journal, { recursive: true, force: true });
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.env.KAFKA_TOPIC_PREFIX));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } catch {
      // A broker the test stopped (the chaos test's) or gone: nothing to tidy.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return codes;
  }
}
