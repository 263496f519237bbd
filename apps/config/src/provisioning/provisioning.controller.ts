import { Body, Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminGuard } from '../auth/admin.guard';
import { validateBody } from '../validation';
import { ProvisioningService } from './provisioning.service';

const createAccountBody = z.object({
  name: z.string().trim().min(1).max(200),
  parent_account_id: z.string().min(1).nullable().optional(),
});
const createDomainBody = z.object({
  name: z.string().trim().min(1).max(253),
  account_id: z.string().min(1),
});
const createKeyBody = z.object({ description: z.string().max(200).optional() });

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
