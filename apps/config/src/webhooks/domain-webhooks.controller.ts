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
import { parseField, parseForm } from '../validation';
import {
  domainWebhookCreateForm,
  domainWebhookTestForm,
  domainWebhookUrlForm,
  domainWebhookUrlsForm,
} from './domain-webhooks.schemas';
import { DomainWebhooksService } from './domain-webhooks.service';
import { oneUrl, webhookName, type Form } from './forms';
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
    return this.webhooks.get(caller, domain, parseField(webhookName, name));
  }

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    const { id, url } = parseForm(domainWebhookCreateForm, form);
    return this.webhooks.create(caller, domain, id, url);
  }

  @Put(':name')
  update(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('name') name: string,
    @Body() form: Form,
  ) {
    const type = parseField(webhookName, name);
    return this.webhooks.update(caller, domain, type, parseForm(domainWebhookUrlsForm, form).url);
  }

  @Delete(':name')
  remove(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Param('name') name: string) {
    return this.webhooks.delete(caller, domain, parseField(webhookName, name));
  }

  /** Sends a signed sample payload of the event type to `url`; answers the target's status and body. */
  @Put(':name/test')
  test(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('name') name: string,
    @Body() form: Form,
  ) {
    const type = parseField(webhookName, name);
    return this.tester.test(caller, domain, type, parseForm(domainWebhookTestForm, form).url);
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
    const { url, event_types } = parseForm(domainWebhookUrlForm, form);
    return this.webhooks.addUrl(caller, domain, url, event_types);
  }

  @Put()
  update(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    const { url, event_types } = parseForm(domainWebhookUrlForm, form);
    return this.webhooks.setUrlTypes(caller, domain, url, event_types);
  }

  @Delete()
  remove(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Query('url') url: unknown,
    @Body() form: Form,
  ) {
    return this.webhooks.removeUrl(caller, domain, parseField(oneUrl, url ?? form?.url));
  }
}
