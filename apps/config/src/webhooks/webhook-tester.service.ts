import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { WebhookEventType } from '@hookpost/contracts';
import { newToken, parseCidrList, prepareTestSend } from '@hookpost/domain';
import { WebhookSender } from '@hookpost/outbound';
import { ENV } from '@hookpost/runtime';
import type { Caller } from '../auth/caller';
import type { ConfigEnv } from '../env';
import { callerAccount, ownedDomain } from '../ownership';
import { badRequest } from '../validation';

export interface TestSendResult {
  code: number;
  message: string;
}

/**
 * Mailgun's "test webhook": POSTs a sample payload of the event type to a URL, signed as real deliveries
 * are (prepareTestSend: the caller's key, never `parent-signature`; the Standard Webhooks headers when the
 * account has them on), through the same sender (destination policy, deadline, no redirects), and
 * reports what came back.
 */
@Injectable()
export class WebhookTesterService implements OnApplicationShutdown {
  private readonly sender: WebhookSender;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ENV) env: ConfigEnv,
  ) {
    this.sender = new WebhookSender(
      env.DELIVERY_TIMEOUT_MS,
      { allowPrivate: env.DESTINATION_ALLOW_PRIVATE, allowCidrs: parseCidrList(env.DESTINATION_ALLOWLIST) },
      4,
    );
  }

  async test(caller: Caller, domain: string, name: WebhookEventType, url: string): Promise<TestSendResult> {
    const d = await ownedDomain(this.db.manager, caller, domain);
    const account = await callerAccount(this.db.manager, caller);
    const { body, headers } = prepareTestSend({
      account,
      domain: d.name,
      webhook: name,
      url,
      eventId: randomBytes(16).toString('base64url'),
      nowMs: Date.now(),
      token: newToken(),
    });
    const { result } = await this.sender.post(url, body, headers);
    if (result.kind === 'response') return { code: result.status, message: result.body };
    if (result.errorClass === 'destination_refused' || result.errorClass === 'invalid_url') {
      badRequest(result.message);
    }
    return { code: 0, message: `${result.errorClass}: ${result.message}` };
  }

  onApplicationShutdown(): Promise<void> {
    return this.sender.close();
  }
}
