import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { CurrentCaller, type Caller } from '../auth/caller';
import { RateLimitGuard } from '../auth/rate-limit.guard';
import { badRequest } from '../validation';
import { AccountsService } from './accounts.service';
import { DOMAIN_LIST, parseListQuery, SUBACCOUNT_LIST, type ListBounds } from './list-query';

function listQuery(query: Record<string, unknown>, bounds: ListBounds) {
  const parsed = parseListQuery(query, bounds);
  return parsed.ok ? parsed.value : badRequest(parsed.message);
}

/** Mailgun's lists of the account's domains (v4) and subaccounts (v5). */
@Controller()
@UseGuards(ApiKeyGuard, RateLimitGuard)
export class AccountListsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('v4/domains')
  domains(@CurrentCaller() caller: Caller, @Query() query: Record<string, unknown>) {
    return this.accounts.listDomains(caller, listQuery(query, DOMAIN_LIST));
  }

  @Get('v5/accounts/subaccounts')
  subaccounts(@CurrentCaller() caller: Caller, @Query() query: Record<string, unknown>) {
    return this.accounts.listSubaccounts(caller, listQuery(query, SUBACCOUNT_LIST));
  }
}
