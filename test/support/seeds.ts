import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes';

/** The Mailgun payload examples of the seed (004), keyed by webhook name. */
export function seedEvent(name: string): Record<string, unknown> {
  const all = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'seed-events.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const event = all[name];
  if (!event) throw new Error(`no seed event ${name}`);
  return event;
}
