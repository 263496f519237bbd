import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { FAILURE_LOG_TABLE } from '../failure-log';

/**
 * One row of the failure log: an attempt that did not deliver (failed, rejected, dropped), projected from
 * `webhook.delivery-attempts` by the failure-log service (apps/failure-log) and keyed by the attempt id.
 * Rebuilt from offset 0 by `npm run failure-log:rebuild`, so nothing else writes it.
 */
@Entity(FAILURE_LOG_TABLE)
@Index('webhook_failures_domain_idx', ['domain', 'attempted_at', 'attempt_id'])
@Index('webhook_failures_account_idx', ['account_id', 'attempted_at', 'attempt_id'])
@Index('webhook_failures_primary_account_idx', ['primary_account_id', 'attempted_at', 'attempt_id'])
@Index('webhook_failures_event_idx', ['event_id'])
export class WebhookFailureEntity {
  @PrimaryColumn('text')
  attempt_id!: string;

  @Column('timestamptz')
  attempted_at!: Date;

  @Column('text')
  url!: string;

  @Column('text')
  reason!: string;

  @Column('integer', { nullable: true })
  http_status!: number | null;

  @Column('text', { nullable: true })
  error_class!: string | null;

  /** failed, rejected or dropped. */
  @Column('text')
  outcome!: string;

  /** The webhook event type. */
  @Column('text')
  event!: string;

  @Column('text')
  event_id!: string;

  @Column('text')
  message_id!: string;

  @Column('text')
  domain!: string;

  @Column('text', { nullable: true })
  account_id!: string | null;

  /** The account's primary (itself for a primary account), for account-wide queries of a primary. */
  @Column('text', { nullable: true })
  primary_account_id!: string | null;

  /**
   * Whose webhook the POST went to (the domain's owner, or the primary whose account-level webhook fired
   * for its subaccount's domain); null on rows written before it was recorded (read as account_id's).
   */
  @Column('text', { nullable: true })
  webhook_account_id!: string | null;

  @Column('integer')
  attempt!: number;

  /** Nothing follows this attempt (rejected, dropped); a failed attempt is retried or dropped. */
  @Column('boolean')
  final!: boolean;

  /** initial, retry or manual. */
  @Column('text')
  trigger!: string;

  @Column('text')
  delivery_id!: string;

  /** The delivery job as attempted, on final rows: what a resend puts back on `webhook.deliveries`. */
  @Column('jsonb', { nullable: true })
  job!: Record<string, unknown> | null;
}
