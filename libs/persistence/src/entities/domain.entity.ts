import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('domains')
export class DomainEntity {
  @PrimaryColumn('text')
  name!: string;

  @Index()
  @Column('text')
  account_id!: string;

  @Column('boolean', { default: false })
  redact_pii!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
