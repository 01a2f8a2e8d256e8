import pino, { type Logger } from 'pino';
import { logContextMixin } from '../observability/logContext';

/**
 * Field names that may carry a secret anywhere in a log object. pino removes them before the line is
 * written, as a second line of defence behind code that never logs secrets in the first place.
 */
export const REDACTED_PATHS = [
  'privateKey',
  'privateKeyPem',
  'privateKeyEncrypted',
  'apiSecret',
  'apiSecretEncrypted',
  'accessToken',
  'access_token',
  'client_assertion',
  'authorization',
  'token',
  '*.privateKey',
  '*.privateKeyPem',
  '*.privateKeyEncrypted',
  '*.apiSecret',
  '*.apiSecretEncrypted',
  '*.accessToken',
  '*.access_token',
  '*.client_assertion',
  '*.authorization',
  '*.token',
  'req.headers.authorization',
];

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const settings = { name: options.name ?? 'm3ter-netsuite', level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, remove: true }, mixin: logContextMixin };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
