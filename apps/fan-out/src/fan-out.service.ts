import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeAttemptHead, TOPICS, type KafkaNames } from '@hookpost/contracts';
import { parseCidrList, recordedKey, unrecorded, type OpenEntry } from '@hookpost/domain';
import {
  BatchingProducer,
  ConcurrentConsumer,
  ConfigView,
  type ConcurrentConsumerOptions,
  HandBack,
  readSince,
  stopWithDeadConsumerCode,
  WAITING_FETCH,
} from '@hookpost/kafka';
import { ENV, LOGGER, NAMES, startInBackground, type ReadinessCheck } from '@hookpost/runtime';
import { Dispatcher, interruptedRecord, type RouteStats } from './dispatcher';
import { defaultJournalDir, JournalFile } from './journal-file';
import { perAccountLimit, waitingLimit, type FanOutEnv } from './env';
import { parseDnsServers, WebhookSender } from '@hookpost/outbound';
import { EndpointLimiter } from './endpoint-limiter';
import { observeGauge } from '@hookpost/telemetry';

/**
 * Wires the fan-out service: the config view and the dispatcher, fed by two consumers: redacted events
 * (each URL's first attempt made at once, group `hookpost-fan-out`) and jobs of later attempts (retries,
 * resends, group `hookpost-dispatch`). Consumers start once the view has caught up.
 */
@Injectable()
export class FanOutService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats: RouteStats;
  private readonly view: ConfigView;
  private readonly events: ConcurrentConsumer;
  private readonly jobs: ConcurrentConsumer;
  private readonly sender: WebhookSender;
  private readonly limiter: EndpointLimiter;
  private readonly journal: JournalFile;
  private readonly attemptsTopic: string;

  constructor(
    @Inject(Kafka) private readonly kafka: Kafka,
    @Inject(BatchingProducer) private readonly producer: BatchingProducer,
    @Inject(ENV) private readonly env: FanOutEnv,
    @Inject(NAMES) private readonly names: KafkaNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const { topic } = names;
    this.view = new ConfigView(kafka, topic(TOPICS.config), 'hookpost-fan-out', logger);
    this.sender = new WebhookSender(
      env.DELIVERY_TIMEOUT_MS,
      { allowPrivate: env.DESTINATION_ALLOW_PRIVATE, allowCidrs: parseCidrList(env.DESTINATION_ALLOWLIST) },
      // No bound per origin in undici: the limiter bounds each URL and each account, and the URLs of one
      // origin share its pool, so a bound there would queue one URL's requests behind another's.
      null,
      { servers: parseDnsServers(env.DNS_SERVERS), budgetMs: env.DNS_TIMEOUT_MS },
    );
    this.limiter = new EndpointLimiter(env.DISPATCH_MAX_PER_ENDPOINT, perAccountLimit(env));
    this.attemptsTopic = topic(TOPICS.deliveryAttempts);
    this.journal = new JournalFile(
      env.DISPATCH_JOURNAL_DIR || defaultJournalDir(env.KAFKA_TOPIC_PREFIX),
      logger,
    );
    const dispatcher = new Dispatcher(
      this.view.state,
      this.sender,
      this.limiter,
      producer,
      {
        attempts: this.attemptsTopic,
        deliveries: topic(TOPICS.deliveries),
        rejected: topic(TOPICS.mailEventsRejected),
      },
      this.journal,
      logger,
      { timeoutMs: env.DISPATCH_RECORD_TIMEOUT_MS, stop: stopWithDeadConsumerCode },
    );
    this.stats = dispatcher.stats;
    const consumer = (group: string, base: string, handle: ConcurrentConsumerOptions['handle']) =>
      new ConcurrentConsumer({
        kafka,
        groupId: names.group(group),
        sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
        topics: [topic(base)],
        maxInFlight: env.DISPATCH_MAX_IN_FLIGHT,
        maxWaiting: waitingLimit(env),
        fetch: WAITING_FETCH,
        handle,
        logger,
      });
    // The groups of the consumers that read these topics before (the router's, the dispatcher's): their
    // committed offsets carry on.
    this.events = consumer('hookpost-fan-out', TOPICS.webhookEventsRedacted, (message, ctx, lease) =>
      dispatcher.handleEvent(message, ctx, lease),
    );
    this.jobs = consumer('hookpost-dispatch', TOPICS.deliveries, (message, ctx, lease) =>
      dispatcher.handleJob(message, ctx, lease),
    );
    observeGauge(
      'hookpost.deliveries.in_flight',
      'Events and jobs being delivered now by this replica',
      () => this.events.inFlightCount + this.jobs.inFlightCount,
    );
    observeGauge(
      'hookpost.deliveries.waiting',
      "Deliveries of this replica waiting for their URL's or account's slot",
      () => this.limiter.waiting,
    );
  }

  onApplicationBootstrap() {
    startInBackground(this.logger, () => this.start());
  }

  private async start() {
    await this.view.start();
    await this.view.waitCaughtUp();
    await this.recordInterrupted();
    this.journal.open();
    await Promise.all([this.events.start(), this.jobs.start()]);
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
    const group = this.names.group('hookpost-fan-out-recovery');
    await readSince(
      this.kafka,
      this.attemptsTopic,
      since,
      group,
      (message) => {
        const attempt = decodeAttemptHead(message);
        if (attempt.ok) found.add(recordedKey(attempt.value.attempt_id, attempt.value.attempted_at));
      },
      { logger: this.logger },
    );
    return unrecorded(entries, found);
  }

  /**
   * Stop fetching; POSTs under way finish (bounded); those not started are handed back uncommitted (or,
   * for an event whose other deliveries were made, handed on as jobs).
   */
  async beforeApplicationShutdown() {
    this.limiter.close(() => new HandBack());
    await Promise.all([
      this.events.stop(this.env.SHUTDOWN_TIMEOUT_MS),
      this.jobs.stop(this.env.SHUTDOWN_TIMEOUT_MS),
    ]);
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
      {
        name: 'events',
        check: () => ({
          ok: this.events.isRunning,
          details: { ...this.stats, in_flight: this.events.inFlightCount },
        }),
      },
      {
        name: 'jobs',
        check: () => ({ ok: this.jobs.isRunning, details: { in_flight: this.jobs.inFlightCount } }),
      },
    ];
  }
}

/** Record timestamps and attempt times come from different clocks when replicas move between hosts. */
const RECORD_CLOCK_MARGIN_MS = 5000;
