import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One account-level webhook: a URL (unique per account) and the event types it fires for. */
@Entity('account_webhooks')
export class AccountWebhookEntity {
  @PrimaryColumn('text')
  id!: string;

  @Index()
  @Column('text')
  account_id!: string;

  @Column('text')
  url!: string;

  @Column('text', { default: '' })
  description!: string;

  @Column('text', { array: true })
  event_types!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
