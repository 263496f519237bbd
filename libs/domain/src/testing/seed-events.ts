export * from '../samples/mailgun-payloads';
