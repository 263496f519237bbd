import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** API keys are stored as SHA-256 of the key (keys are 192-bit random, so no slow hash is needed). */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Index()
  @Column('text')
  account_id!: string;

  @Index({ unique: true })
  @Column('text')
  key_hash!: string;

  @Column('text', { default: '' })
  description!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column('timestamptz', { nullable: true })
  revoked_at!: Date | null;
}
