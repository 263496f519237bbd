import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The account an API call acts for, established by ApiKeyGuard (or by the gRPC API for an account id). */
export interface Caller {
  /** The account acted for: the key's own, or the subaccount named by X-Mailgun-On-Behalf-Of. */
  accountId: string;
  /** Its primary account, when it is a subaccount. */
  parentId: string | null;
  /** The primary's key acts for this subaccount (X-Mailgun-On-Behalf-Of): it may see its own too. */
  viaPrimary: boolean;
}

export type AuthedRequest = { caller?: Caller; headers: Record<string, string | string[] | undefined> };

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without ApiKeyGuard');
  return caller;
});
