import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import { fieldList, pagingLinks } from '@hookpost/domain';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { FormBody } from '../http-setup';
import { parseForm } from '../validation';
import type { Form } from '../webhooks/forms';
import { resendForm } from './failure-log.schemas';
import { FailureLogService, type FailurePage } from './failure-log.service';

/** The request's own URL without its query: paging links are full URLs, as in Mailgun's events API. */
function baseOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl.split('?')[0]}`;
}

/** A page in Mailgun's shape: `{"items": [...], "paging": {first, last, next, previous}}`. */
function answer(page: FailurePage, req: Request) {
  return { items: page.items, paging: pagingLinks(baseOf(req), page.query, page.tokens) };
}

/** The failure log: failed, rejected and dropped webhook deliveries, newest first; resends. */
@Controller()
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class FailureLogController {
  constructor(private readonly failures: FailureLogService) {}

  @Get('v3/domains/:domain/webhook-failures')
  async listForDomain(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ) {
    return answer(await this.failures.listForDomain(caller, domain, this.failures.parseQuery(query)), req);
  }

  @Get('v1/webhook-failures')
  async listForAccount(
    @CurrentCaller() caller: Caller,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ) {
    return answer(await this.failures.listForAccount(caller, this.failures.parseQuery(query)), req);
  }

  /** Beyond Mailgun: the event's failed deliveries (to `url`, or to all its failed URLs) sent again. */
  @Post('v3/domains/:domain/webhook-failures/:event_id/resend')
  @HttpCode(200)
  resend(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('event_id') eventId: string,
    @Body() form: Form,
    @Query('url') url: unknown,
  ) {
    const fields = fieldList(form?.url).length > 0 ? form : { url };
    return this.failures.resend(caller, domain, eventId, parseForm(resendForm, fields).url ?? null);
  }
}
