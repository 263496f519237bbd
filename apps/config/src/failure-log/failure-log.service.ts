import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { HEADERS, SCHEMAS, TOPICS, topicName } from '@hookpost/contracts';
import { BatchingProducer, jsonMessage } from '@hookpost/kafka';
import {
  accountScope,
  domainScope,
  failureItem,
  pageTokens,
  parseFailureQuery,
  planResend,
  visibleWebhookOwners,
  type FailureItem,
  type FailureQuery,
  type FailureScope,
  type Paging,
} from '@hookpost/domain';
import { ENV } from '@hookpost/runtime';
import type { Caller } from '../auth/caller';
import type { ConfigEnv } from '../env';
import { ApiError, ApiErrorCode } from '../errors';
import { ownedDomain } from '../ownership';
import { badRequest, notFound } from '../validation';
import { claimResends, latestFailures, listFailures, resentUpTo, type Sql } from './failure-log.store';

/** One page of a list and the tokens of its four paging links (null: the first page, no token). */
export interface FailurePage {
  items: FailureItem[];
  query: FailureQuery;
  tokens: Record<keyof Paging, string | null>;
}

export interface ResendResult {
  message: string;
  deliveries: number;
}

const sqlOf =
  (m: EntityManager): Sql =>
  (text, params) =>
    m.query(text, params);

/** A new W3C trace for a resend: it is a new cause, not the mail event's. */
function newTraceHeaders(): Record<string, string> {
  return {
    [HEADERS.traceparent]: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  };
}

/**
 * The failure log's API: lists by domain (the caller's own) and by account (a primary's includes its
 * subaccounts'), and resends of final failures with trigger `manual`.
 */
@Injectable()
export class FailureLogService {
  private readonly deliveries: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BatchingProducer) private readonly producer: BatchingProducer,
    @Inject(ENV) env: ConfigEnv,
  ) {
    this.deliveries = topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.deliveries);
  }

  /** The query parameters of a list request (a 400 naming the bad one). */
  parseQuery(params: Record<string, unknown>): FailureQuery {
    const query = parseFailureQuery(params);
    return query.ok ? query.value : badRequest(query.message);
  }

  async listForDomain(caller: Caller, domain: string, query: FailureQuery): Promise<FailurePage> {
    const d = await ownedDomain(this.db.manager, caller, domain);
    return this.page(domainScope(caller, d.name), query);
  }

  /**
   * A subaccount sees its own webhooks' failures (its primary's too, when the primary's key acts for
   * it); a primary account also those of its subaccounts.
   */
  listForAccount(caller: Caller, query: FailureQuery): Promise<FailurePage> {
    return this.page(accountScope(caller), query);
  }

  private async page(scope: FailureScope, query: FailureQuery): Promise<FailurePage> {
    const rows = await listFailures(sqlOf(this.db.manager), scope, query);
    return {
      items: rows.map(failureItem),
      query,
      tokens: pageTokens(
        query,
        rows.map((r) => ({ ms: r.ms, id: r.attempt_id })),
      ),
    };
  }

  /**
   * Puts the event's failed deliveries (to `url`, or to every URL that failed) back on
   * `webhook.deliveries` as manual attempts. 404 when the event has no failure of the caller's webhooks
   * on its domain;
   * 409 when none of its deliveries has a final failure to resend (they are still being retried, a
   * resend is under way, or they were delivered since).
   */
  async resend(caller: Caller, domain: string, eventId: string, url: string | null): Promise<ResendResult> {
    const d = await ownedDomain(this.db.manager, caller, domain);
    const sql = sqlOf(this.db.manager);
    const latest = await latestFailures(sql, d.name, eventId, visibleWebhookOwners(caller), url);
    if (latest.length === 0) {
      notFound(
        url === null ? 'No webhook failure of this event' : 'No webhook failure of this event for this URL',
      );
    }
    const resent = await resentUpTo(
      sql,
      latest.map((l) => l.delivery_id),
    );
    const plan = planResend(latest, resent, Date.now());
    const sent = await this.db.transaction(async (m) => {
      const claimed = await claimResends(
        sqlOf(m),
        plan.jobs.map((j) => ({ delivery_id: j.delivery_id, attempt: j.attempt })),
      );
      const jobs = plan.jobs.filter((j) => claimed.has(j.delivery_id));
      const trace = newTraceHeaders();
      await this.producer.send(
        jobs.map((job) => ({
          topic: this.deliveries,
          message: jsonMessage(job.delivery_id, job, SCHEMAS.deliveryJob, trace),
        })),
      );
      return jobs.length;
    });
    if (sent === 0) {
      throw new ApiError(
        ApiErrorCode.Conflict,
        'No delivery of this event has a final failure to resend: it is still being retried or resent, or was delivered since',
      );
    }
    return {
      message:
        sent === 1
          ? 'The delivery has been queued for resending'
          : 'The deliveries have been queued for resending',
      deliveries: sent,
    };
  }
}
