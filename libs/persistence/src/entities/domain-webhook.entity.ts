import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One URL of one domain webhook (event type); up to 3 per (domain, event type). */
@Entity('domain_webhooks')
@Index(['domain', 'event_type', 'url'], { unique: true })
export class DomainWebhookEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('text')
  domain!: string;

  @Column('text')
  event_type!: string;

  @Column('text')
  url!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
