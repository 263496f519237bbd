import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

interface Seen {
  recorded: boolean;
  inside: Record<string, string>;
  /** The headers an undici request made in the handling arrived with. */
  posted: Record<string, string>;
  inheriting: Record<string, unknown>;
  own: Record<string, unknown>;
}

/**
 * In a node process of its own with telemetry started as a service starts it (the SDK's context manager
 * and W3C propagator): what a consumed message's handling sees and what its produced records carry.
 */
function run(env: Record<string, string>): Seen {
  const script = `
    const telemetry = require(${JSON.stringify(join(__dirname, 'index.js'))});
    telemetry.startTelemetry('spec', ${JSON.stringify({ OTEL_SDK_DISABLED: 'false', ...env })});
    const http = require('node:http');
    const undici = require('undici');
    let posted;
    const server = http.createServer((req, res) => { posted = req.headers; res.end('ok'); });
    const message = { topic: 't', partition: 0, offset: '1', groupId: 'g', headers: { traceparent: Buffer.from('${PARENT}') } };
    telemetry.withProcessSpan(message, async () => {
      await new Promise((r) => setTimeout(r, 5));
      const records = [
        { topic: 'out', message: { value: 'a' } },
        { topic: 'out', message: { value: 'b', headers: { traceparent: '${OTHER}' } } },
      ];
      telemetry.startSendSpans(records).end();
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const res = await undici.request('http://127.0.0.1:' + server.address().port + '/hook', { method: 'POST', body: '{}' });
      await res.body.text();
      return { inside: telemetry.traceHeadersOf(undefined), records };
    }).then(({ inside, records }) => {
      process.stdout.write(JSON.stringify({
        recorded: telemetry.spansRecorded(), inside, posted,
        inheriting: records[0].message.headers, own: records[1].message.headers,
      }));
      process.exit(0);
    });
  `;
  const out = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout) as Seen;
}

const traceOf = (traceparent: unknown) => String(traceparent).split('-')[1];
const spanOf = (traceparent: unknown) => String(traceparent).split('-')[2];

describe('trace context per message', () => {
  it('given spans not recorded, then the handling, what it produces and its HTTP requests carry the message trace context as it came', () => {
    const seen = run({});
    assert.equal(seen.recorded, false);
    assert.equal(seen.inside.traceparent, PARENT);
    assert.equal(seen.inheriting.traceparent, PARENT);
    assert.equal(seen.own.traceparent, OTHER);
    assert.equal(seen.posted.traceparent, PARENT);
  });

  it('given spans recorded (an OTLP endpoint), then the handling runs in a process span of the message trace, each record in a send span, each HTTP request in a client span', () => {
    const seen = run({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' });
    assert.equal(seen.recorded, true);
    assert.equal(traceOf(seen.inside.traceparent), traceOf(PARENT));
    assert.notEqual(spanOf(seen.inside.traceparent), spanOf(PARENT));
    assert.equal(traceOf(seen.inheriting.traceparent), traceOf(PARENT));
    assert.notEqual(spanOf(seen.inheriting.traceparent), spanOf(seen.inside.traceparent));
    assert.equal(traceOf(seen.own.traceparent), traceOf(OTHER));
    assert.notEqual(spanOf(seen.own.traceparent), spanOf(OTHER));
    assert.equal(traceOf(seen.posted.traceparent), traceOf(PARENT));
    assert.notEqual(spanOf(seen.posted.traceparent), spanOf(seen.inside.traceparent));
  });
});
