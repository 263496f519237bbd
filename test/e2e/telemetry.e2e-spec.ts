import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS } from '@hookpost/contracts';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface CollectedSpan extends OtlpSpan {
  service: string;
}

/** A local OTLP/HTTP (JSON) receiver: what the services export over the standard OTEL_* settings. */
class OtlpReceiver {
  readonly spans: CollectedSpan[] = [];
  metricPosts = 0;
  private server: Server | null = null;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: Array<{
              resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
              scopeSpans: Array<{ spans: OtlpSpan[] }>;
            }>;
          };
          for (const rs of body.resourceSpans ?? []) {
            const service =
              rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
            for (const ss of rs.scopeSpans)
              for (const span of ss.spans) this.spans.push({ ...span, service });
          }
        } else if (req.url === '/v1/metrics') {
          this.metricPosts++;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

/** The services a mail event's trace passes through (the failure log's projection ends it). */
const SERVICES = [
  'hookpost-ingest',
  'hookpost-redaction',
  'hookpost-fan-out',
  'hookpost-retry',
  'hookpost-failure-log',
];

describe('operability: one trace per mail event across the five services, metrics, graceful SIGTERM', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let otlp: OtlpReceiver;
  const seen = new Set<string>();

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    receiver = await new Receiver().start();
    receiver.respond = (req) => {
      if (req.path !== '/traced') return 200;
      const id = (JSON.parse(req.body) as { 'event-data': { id: string } })['event-data'].id;
      if (seen.has(id)) return 200;
      seen.add(id);
      return 500; // the first attempt fails, the retry succeeds
    };
    system = await TestSystem.start({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        RETRY_SCHEDULE: '1s',
      },
    });
    const account = await system.admin('/internal/v1/accounts', { name: 'T' });
    await system.addDomain(account, 't.example.com', [
      ['opened', receiver.url('/traced')],
      ['clicked', receiver.url('/load')],
    ]);
    await system.configPropagated();
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
    await otlp?.stop();
  });

  it('a mail event whose first attempt fails: one trace with spans of all five services; both POSTs carry it', async () => {
    const traceId = randomBytes(16).toString('hex');
    const event = structuredClone(seedEvent('opened')) as Record<string, unknown>;
    event.id = randomBytes(9).toString('base64url');
    event.domain = { name: 't.example.com' };
    await system.produce(TOPICS.mailEvents, JSON.stringify(event), {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });

    const posts = await receiver.waitFor('/traced', 2, 30_000);
    for (const post of posts) {
      const traceparent = String(post.headers.traceparent);
      assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      assert.equal(traceparent.split('-')[1], traceId, 'the POST continues the mail event’s trace');
    }
    assert.notEqual(
      String(posts[0].headers.traceparent).split('-')[2],
      String(posts[1].headers.traceparent).split('-')[2],
      'each POST is its own span',
    );

    const ofTrace = () => otlp.spans.filter((s) => s.traceId === traceId);
    const postSpans = () =>
      ofTrace().filter((s) => s.service === 'hookpost-fan-out' && s.kind === 3 && s.name === 'POST');
    await waitFor(
      () =>
        SERVICES.every((service) => ofTrace().some((s) => s.service === service)) && postSpans().length >= 2,
      30_000,
      `spans of all five services (have: ${[...new Set(ofTrace().map((s) => s.service))].join(', ')})`,
    );
    const spans = ofTrace();
    const names = (service: string) => spans.filter((s) => s.service === service).map((s) => s.name);
    assert.ok(
      names('hookpost-ingest').some((n) => n.endsWith('mail.events')),
      'ingest processes mail.events',
    );
    assert.ok(
      names('hookpost-retry').some((n) => n.includes('webhook.retry.1s')),
      'retry waits on 1s',
    );
    assert.ok(
      names('hookpost-failure-log').some((n) => n.includes('webhook.delivery-attempts')),
      'failure log',
    );
    const posted = spans.filter((s) => s.service === 'hookpost-fan-out' && s.kind === 3 && s.name === 'POST');
    assert.equal(posted.length, 2, 'two POST client spans');
    // One tree: every span but the producer's root has its parent in the trace (or is the root's child).
    const ids = new Set(spans.map((s) => s.spanId));
    const orphans = spans.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
    const rootParents = new Set(orphans.map((s) => s.parentSpanId));
    assert.equal(rootParents.size, 1, 'all spans hang from the one span the producer started');
  });

  it('serves Prometheus metrics: deliveries by outcome, latency, in flight, lag, retry backlog, config view age', async () => {
    await waitFor(() => otlp.metricPosts > 0, 20_000, 'an OTLP metrics export');
    const text = async (name: string) => (await fetch(`${system.service(name as never).url}/metrics`)).text();
    const fanOut = await text('fan-out');
    assert.match(fanOut, /hookpost_deliveries_total\{[^}]*outcome="failed"[^}]*\} [1-9]/);
    assert.match(fanOut, /hookpost_deliveries_total\{[^}]*outcome="delivered"[^}]*\} [1-9]/);
    assert.match(fanOut, /hookpost_delivery_duration_bucket\{[^}]*le="100"/);
    assert.match(fanOut, /hookpost_deliveries_in_flight\{/);
    assert.match(fanOut, /hookpost_consumer_lag\{[^}]*topic="[^"]*webhook\.deliveries"/);
    assert.match(fanOut, /hookpost_config_view_age\{/);
    // No series per customer endpoint: undici's own request duration (server.address) is dropped.
    assert.doesNotMatch(fanOut, /otel_scope_name="@opentelemetry\/instrumentation-undici"/);
    assert.match(await text('retry'), /hookpost_retry_backlog\{[^}]*topic="[^"]*webhook\.retry\.1s"/);
    assert.match(await text('ingest'), /hookpost_records_produced_total\{[^}]*webhook\.events"/);
  });

  it('SIGTERM of fan-out under load: exit code 0, and after a restart every event arrives', async () => {
    receiver.delayMs = 200; // 32 at a time (the per-endpoint cap): about 2.5 s for all of them
    const producer = system.kafka.producer();
    await producer.connect();
    const ids = Array.from({ length: 400 }, () => randomBytes(9).toString('base64url'));
    await producer.send({
      topic: system.topic(TOPICS.mailEvents),
      messages: ids.map((id) => ({
        key: id,
        value: JSON.stringify({ ...seedEvent('clicked'), id, domain: { name: 't.example.com' } }),
      })),
    });
    await producer.disconnect();
    const arrivedIds = () =>
      new Set(
        receiver
          .received('/load')
          .map((r) => (JSON.parse(r.body) as { 'event-data': { id: string } })['event-data'].id),
      );
    await waitFor(() => arrivedIds().size >= 40, 20_000, 'deliveries under way');
    const stopping = Date.now();
    assert.equal(await system.service('fan-out').stop(), 0, 'exit code 0 on SIGTERM');
    assert.ok(Date.now() - stopping < 5000, 'POSTs under way finished; the rest were handed back at once');
    assert.ok(arrivedIds().size < ids.length, `stopped mid-way (${arrivedIds().size} of ${ids.length})`);
    await (await system.startService('fan-out')).waitReady();
    await waitFor(() => ids.every((id) => arrivedIds().has(id)), 60_000, 'every event after the restart');
  });
});
