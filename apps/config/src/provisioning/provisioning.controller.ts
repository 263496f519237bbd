import { Body, Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { validateBody } from '../validation';
import { createAccountBody, createDomainBody, createKeyBody } from './provisioning.schemas';
import { ProvisioningService } from './provisioning.service';

/** Internal provisioning API for the platform (`Authorization: Bearer $ADMIN_TOKEN`). */
@Controller('internal/v1')
@UseGuards(AdminGuard)
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Post('accounts')
  @HttpCode(201)
  createAccount(@Body() body: unknown) {
    return this.provisioning.createAccount(validateBody(createAccountBody, body));
  }

  @Post('domains')
  @HttpCode(201)
  createDomain(@Body() body: unknown) {
    return this.provisioning.createDomain(validateBody(createDomainBody, body));
  }

  @Post('accounts/:id/keys')
  @HttpCode(201)
  createApiKey(@Param('id') accountId: string, @Body() body: unknown) {
    return this.provisioning.createApiKey(accountId, validateBody(createKeyBody, body).description);
  }

  @Delete('accounts/:id/keys/:keyId')
  revokeApiKey(@Param('id') accountId: string, @Param('keyId') keyId: string) {
    return this.provisioning.revokeApiKey(accountId, keyId);
  }
}
