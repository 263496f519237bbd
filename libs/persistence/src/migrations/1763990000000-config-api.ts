import type { MigrationInterface, QueryRunner } from 'typeorm';

const EVENT_TYPES = [
  'accepted',
  'delivered',
  'temporary_fail',
  'permanent_fail',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
];
const TYPES_ARRAY = `ARRAY[${EVENT_TYPES.map((t) => `'${t}'`).join(', ')}]::text[]`;

/**
 * The config API's invariants held by the database too, so that no race between replicas passes them:
 * lower-case unique domain names, known event types, at most 3 URLs per event type per domain and per
 * account (triggers that lock the owning row, so concurrent inserts serialise), one URL once per account,
 * subaccounts one level deep. Plus the shared rate-limit table (rate-limiter-flexible's layout).
 */
export class ConfigApi1763990000000 implements MigrationInterface {
  name = 'ConfigApi1763990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE domains ADD CONSTRAINT domains_name_lower CHECK (name = lower(name))`);
    await q.query(
      `ALTER TABLE domain_webhooks ADD CONSTRAINT domain_webhooks_event_type CHECK (event_type = ANY (${TYPES_ARRAY}))`,
    );
    await q.query(
      `ALTER TABLE account_webhooks ADD CONSTRAINT account_webhooks_event_types
         CHECK (cardinality(event_types) >= 1 AND event_types <@ ${TYPES_ARRAY})`,
    );
    await q.query(
      `ALTER TABLE account_webhooks ADD CONSTRAINT account_webhooks_account_url UNIQUE (account_id, url)`,
    );
    await q.query(`ALTER TABLE account_webhooks ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE accounts ADD COLUMN signing_key_rotated_at timestamptz`);

    await q.query(`
      CREATE FUNCTION hookpost_domain_webhooks_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM domains WHERE name = NEW.domain FOR UPDATE;
        IF (SELECT count(*) FROM domain_webhooks
             WHERE domain = NEW.domain AND event_type = NEW.event_type AND id <> NEW.id) >= 3 THEN
          RAISE EXCEPTION 'hookpost: webhook % of domain % already has 3 URLs', NEW.event_type, NEW.domain;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER domain_webhooks_limit BEFORE INSERT OR UPDATE ON domain_webhooks
        FOR EACH ROW EXECUTE FUNCTION hookpost_domain_webhooks_limit()`);

    await q.query(`
      CREATE FUNCTION hookpost_account_webhooks_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE t text;
      BEGIN
        PERFORM 1 FROM accounts WHERE id = NEW.account_id FOR UPDATE;
        FOREACH t IN ARRAY NEW.event_types LOOP
          IF (SELECT count(DISTINCT url) FROM account_webhooks
               WHERE account_id = NEW.account_id AND t = ANY (event_types) AND id <> NEW.id
                 AND url <> NEW.url) >= 3 THEN
            RAISE EXCEPTION 'hookpost: event type % already has 3 account-level URLs', t;
          END IF;
        END LOOP;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER account_webhooks_limit BEFORE INSERT OR UPDATE ON account_webhooks
        FOR EACH ROW EXECUTE FUNCTION hookpost_account_webhooks_limit()`);

    await q.query(`
      CREATE FUNCTION hookpost_subaccount_depth() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.parent_id IS NOT NULL AND
           (SELECT parent_id FROM accounts WHERE id = NEW.parent_id) IS NOT NULL THEN
          RAISE EXCEPTION 'hookpost: a subaccount cannot have subaccounts';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER accounts_subaccount_depth BEFORE INSERT OR UPDATE OF parent_id ON accounts
        FOR EACH ROW EXECUTE FUNCTION hookpost_subaccount_depth()`);

    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS rate_limits`);
    await q.query(`DROP TRIGGER IF EXISTS accounts_subaccount_depth ON accounts`);
    await q.query(`DROP FUNCTION IF EXISTS hookpost_subaccount_depth()`);
    await q.query(`DROP TRIGGER IF EXISTS account_webhooks_limit ON account_webhooks`);
    await q.query(`DROP FUNCTION IF EXISTS hookpost_account_webhooks_limit()`);
    await q.query(`DROP TRIGGER IF EXISTS domain_webhooks_limit ON domain_webhooks`);
    await q.query(`DROP FUNCTION IF EXISTS hookpost_domain_webhooks_limit()`);
    await q.query(`ALTER TABLE accounts DROP COLUMN IF EXISTS signing_key_rotated_at`);
    await q.query(`ALTER TABLE account_webhooks DROP COLUMN IF EXISTS updated_at`);
    await q.query(`ALTER TABLE account_webhooks DROP CONSTRAINT IF EXISTS account_webhooks_account_url`);
    await q.query(`ALTER TABLE account_webhooks DROP CONSTRAINT IF EXISTS account_webhooks_event_types`);
    await q.query(`ALTER TABLE domain_webhooks DROP CONSTRAINT IF EXISTS domain_webhooks_event_type`);
    await q.query(`ALTER TABLE domains DROP CONSTRAINT IF EXISTS domains_name_lower`);
  }
}
