import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeJson, deliveryAttemptSchema, groupName, TOPICS, topicName } from '@hookpost/contracts';
import { parseCidrList, recordedKey, unrecorded, type OpenEntry } from '@hookpost/domain';
import {
  BatchingProducer,
  ConcurrentConsumer,
  ConfigView,
  HandBack,
  readSince,
  stopWithDeadConsumerCode,
  TransformConsumer,
} from '@hookpost/kafka';
import { ENV, LOGGER, type ReadinessCheck } from '@hookpost/runtime';
import { Dispatcher, interruptedRecord } from './dispatcher';
import { defaultJournalDir, JournalFile } from './journal-file';
import { perAccountLimit, waitingLimit, type FanOutEnv } from './env';
import { routeEvent, type RouteStats } from './router';
import { parseDnsServers, WebhookSender } from '@hookpost/outbound';
import { EndpointLimiter } from './endpoint-limiter';
import { observeGauge } from '@hookpost/telemetry';

/**
 * Wires the fan-out service: the config view, the router (redacted events -> delivery jobs) and the
 * dispatcher (delivery jobs -> POSTs -> attempt events). Consumers start once the view has caught up.
 */
@Injectable()
export class FanOutService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats: RouteStats = { events: 0, withoutWebhook: 0, jobs: 0 };
  private readonly view: ConfigView;
  private readonly router: TransformConsumer;
  private readonly dispatch: ConcurrentConsumer;
  private readonly sender: WebhookSender;
  private readonly limiter: EndpointLimiter;
  private readonly journal: JournalFile;
  private readonly attemptsTopic: string;

  constructor(
    @Inject(Kafka) private readonly kafka: Kafka,
    @Inject(BatchingProducer) private readonly producer: BatchingProducer,
    @Inject(ENV) private readonly env: FanOutEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const t = (base: string) => topicName(env.KAFKA_TOPIC_PREFIX, base);
    this.view = new ConfigView(kafka, t(TOPICS.config), 'hookpost-fan-out', logger);
    const routeTopics = { deliveries: t(TOPICS.deliveries), rejected: t(TOPICS.mailEventsRejected) };
    this.router = new TransformConsumer({
      kafka,
      producer,
      groupId: groupName(env.KAFKA_TOPIC_PREFIX, 'hookpost-fan-out'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: t(TOPICS.webhookEventsRedacted),
      transform: (message, ctx) =>
        routeEvent(this.view.state, message, ctx, routeTopics, this.stats, Date.now()),
      logger,
    });
    this.sender = new WebhookSender(
      env.DELIVERY_TIMEOUT_MS,
      { allowPrivate: env.DESTINATION_ALLOW_PRIVATE, allowCidrs: parseCidrList(env.DESTINATION_ALLOWLIST) },
      // No bound per origin in undici: the limiter bounds each URL and each account, and the URLs of one
      // origin share its pool, so a bound there would queue one URL's requests behind another's.
      null,
      { servers: parseDnsServers(env.DNS_SERVERS), budgetMs: env.DNS_TIMEOUT_MS },
    );
    this.limiter = new EndpointLimiter(env.DISPATCH_MAX_PER_ENDPOINT, perAccountLimit(env));
    this.attemptsTopic = t(TOPICS.deliveryAttempts);
    this.journal = new JournalFile(
      env.DISPATCH_JOURNAL_DIR || defaultJournalDir(env.KAFKA_TOPIC_PREFIX),
      logger,
    );
    const dispatcher = new Dispatcher(
      this.view.state,
      this.sender,
      this.limiter,
      producer,
      { attempts: this.attemptsTopic, rejected: t(TOPICS.mailEventsRejected) },
      this.journal,
      logger,
      { timeoutMs: env.DISPATCH_RECORD_TIMEOUT_MS, stop: stopWithDeadConsumerCode },
    );
    this.dispatch = new ConcurrentConsumer({
      kafka,
      groupId: groupName(env.KAFKA_TOPIC_PREFIX, 'hookpost-dispatch'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topics: [t(TOPICS.deliveries)],
      maxInFlight: env.DISPATCH_MAX_IN_FLIGHT,
      maxWaiting: waitingLimit(env),
      handle: (message, ctx, lease) => dispatcher.handle(message, ctx, lease),
      logger,
    });
    observeGauge(
      'hookpost.deliveries.in_flight',
      'Deliveries being made now by this replica',
      () => this.dispatch.inFlightCount,
    );
    observeGauge(
      'hookpost.deliveries.waiting',
      "Deliveries of this replica waiting for their URL's or account's slot",
      () => this.limiter.waiting,
    );
  }

  onApplicationBootstrap() {
    void this.start().catch((err) => {
      this.logger.fatal({ err }, 'fan-out failed to start');
      process.exit(1);
    });
  }

  private async start() {
    await this.view.start();
    await this.view.waitCaughtUp();
    await this.recordInterrupted();
    this.journal.open();
    await Promise.all([this.router.start(), this.dispatch.start()]);
    this.logger.info('fan-out consuming');
  }

  /**
   * POSTs that a dispatcher before this one wrote and died before recording: each gets its `interrupted`
   * attempt event (their jobs were not committed, so they are being made again anyway). Some were
   * recorded after all (the broker stored the event, the ack never arrived): those are looked up on the
   * attempts topic, from the oldest entry's time on, and left alone.
   */
  private async recordInterrupted() {
    const orphans = this.journal.claimOrphans();
    if (orphans.files.length === 0) return;
    const interrupted = await this.withoutRecorded(orphans.entries);
    await this.producer.send(interrupted.map((entry) => interruptedRecord(this.attemptsTopic, entry)));
    this.journal.release(orphans);
    this.logger.warn(
      {
        interrupted: interrupted.length,
        recorded_before_the_stop: orphans.entries.length - interrupted.length,
        unreadable_lines: orphans.unreadable,
        journals: orphans.files.length,
      },
      'recorded the POSTs a stopped dispatcher left without an outcome',
    );
  }

  private async withoutRecorded(entries: OpenEntry[]): Promise<OpenEntry[]> {
    if (entries.length === 0) return entries;
    const found = new Set<string>();
    const since = Math.min(...entries.map((e) => e.attemptedAt)) - RECORD_CLOCK_MARGIN_MS;
    const group = groupName(this.env.KAFKA_TOPIC_PREFIX, 'hookpost-fan-out-recovery');
    await readSince(this.kafka, this.attemptsTopic, since, group, (message) => {
      const attempt = decodeJson(deliveryAttemptSchema, message.value);
      if (attempt.ok) found.add(recordedKey(attempt.value.attempt_id, attempt.value.attempted_at));
    });
    return unrecorded(entries, found);
  }

  /** Stop fetching; POSTs under way finish (bounded), those not started are handed back uncommitted. */
  async beforeApplicationShutdown() {
    await this.router.stop();
    this.limiter.close(() => new HandBack());
    await this.dispatch.stop(this.env.SHUTDOWN_TIMEOUT_MS);
    // Requests still open past the deadline stay in the journal: the next start records them.
    this.journal.close();
    await this.view.stop();
    await this.sender.close();
  }

  readiness(): ReadinessCheck[] {
    return [
      {
        name: 'config_view',
        check: () => ({ ok: this.view.caughtUp, details: { offsets: this.view.appliedOffsets } }),
      },
      { name: 'router', check: () => ({ ok: this.router.isRunning, details: { ...this.stats } }) },
      {
        name: 'dispatcher',
        check: () => ({ ok: this.dispatch.isRunning, details: { in_flight: this.dispatch.inFlightCount } }),
      },
    ];
  }
}

/** Record timestamps and attempt times come from different clocks when replicas move between hosts. */
const RECORD_CLOCK_MARGIN_MS = 5000;
