#!/usr/bin/env node
// Produces one of the seed's Mailgun events to mail.events, as a mail server would.
//   node scripts/try/send-event.mjs [event type, default delivered] [domain, default sample.mailgun.com]
// KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default empty).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ROOT } from '../lib.mjs';

const [type = 'delivered', domain = 'sample.mailgun.com'] = process.argv.slice(2);
const seeds = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'seed-events.json'), 'utf8'));
const event = seeds[type];
if (!event) {
  console.error(`unknown event type ${type}; one of ${Object.keys(seeds).join(', ')}`);
  process.exit(2);
}
event.domain = { name: domain };
event.id = randomBytes(16).toString('base64url');
event.timestamp = Date.now() / 1000;

const kafka = new Kafka({
  clientId: 'hookpost-try',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.WARN,
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
await producer.send({
  topic: `${process.env.KAFKA_TOPIC_PREFIX ?? ''}mail.events`,
  messages: [{ key: domain, value: JSON.stringify(event), headers: { traceparent } }],
});
await producer.disconnect();
console.log(`sent ${type} event ${event.id} for ${domain} (traceparent ${traceparent})`);
