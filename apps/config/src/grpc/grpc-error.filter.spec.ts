import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { expectEqual } from '../../../../libs/domain/src/testing/expect-equal';
import { ApiError, ApiErrorCode } from '../errors';
import { GrpcErrorFilter, grpcStatusOf } from './grpc-error.filter';

describe('grpcStatusOf', () => {
  const cases: Array<[ApiErrorCode, status]> = [
    [ApiErrorCode.BadRequest, status.INVALID_ARGUMENT],
    [ApiErrorCode.Unauthorized, status.UNAUTHENTICATED],
    [ApiErrorCode.Forbidden, status.PERMISSION_DENIED],
    [ApiErrorCode.NotFound, status.NOT_FOUND],
    [ApiErrorCode.Conflict, status.ALREADY_EXISTS],
    [ApiErrorCode.PayloadTooLarge, status.RESOURCE_EXHAUSTED],
    [ApiErrorCode.RateLimited, status.RESOURCE_EXHAUSTED],
    [ApiErrorCode.Unavailable, status.UNAVAILABLE],
  ];
  for (const [code, expected] of cases) {
    it(`given ${code}, then ${status[expected]}`, () => {
      assert.equal(grpcStatusOf(code), expected);
    });
  }

  it('given every code, then each has a status (the switch is exhaustive)', () => {
    for (const code of Object.values(ApiErrorCode)) assert.equal(typeof grpcStatusOf(code), 'number');
  });
});

describe('GrpcErrorFilter', () => {
  const logged: unknown[] = [];
  const logger = {
    error: (...args: unknown[]) => logged.push(args),
    warn: () => undefined,
  } as unknown as Logger;
  const answer = (error: unknown) =>
    lastValueFrom(new GrpcErrorFilter(logger).catch(error)).then(
      () => assert.fail('the filter must answer with an error'),
      (failure: unknown) => failure,
    );

  it('given an ApiError, then its status with the message as details; nothing logged', async () => {
    logged.length = 0;
    expectEqual(await answer(new ApiError(ApiErrorCode.NotFound, 'Domain not found')), {
      code: status.NOT_FOUND,
      details: 'Domain not found',
    });
    assert.equal(logged.length, 0);
  });

  it('given the database unreachable, then UNAVAILABLE', async () => {
    expectEqual(await answer(new Error('connect ECONNREFUSED 127.0.0.1:5432')), {
      code: status.UNAVAILABLE,
      details: 'Service temporarily unavailable, retry later',
    });
  });

  it("given the database's own guards, then what REST answers: INVALID_ARGUMENT or ALREADY_EXISTS", async () => {
    const raised = Object.assign(new Error('hookpost: Webhook opened already has 3 URLs'), { code: 'P0001' });
    expectEqual(await answer(raised), {
      code: status.INVALID_ARGUMENT,
      details: 'Webhook opened already has 3 URLs',
    });
    const unique = Object.assign(new Error('duplicate key value violates unique constraint "x"'), {
      code: '23505',
    });
    expectEqual(await answer(unique), { code: status.ALREADY_EXISTS, details: 'Already exists' });
  });

  it('given an unexpected error, then INTERNAL without its message, which is logged', async () => {
    logged.length = 0;
    expectEqual(await answer(new Error('column "secret" of relation "accounts" does not exist')), {
      code: status.INTERNAL,
      details: 'Internal server error',
    });
    assert.equal(logged.length, 1);
  });
});
