import {
  domainResponseAnswer,
  domainUpdatedAnswer,
  domainUpdateForm,
  featuresResponseAnswer,
  featuresUpdatedAnswer,
  featuresUpdateForm,
} from '../../settings/settings.schemas';
import { body, error, form, json, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** A domain's settings (Mailgun v4 domains) and the account's features (v5). */

const NO_DOMAIN = 'The caller has no such domain.';

export const SETTINGS: ApiArea = {
  paths: {
    '/v4/domains/{domain}': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: mailgun({
        operationId: 'getDomain',
        summary: 'Get a domain and its webhook settings.',
        tags: ['Domains'],
        responses: { '200': json('The domain.', domainResponseAnswer), '404': error(NO_DOMAIN) },
      }),
      put: mailgun({
        operationId: 'updateDomain',
        summary: "Change a domain's PII redaction setting for webhooks.",
        tags: ['Domains'],
        requestBody: body('DomainUpdate'),
        responses: {
          '200': json('The domain was updated.', domainUpdatedAnswer),
          '400': error('A missing or bad `webhooks_redact_pii`.'),
          '404': error(NO_DOMAIN),
        },
      }),
    },
    '/v5/accounts/features': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'getAccountFeatures',
        summary: "Get the account's features (PII redaction in webhooks).",
        tags: ['Account'],
        responses: {
          '200': json("The account's features.", featuresResponseAnswer, {
            features: {
              webhooks_redact_pii: { enabled: false, inherited: false },
              standard_webhooks: { enabled: false },
              parent_signature: { enabled: true, inherited: false },
            },
          }),
        },
      }),
      put: mailgun({
        operationId: 'updateAccountFeatures',
        summary: "Change the account's features; primary accounts only.",
        description:
          "A subaccount's PII and parent-signature settings follow its primary, so a subaccount setting either gets 403.",
        tags: ['Account'],
        requestBody: body('FeaturesUpdate'),
        responses: {
          '200': json("The account's features after the change.", featuresUpdatedAnswer, {
            message: 'Account features have been updated',
            features: {
              webhooks_redact_pii: { enabled: true, inherited: false },
              standard_webhooks: { enabled: false },
              parent_signature: { enabled: false, inherited: false },
            },
          }),
          '400': error('No feature given, or a bad value (not JSON like `{"enabled": true}`).'),
          '403': error('The account is a subaccount, or may not act for the account named.'),
        },
      }),
    },
  },
  requestBodies: {
    DomainUpdate: form(domainUpdateForm, 'The new setting.'),
    FeaturesUpdate: form(featuresUpdateForm, 'The new features.'),
  },
};
