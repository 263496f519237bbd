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
import { z } from 'zod';
import { fieldList } from '@hookpost/domain';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { FormBody } from '../http-setup';
import { badRequest } from '../validation';
import { booleanOf, type Form } from '../webhooks/forms';
import { SettingsService, type FeaturesChange } from './settings.service';

const featureValue = z.object({ enabled: z.boolean() }).strict();

/** A feature field as mailgun.js sends it: a JSON text `{"enabled": true}` in a form field; absent -> undefined. */
function featureOf(form: Form, field: string): boolean | undefined {
  const raw = fieldList(form?.[field])[0];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return badRequest(`${field} must be JSON like {"enabled": true}`);
  }
  const value = featureValue.safeParse(parsed);
  return value.success ? value.data.enabled : badRequest(`${field} must be JSON like {"enabled": true}`);
}

function featuresOf(form: Form): FeaturesChange {
  const change = {
    webhooks_redact_pii: featureOf(form, 'webhooks_redact_pii'),
    standard_webhooks: featureOf(form, 'standard_webhooks'),
    parent_signature: featureOf(form, 'parent_signature'),
  };
  if (Object.values(change).every((v) => v === undefined)) {
    badRequest('webhooks_redact_pii, standard_webhooks or parent_signature is required');
  }
  return change;
}

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
    return this.settings.setDomainPii(
      caller,
      domain,
      booleanOf(form?.webhooks_redact_pii, 'webhooks_redact_pii'),
    );
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
    return this.settings.setFeatures(caller, featuresOf(form));
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
