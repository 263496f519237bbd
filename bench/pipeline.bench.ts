/**
 * Mail events through the real pipeline (Kafka, the five services, undici) to a local HTTP receiver.
 * Phase 1 (throughput): produce N events as fast as possible; events/s = N / (last POST - first produce).
 * Phase 2 (latency): produce at a fixed rate; p50/p99 of produce-to-POST.
 * Prints one JSON line last.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { TOPICS } from '@hookpost/contracts';
import { ROOT } from '../test/support/processes';
import { seedEvent } from '../test/support/seeds';
import { TestSystem } from '../test/support/system';

const THROUGHPUT_EVENTS = Number(process.env.BENCH_EVENTS ?? 20000);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 200);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const received = new Map<string, number>();
  const latencies: number[] = [];
  let phase: 'throughput' | 'latency' = 'throughput';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      const data = JSON.parse(Buffer.concat(chunks).toString('utf8'))['event-data'];
      if (!received.has(data.id)) {
        received.set(data.id, now);
        if (phase === 'latency') latencies.push(now - data['user-variables'].sent_at);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const system = await TestSystem.start({ env: { TOPIC_PARTITIONS: '6', LOG_LEVEL: 'error' } });
  const account = await system.admin('/internal/v1/accounts', { name: 'bench' });
  await system.admin('/internal/v1/domains', { name: 'bench.example.com', account_id: account.id });
  const form = new FormData();
  form.append('id', 'delivered');
  form.append('url', url);
  const res = await fetch(`${system.api}/v3/domains/bench.example.com/webhooks`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`api:${account.api_key}`).toString('base64')}` },
    body: form,
  });
  if (res.status !== 200) throw new Error(`webhook create failed: ${res.status}`);
  await system.configPropagated();

  const template = { ...seedEvent('delivered'), domain: { name: 'bench.example.com' } };
  const producer = system.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const topic = system.topic(TOPICS.mailEvents);
  const eventOf = (id: string) =>
    JSON.stringify({ ...template, id, 'user-variables': { sent_at: Date.now() } });

  // Warm-up: connections, consumer groups, JIT.
  await producer.send({ topic, messages: [{ key: 'w', value: eventOf('warmup') }] });
  while (!received.has('warmup')) await new Promise((r) => setTimeout(r, 50));

  const started = Date.now();
  for (let i = 0; i < THROUGHPUT_EVENTS; i += 500) {
    const messages = [];
    for (let j = i; j < Math.min(i + 500, THROUGHPUT_EVENTS); j++)
      messages.push({ key: `t${j}`, value: eventOf(`t${j}`) });
    await producer.send({ topic, messages });
  }
  const produced = Date.now();
  const deadline = Date.now() + 300_000;
  while (received.size < THROUGHPUT_EVENTS + 1 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  if (received.size < THROUGHPUT_EVENTS + 1) {
    for (const service of system.services.values()) {
      process.stderr.write(`--- ${service.name}\n${service.output.join('').slice(-3000)}\n`);
    }
  }
  const lastPost = Math.max(
    ...[...received.entries()].filter(([id]) => id.startsWith('t')).map(([, t]) => t),
  );
  const throughputDelivered = received.size - 1;
  const eventsPerS = throughputDelivered / ((lastPost - started) / 1000);

  phase = 'latency';
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const tick = 50;
  const perTick = Math.max(1, Math.round((LATENCY_RATE * tick) / 1000));
  let sent = 0;
  const latencyStart = Date.now();
  while (sent < total) {
    const target = latencyStart + (sent / perTick) * tick;
    const wait = target - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const messages = [];
    for (let k = 0; k < perTick && sent < total; k++, sent++)
      messages.push({ key: `l${sent}`, value: eventOf(`l${sent}`) });
    await producer.send({ topic, messages });
  }
  const latencyDeadline = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < latencyDeadline)
    await new Promise((r) => setTimeout(r, 20));
  await producer.disconnect();
  await system.stop();
  server.close();

  latencies.sort((a, b) => a - b);
  const result = {
    bench: 'pipeline',
    events: THROUGHPUT_EVENTS,
    delivered: throughputDelivered,
    produce_s: (produced - started) / 1000,
    events_per_s: Math.round(eventsPerS),
    latency_rate_eps: LATENCY_RATE,
    latency_samples: latencies.length,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    max_ms: latencies[latencies.length - 1],
  };
  writeFileSync(join(ROOT, 'bench', 'results', 'pipeline.json'), JSON.stringify(result, null, 2));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
