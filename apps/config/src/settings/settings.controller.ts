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
import { CurrentCaller, type Caller } from '../auth/caller';
import { FormBody } from '../http-setup';
import { badRequest } from '../validation';
import { booleanOf, type Form } from '../webhooks/forms';
import { SettingsService } from './settings.service';

const featureValue = z.object({ enabled: z.boolean() }).strict();

/** `webhooks_redact_pii={"enabled": true}` as mailgun.js sends it (a JSON text in a form field). */
function redactPiiFeature(form: Form): boolean {
  const raw = fieldList(form?.webhooks_redact_pii)[0];
  if (raw === undefined) badRequest('webhooks_redact_pii is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return badRequest('webhooks_redact_pii must be JSON like {"enabled": true}');
  }
  const value = featureValue.safeParse(parsed);
  return value.success
    ? value.data.enabled
    : badRequest('webhooks_redact_pii must be JSON like {"enabled": true}');
}

/** Domain settings (Mailgun v4 domains): PII redaction per domain. */
@Controller('v4/domains/:domain')
@UseGuards(ApiKeyGuard)
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
@UseGuards(ApiKeyGuard)
@UseInterceptors(FormBody())
export class AccountSettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get('features')
  features(@CurrentCaller() caller: Caller) {
    return this.settings.getFeatures(caller);
  }

  @Put('features')
  updateFeatures(@CurrentCaller() caller: Caller, @Body() form: Form) {
    return this.settings.setAccountPii(caller, redactPiiFeature(form));
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
