import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The highest attempt number a resend issued for a delivery, so that a second resend never reuses an
 * attempt id while the first is under way. Written by the resend API, not part of the projection.
 */
@Entity('webhook_failure_resends')
export class WebhookFailureResendEntity {
  @PrimaryColumn('text')
  delivery_id!: string;

  @Column('integer')
  attempt!: number;

  @Column('timestamptz')
  resent_at!: Date;
}
