import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The account an API call acts for, established by ApiKeyGuard. */
export interface Caller {
  accountId: string;
  parentId: string | null;
}

export type AuthedRequest = { caller?: Caller; headers: Record<string, string | string[] | undefined> };

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without ApiKeyGuard');
  return caller;
});
