import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('accounts')
export class AccountEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Index()
  @Column('text', { nullable: true })
  parent_id!: string | null;

  /** The HTTP webhook signing key: needed in clear to sign, so it is never logged or returned twice. */
  @Column('text')
  signing_key!: string;

  @Column('timestamptz', { nullable: true })
  signing_key_rotated_at!: Date | null;

  @Column('boolean', { default: false })
  redact_pii!: boolean;

  @Column('boolean', { default: false })
  standard_webhooks!: boolean;

  /**
   * A primary's choice: POSTs to URLs its subaccounts own carry `parent-signature` (its key). Mailgun
   * always sends it; off, a subaccount never receives a triple valid for the primary's key.
   */
  @Column('boolean', { default: true })
  parent_signature!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
