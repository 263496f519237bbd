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
  accountWebhookForm,
  accountWebhookUpdateForm,
  deleteAllQuery,
  webhookIdsQuery,
} from './account-webhooks.schemas';
import { AccountWebhooksService } from './account-webhooks.service';
import type { Form } from './forms';

/** Mailgun account-level webhooks: one URL, the event types it fires for, on every domain of the account. */
@Controller('v1/webhooks')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class AccountWebhooksController {
  constructor(private readonly webhooks: AccountWebhooksService) {}

  @Get()
  list(@CurrentCaller() caller: Caller, @Query('webhook_ids') ids: unknown) {
    return this.webhooks.list(caller, parseField(webhookIdsQuery, ids));
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.webhooks.get(caller, id);
  }

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Body() form: Form) {
    return this.webhooks.create(caller, parseForm(accountWebhookForm, form));
  }

  @Put(':id')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() form: Form) {
    return this.webhooks.update(caller, id, parseForm(accountWebhookUpdateForm, form));
  }

  @Delete(':id')
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.webhooks.delete(caller, id);
  }

  @Delete()
  removeMany(
    @CurrentCaller() caller: Caller,
    @Query('webhook_ids') ids: unknown,
    @Query('all') all: unknown,
  ) {
    return this.webhooks.deleteMany(caller, {
      ids: parseField(webhookIdsQuery, ids),
      all: parseField(deleteAllQuery, all),
    });
  }
}
