import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A primary account's `parent_signature` feature: whether POSTs to the URLs its subaccounts own carry
 * `parent-signature` (made with the primary's key). On by default, as Mailgun does; a primary turns it
 * off so that no subaccount receives triples it could replay to the primary's own endpoints.
 */
export class ParentSignature1764210000000 implements MigrationInterface {
  name = 'ParentSignature1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts ADD COLUMN parent_signature boolean NOT NULL DEFAULT true`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP COLUMN IF EXISTS parent_signature`);
  }
}
