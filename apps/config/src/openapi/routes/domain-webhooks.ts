import {
  domainWebhookAnswer,
  domainWebhookChangeAnswer,
  domainWebhookCreateForm,
  domainWebhookListAnswer,
  domainWebhooksChangeAnswer,
  domainWebhookTestForm,
  domainWebhookUrlForm,
  domainWebhookUrlsForm,
  webhookTestAnswer,
} from '../../webhooks/domain-webhooks.schemas';
import { oneUrl } from '../../webhooks/forms';
import { body, error, form, json, param, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** Mailgun v3 domain webhooks (one event type, up to 3 URLs) and v4 (one URL, many event types). */

const EXAMPLE_URLS = ['https://your_domain.com/v1/clicked', 'https://your_domain.com/v2/clicked'];
const V3 = ['Domain webhooks'];
const V4 = ['Domain webhooks (v4)'];
const NO_DOMAIN = 'The caller has no such domain.';
const NO_WEBHOOK = 'The caller has no such domain, or the domain has no such webhook.';
const V4_REFUSED = 'A bad URL or event type, a missing field, or a 4th URL for an event type.';
const V4_ANSWER = () =>
  json("The domain's webhooks, all event types, after the change.", domainWebhooksChangeAnswer);

export const DOMAIN_WEBHOOKS: ApiArea = {
  paths: {
    '/v3/domains/{domain}/webhooks': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: mailgun({
        operationId: 'listDomainWebhooks',
        summary: "List the domain's webhooks, by event type.",
        tags: V3,
        responses: {
          '200': json('The event types that have URLs, with their URLs.', domainWebhookListAnswer, {
            webhooks: {
              opened: { urls: ['https://your_domain.com/v1/opened', 'https://your_domain.com/v2/opened'] },
              clicked: { urls: ['https://your_domain.com/v1/clicked'] },
            },
          }),
          '404': error(NO_DOMAIN),
        },
      }),
      post: mailgun({
        operationId: 'createDomainWebhook',
        summary: 'Create the webhook of one event type with 1 to 3 URLs.',
        tags: V3,
        requestBody: body('DomainWebhookCreate'),
        responses: {
          '200': json('The webhook was created.', domainWebhookChangeAnswer, {
            message: 'Webhook has been created',
            webhook: { urls: EXAMPLE_URLS },
          }),
          '400': error(
            'A bad webhook name or URL, more than 3 URLs, a missing field, or the webhook already exists ' +
              '(change it with PUT).',
          ),
          '404': error(NO_DOMAIN),
        },
      }),
    },
    '/v3/domains/{domain}/webhooks/{name}': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('WebhookName')],
      get: mailgun({
        operationId: 'getDomainWebhook',
        summary: "Get the URLs of one of the domain's webhooks.",
        tags: V3,
        responses: {
          '200': json("The webhook's URLs.", domainWebhookAnswer, {
            webhook: { urls: ['https://your_domain.com/v1/clicked'] },
          }),
          '400': error('A bad webhook name.'),
          '404': error(NO_WEBHOOK),
        },
      }),
      put: mailgun({
        operationId: 'updateDomainWebhook',
        summary: "Replace the URLs of one of the domain's webhooks.",
        tags: V3,
        requestBody: body('DomainWebhookUpdate'),
        responses: {
          '200': json('The webhook was updated.', domainWebhookChangeAnswer, {
            message: 'Webhook has been updated',
            webhook: { urls: ['https://your_domain.com/v1/clicked'] },
          }),
          '400': error('A bad webhook name or URL, more than 3 URLs, or no URL.'),
          '404': error(NO_WEBHOOK),
        },
      }),
      delete: mailgun({
        operationId: 'deleteDomainWebhook',
        summary: "Delete one of the domain's webhooks.",
        tags: V3,
        responses: {
          '200': json('The webhook was deleted; these were its URLs.', domainWebhookChangeAnswer, {
            message: 'Webhook has been deleted',
            webhook: { urls: EXAMPLE_URLS },
          }),
          '400': error('A bad webhook name.'),
          '404': error(NO_WEBHOOK),
        },
      }),
    },
    '/v3/domains/{domain}/webhooks/{name}/test': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('WebhookName')],
      put: mailgun({
        operationId: 'testDomainWebhook',
        summary: 'Send a test event of this type to a URL and report how the target answered.',
        description:
          'A target that cannot be reached answers 200 with `code` 0 and the error as `message`; a refused ' +
          'destination (a private address, unless allowed) or a bad URL answers 400. The test POST is ' +
          "signed with the caller's key only: it never carries `parent-signature`.",
        tags: V3,
        requestBody: body('DomainWebhookTest'),
        responses: {
          '200': json("The target's answer.", webhookTestAnswer, { code: 200, message: 'OK' }),
          '400': error('A bad webhook name, a bad URL, or a refused destination.'),
          '404': error(NO_DOMAIN),
        },
      }),
    },
    '/v4/domains/{domain}/webhooks': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      post: mailgun({
        operationId: 'createDomainWebhookUrl',
        summary: 'Add one URL to the webhooks of the given event types.',
        tags: V4,
        requestBody: body('DomainWebhookUrl'),
        responses: { '200': V4_ANSWER(), '400': error(V4_REFUSED), '404': error(NO_DOMAIN) },
      }),
      put: mailgun({
        operationId: 'updateDomainWebhookUrl',
        summary: 'Make one URL fire for exactly the given event types.',
        tags: V4,
        requestBody: body('DomainWebhookUrl'),
        responses: { '200': V4_ANSWER(), '400': error(V4_REFUSED), '404': error(NO_DOMAIN) },
      }),
      delete: mailgun({
        operationId: 'deleteDomainWebhookUrl',
        summary: 'Remove one URL from the webhooks of every event type.',
        tags: V4,
        parameters: [param('url', 'query', oneUrl, { required: true, description: 'The URL to remove.' })],
        responses: { '200': V4_ANSWER(), '400': error('A missing or bad `url`.'), '404': error(NO_DOMAIN) },
      }),
    },
  },
  requestBodies: {
    DomainWebhookCreate: form(domainWebhookCreateForm, 'The event type and its URLs.'),
    DomainWebhookUpdate: form(domainWebhookUrlsForm, "The webhook's new URLs."),
    DomainWebhookTest: form(domainWebhookTestForm, 'The URL to send the test event to.'),
    DomainWebhookUrl: form(domainWebhookUrlForm, 'The URL and its event types.'),
  },
};
