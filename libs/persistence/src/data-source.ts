import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { Init1763900000000 } from './migrations/1763900000000-init';
import { ConfigApi1763990000000 } from './migrations/1763990000000-config-api';
import { FailureLog1764100000000 } from './migrations/1764100000000-failure-log';
import { FailureWebhookOwner1764200000000 } from './migrations/1764200000000-failure-webhook-owner';
import { ParentSignature1764210000000 } from './migrations/1764210000000-parent-signature';

export const MIGRATIONS = [
  Init1763900000000,
  ConfigApi1763990000000,
  FailureLog1764100000000,
  FailureWebhookOwner1764200000000,
  ParentSignature1764210000000,
];

/** One definition of the connection: entities, migrations, never `synchronize`. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'hookpost_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  };
}

/** Applies pending migrations; returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, 1));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
