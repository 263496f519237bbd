import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { FormBody } from '../http-setup';
import { parseForm } from '../validation';
import type { Form } from '../webhooks/forms';
import { domainUpdateForm, featuresUpdateForm } from './settings.schemas';
import { SettingsService } from './settings.service';

/** Domain settings (Mailgun v4 domains): PII redaction per domain. */
@Controller('v4/domains/:domain')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class DomainSettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  get(@CurrentCaller() caller: Caller, @Param('domain') domain: string) {
    return this.settings.getDomain(caller, domain);
  }

  @Put()
  update(@CurrentCaller() caller: Caller, @Param('domain') domain: string, @Body() form: Form) {
    return this.settings.setDomainPii(caller, domain, parseForm(domainUpdateForm, form).webhooks_redact_pii);
  }
}

/** Account settings (Mailgun v5 accounts): PII redaction features and the webhook signing key. */
@Controller('v5/accounts')
@UseGuards(ApiKeyGuard, RateLimitGuard)
@UseInterceptors(FormBody())
export class AccountSettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('features')
  features(@CurrentCaller() caller: Caller) {
    return this.settings.getFeatures(caller);
  }

  @Put('features')
  updateFeatures(@CurrentCaller() caller: Caller, @Body() form: Form) {
    return this.settings.setFeatures(caller, parseForm(featuresUpdateForm, form));
  }

  @Get('http_signing_key')
  signingKey(@CurrentCaller() caller: Caller) {
    return this.settings.getSigningKey(caller);
  }

  @Post('http_signing_key')
  @HttpCode(200)
  rotateSigningKey(@CurrentCaller() caller: Caller) {
    return this.settings.rotateSigningKey(caller);
  }
}
