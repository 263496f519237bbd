import { randomBytes } from 'node:crypto';

export const newAccountId = () => randomBytes(12).toString('hex');
export const newSigningKey = () => randomBytes(16).toString('hex');
export const newApiKey = () => `key-${randomBytes(24).toString('hex')}`;
export const newApiKeyId = () => randomBytes(8).toString('hex');
