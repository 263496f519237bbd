import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Config changes waiting to be relayed to `webhook.config`; written in the same transaction as the change. */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('text')
  key!: string;

  /** null is a tombstone (the entity was deleted). */
  @Column('jsonb', { nullable: true })
  value!: Record<string, unknown> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
