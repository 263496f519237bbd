import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NoFilesInterceptor } from '@nestjs/platform-express';
import { fieldList, parseWebhookName, validateWebhookUrls } from '@hookpost/domain';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { badRequest } from '../validation';
import { DomainWebhooksService } from './domain-webhooks.service';

type Form = Record<string, unknown>;

function nameOf(value: unknown) {
  const name = parseWebhookName(value);
  return name.ok ? name.value : badRequest(name.message);
}

function urlsOf(form: Form | undefined) {
  const urls = validateWebhookUrls(fieldList(form?.url));
  return urls.ok ? urls.value : badRequest(urls.message);
}

/** Mailgun v3 domain webhooks; bodies as multipart/form-data or x-www-form-urlencoded. */
@Controller('v3/domains/:domain/webhooks')
@UseGuards(ApiKeyGuard)
@UseInterceptors(NoFilesInterceptor())
export class DomainWebhooksController {
  constructor(private readonly webhooks: DomainWebhooksService) {}

  @Get()
  list(@CurrentCaller() caller: Caller, @Param('domain') domain: string) {
    return this.webhooks.list(caller, domain);
  }

  @Get(':name')
  get(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Param('name') name: string) {
    return this.webhooks.get(caller, domain, nameOf(name));
  }

  @Post()
  @HttpCode(200)
  create(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    return this.webhooks.create(caller, domain, nameOf(form?.id), urlsOf(form));
  }

  @Put(':name')
  update(
    @CurrentCaller() caller: Caller,
    @Param('domain') domain: string,
    @Param('name') name: string,
    @Body() form: Form,
  ) {
    return this.webhooks.update(caller, domain, nameOf(name), urlsOf(form));
  }

  @Delete(':name')
  remove(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Param('name') name: string) {
    return this.webhooks.delete(caller, domain, nameOf(name));
  }
}
