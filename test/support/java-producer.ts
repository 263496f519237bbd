import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from './processes';

export const JAVA_CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export type JavaCodec = (typeof JAVA_CODECS)[number];

let cached: string | undefined;

/**
 * The classpath of the Apache Kafka jars the local stack runs (scripts/stack/kafka.mjs resolves them
 * with Maven into .local/m2 on first use); KAFKA_CLASSPATH overrides it (a worktree sharing another
 * clone's broker).
 */
export function kafkaClasspath(): string {
  if (process.env.KAFKA_CLASSPATH) return process.env.KAFKA_CLASSPATH;
  if (cached) return cached;
  const script = `import { classpath } from './scripts/stack/kafka.mjs'; process.stdout.write(await classpath());`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0 || !result.stdout) {
    throw new Error(`resolving the Kafka jars failed: ${result.stderr}`);
  }
  cached = result.stdout.trim();
  return cached;
}

/**
 * Produces the records with Apache Kafka's own Java client (kafka.tools.ConsoleProducer of the broker's
 * distribution), compressed with `codec`, as a Java mail server would: one key for all, so they land on
 * one partition, and a linger long enough to make them one batch. Values must not contain a line break.
 */
export async function javaProduce(
  brokers: string,
  topic: string,
  codec: JavaCodec,
  key: string,
  values: string[],
): Promise<void> {
  const args = [
    '-Xmx256m',
    '-cp',
    kafkaClasspath(),
    'kafka.tools.ConsoleProducer',
    '--bootstrap-server',
    brokers,
    '--topic',
    topic,
    // ConsoleProducer sets compression.type from this option (none without it), over --producer-property.
    '--compression-codec',
    codec,
    '--producer-property',
    'linger.ms=500',
    '--producer-property',
    'batch.size=1048576',
    '--property',
    'parse.key=true',
    '--property',
    'key.separator=\t',
  ];
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  for (const value of values) {
    if (/[\r\n]/.test(value)) throw new Error('a value with a line break cannot go through ConsoleProducer');
    child.stdin.write(`${key}\t${value}\n`);
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ConsoleProducer (${codec}) exited ${code}: ${output.slice(-2000)}`);
}
