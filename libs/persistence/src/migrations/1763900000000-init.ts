import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763900000000 implements MigrationInterface {
  name = 'Init1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id text PRIMARY KEY,
        name text NOT NULL,
        parent_id text REFERENCES accounts(id),
        signing_key text NOT NULL,
        redact_pii boolean NOT NULL DEFAULT false,
        standard_webhooks boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX accounts_parent_id_idx ON accounts (parent_id)`);
    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        key_hash text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_account_id_idx ON api_keys (account_id)`);
    await q.query(`
      CREATE TABLE domains (
        name text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        redact_pii boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX domains_account_id_idx ON domains (account_id)`);
    await q.query(`
      CREATE TABLE domain_webhooks (
        id bigserial PRIMARY KEY,
        domain text NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
        event_type text NOT NULL,
        url text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (domain, event_type, url)
      )`);
    await q.query(`
      CREATE TABLE account_webhooks (
        id text PRIMARY KEY,
        account_id text NOT NULL REFERENCES accounts(id),
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_types text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX account_webhooks_account_id_idx ON account_webhooks (account_id)`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        value jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'outbox',
      'account_webhooks',
      'domain_webhooks',
      'domains',
      'api_keys',
      'accounts',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
