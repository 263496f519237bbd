import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { FormBody } from '../http-setup';
import { DomainWebhooksService } from './domain-webhooks.service';
import { eventTypesOf, oneUrlOf, urlsOf, webhookNameOf, type Form } from './forms';
import { WebhookTesterService } from './webhook-tester.service';

/** Mailgun v3 domain webhooks: one event type and its URLs. */
@Controller('v3/domains/:domain/webhooks')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class DomainWebhooksController {
  constructor(
    private readonly webhooks: DomainWebhooksService,
    private readonly tester: WebhookTesterService,
  ) {}

  @Get()
  list(@CurrentCaller() caller: Caller, @Param('domain') domain: string) {
    return this.webhooks.list(caller, domain);
  }

  @Get(':name')
  get(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Param('name') name: string) {
    return this.webhooks.get(caller, domain, webhookNameOf(name));
  }

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    return this.webhooks.create(caller, domain, webhookNameOf(form?.id), urlsOf(form));
  }

  @Put(':name')
  update(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('name') name: string,
    @Body() form: Form,
  ) {
    return this.webhooks.update(caller, domain, webhookNameOf(name), urlsOf(form));
  }

  @Delete(':name')
  remove(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Param('name') name: string) {
    return this.webhooks.delete(caller, domain, webhookNameOf(name));
  }

  /** Sends a signed sample payload of the event type to `url`; answers the target's status and body. */
  @Put(':name/test')
  test(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('name') name: string,
    @Body() form: Form,
  ) {
    return this.tester.test(caller, domain, webhookNameOf(name), oneUrlOf(form?.url));
  }
}

/** Mailgun v4 domain webhooks: one URL and the event types it fires for. */
@Controller('v4/domains/:domain/webhooks')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class DomainWebhooksV4Controller {
  constructor(private readonly webhooks: DomainWebhooksService) {}

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    return this.webhooks.addUrl(caller, domain, oneUrlOf(form?.url), eventTypesOf(form));
  }

  @Put()
  update(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    return this.webhooks.setUrlTypes(caller, domain, oneUrlOf(form?.url), eventTypesOf(form));
  }

  @Delete()
  remove(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Query('url') url: unknown,
    @Body() form: Form,
  ) {
    return this.webhooks.removeUrl(caller, domain, oneUrlOf(url ?? form?.url));
  }
}
