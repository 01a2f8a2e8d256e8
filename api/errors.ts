import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { InvalidAccountIdError } from '../domain/accountId';
import { AccountFilterSyntaxError } from '../domain/accountFilter';
import { BillIdUnavailableError, BillLockedError, BillTotalMismatchError, UnknownAccountError } from '../db/bills';
import { UnknownCredentialError, UnsupportedIntegrationError } from '../db/configs';
import { isDatabaseUnavailable } from '../db/unavailable';
import { InvalidPrivateKeyError } from '../netsuite/privateKey';
import { BaseUrlNotAllowedError, UnknownLinkedConfigError } from '../db/sources';
import { MirroredByM3terError } from '../domain/mirror';

/** An error a route raises on purpose, with the HTTP status and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** For 429 and 503: when to try again, sent as Retry-After. */
    readonly options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} not found`);

export class VersionConflictError extends ApiError {
  constructor(expected: number | undefined, actual: number) {
    super(409, `version: the stored version is ${actual}${expected === undefined ? '' : `, not ${expected}`}; read the entity again and send its current version`);
  }
}

/** Errors from the domain and database that are the caller's to fix: 400 with their message. */
const BAD_INPUT = [InvalidAccountIdError, AccountFilterSyntaxError, UnknownAccountError, BillTotalMismatchError, UnknownCredentialError, UnsupportedIntegrationError, InvalidPrivateKeyError, UnknownLinkedConfigError, BaseUrlNotAllowedError];

/**
 * One error shape for every route, m3ter's `{ message }`, naming the field and the fix. Nothing of
 * the request body is echoed (it may hold a private key), and 5xx answers say nothing internal.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const messages = error.validation.map((v) => {
        const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || error.validationContext || 'body';
        return `${field}: ${v.message}`;
      });
      return reply.code(400).send({ message: messages.join('; ') });
    }
    if (error instanceof ZodError) {
      return reply.code(400).send({ message: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    }
    if (error instanceof ApiError) {
      if (error.options.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.options.retryAfterSeconds));
      return reply.code(error.statusCode).send({ message: error.message });
    }
    if (error instanceof BillLockedError || error instanceof BillIdUnavailableError || error instanceof MirroredByM3terError) return reply.code(409).send({ message: error.message });
    if (BAD_INPUT.some((type) => error instanceof type)) return reply.code(400).send({ message: error.message });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ message: `request body too large: this route takes at most ${describeBytes(request.routeOptions.bodyLimit)}` });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ message: 'send JSON with Content-Type: application/json' });
    // Unparseable JSON, or JSON carrying __proto__ (refused against prototype poisoning).
    if (error.code?.startsWith('FST_ERR_CTP') || error.code === 'FST_ERR_VALIDATION') {
      return reply.code(error.statusCode ?? 400).send({ message: `body: ${error.message}; send a JSON object` });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ message: error.message });
    }
    if (isResponseSerializationError(error)) request.log.error({ err: error }, 'response did not match its schema');
    // Database constraint violations are the caller's data conflicting with what is stored.
    const pgCode = (error as { code?: string }).code;
    if (pgCode === '23505') return reply.code(409).send({ message: 'an entity with these unique fields already exists' });
    if (pgCode === '22P02' || pgCode === '23503') return reply.code(400).send({ message: 'a referenced id is malformed or does not exist' });
    // Text with NUL characters, impossible dates, out-of-range numbers: the caller's data, not our fault.
    if (pgCode === '22021' || pgCode === '22P05') return reply.code(400).send({ message: 'text fields must not contain NUL characters or invalid UTF-8' });
    if (pgCode === '22007' || pgCode === '22008') return reply.code(400).send({ message: 'a date or time is not a real calendar value (use YYYY-MM-DD)' });
    if (pgCode === '22003' || pgCode === '22001') return reply.code(400).send({ message: 'a value is out of range or too long' });
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.code(503).header('retry-after', '5').send({ message: 'the database is unavailable (PostgreSQL cannot be reached); try again in a few seconds' });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ message: 'internal error; the service log has the details' });
  });
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
