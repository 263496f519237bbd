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
import { fieldList } from '@hookpost/domain';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { FormBody } from '../http-setup';
import { badRequest } from '../validation';
import { AccountWebhooksService, MAX_WEBHOOK_IDS } from './account-webhooks.service';
import { eventTypesOf, oneUrlOf, textOf, type Form } from './forms';

/** `webhook_ids=a,b` (or repeated): the ids, or undefined when absent. */
function idsOf(value: unknown): string[] | undefined {
  const ids = fieldList(value)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  if (ids.length > MAX_WEBHOOK_IDS) badRequest(`webhook_ids may name at most ${MAX_WEBHOOK_IDS} webhooks`);
  return ids.length > 0 ? ids : undefined;
}

/** Mailgun account-level webhooks: one URL, the event types it fires for, on every domain of the account. */
@Controller('v1/webhooks')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class AccountWebhooksController {
  constructor(private readonly webhooks: AccountWebhooksService) {}

  @Get()
  list(@CurrentCaller() caller: Caller, @Query('webhook_ids') ids: unknown) {
    return this.webhooks.list(caller, idsOf(ids));
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return this.webhooks.get(caller, id);
  }

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Body() form: Form) {
    return this.webhooks.create(caller, {
      url: oneUrlOf(form?.url),
      event_types: eventTypesOf(form),
      description: textOf(form?.description, 'description'),
    });
  }

  @Put(':id')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() form: Form) {
    const has = (field: string) => fieldList(form?.[field]).length > 0;
    if (!has('url') && !has('event_types') && !has('description')) {
      badRequest('url, event_types or description is required');
    }
    return this.webhooks.update(caller, id, {
      url: has('url') ? oneUrlOf(form?.url) : undefined,
      event_types: has('event_types') ? eventTypesOf(form) : undefined,
      description: textOf(form?.description, 'description'),
    });
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
    return this.webhooks.deleteMany(caller, { ids: idsOf(ids), all: fieldList(all)[0] === 'true' });
  }
}
