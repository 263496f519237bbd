import { signingKeyAnswer, signingKeyRegeneratedAnswer } from '../../settings/settings.schemas';
import { json, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** The account's HTTP webhook signing key (Mailgun v5). */

export const SIGNING_KEY: ApiArea = {
  paths: {
    '/v5/accounts/http_signing_key': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'getHttpSigningKey',
        summary: "Get the account's HTTP webhook signing key.",
        tags: ['Account'],
        responses: { '200': json('The signing key.', signingKeyAnswer) },
      }),
      post: mailgun({
        operationId: 'regenerateHttpSigningKey',
        summary: "Replace the account's HTTP webhook signing key with a new random one.",
        tags: ['Account'],
        responses: { '200': json('The new signing key.', signingKeyRegeneratedAnswer) },
      }),
    },
  },
};
