import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The failure log records whose webhook each POST went to (the domain's owner, or the primary whose
 * account-level webhook fires for a subaccount's domain): lists and resends are scoped by it. Rows
 * written before have none and are read as the domain owner's (the rule they were written under), so
 * no existing row is rewritten.
 */
export class FailureWebhookOwner1764200000000 implements MigrationInterface {
  name = 'FailureWebhookOwner1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_failures ADD COLUMN webhook_account_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_failures DROP COLUMN IF EXISTS webhook_account_id`);
  }
}
