import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The failure log (a projection of `webhook.delivery-attempts`) and the resend bookkeeping. Lists read
 * newest first by domain, by account or by primary account, with keyset paging on
 * (attempted_at, attempt_id): one B-tree per scope, scanned backwards. Resends look rows up by event id
 * and use the job kept on final rows.
 */
export class FailureLog1764100000000 implements MigrationInterface {
  name = 'FailureLog1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_failures (
        attempt_id text NOT NULL,
        attempted_at timestamptz NOT NULL,
        url text NOT NULL,
        reason text NOT NULL,
        http_status integer,
        error_class text,
        outcome text NOT NULL CHECK (outcome IN ('failed', 'rejected', 'dropped')),
        event text NOT NULL,
        event_id text NOT NULL,
        message_id text NOT NULL,
        domain text NOT NULL,
        account_id text,
        primary_account_id text,
        attempt integer NOT NULL,
        final boolean NOT NULL,
        trigger text NOT NULL,
        delivery_id text NOT NULL,
        job jsonb CHECK ((job IS NOT NULL) = final),
        CONSTRAINT webhook_failures_pkey PRIMARY KEY (attempt_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_failures_domain_idx ON webhook_failures (domain, attempted_at, attempt_id)`,
    );
    await q.query(
      `CREATE INDEX webhook_failures_account_idx ON webhook_failures (account_id, attempted_at, attempt_id)`,
    );
    await q.query(
      `CREATE INDEX webhook_failures_primary_account_idx
         ON webhook_failures (primary_account_id, attempted_at, attempt_id)`,
    );
    await q.query(`CREATE INDEX webhook_failures_event_idx ON webhook_failures (event_id)`);
    await q.query(`
      CREATE TABLE webhook_failure_resends (
        delivery_id text PRIMARY KEY,
        attempt integer NOT NULL,
        resent_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_failure_resends`);
    await q.query(`DROP TABLE IF EXISTS webhook_failures`);
  }
}
