import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, ErrorCode } from '../../../../libs/common/src/errors';
import { secretScrubber } from '../../../../libs/common/src/secrets';
import { ConfigError } from '../../../../libs/config/src/errors';
import { LOGGER } from './tokens';
import { AccessRefused } from '../access/access-gate';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  invalid_config: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

const HTTP_CODES: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 429: 'too_many_requests', 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type' };

const BODY_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON',
  'entity.too.large': 'request body is too large',
};

/** An error raised with a 4xx status by body-parser (and http-errors), its message meant for the caller. */
function isClientError(err: unknown): err is { status: number; type?: string; message: string } {
  const e = err as { status?: unknown; expose?: unknown; type?: unknown } | null;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && (e.expose === true || typeof e.type === 'string');
}

/** PostgreSQL's data exceptions (class 22: bad encoding, NUL, out of range) and program limits (54000: an index entry too large). */
function isDataException(err: unknown): err is { code: string; message: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22[0-9A-Z]{3}|54000)$/.test(code);
}

/**
 * The one place errors become HTTP: `{ error: { code, message, details } }`, secrets scrubbed.
 * `details` is always there (an empty object when there is nothing more to say), so a client can
 * read `error.details.field` without checking first.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let body: { code: string; message: string; details: unknown };
    if (err instanceof DomainError) {
      status = STATUS[err.code];
      body = { code: err.code, message: err.message, details: err.details ?? {} };
    } else if (err instanceof ConfigError) {
      status = 400;
      body = { code: 'invalid_config', message: 'the new configuration is invalid; the running one was kept', details: err.issues };
    } else if (err instanceof AccessRefused) {
      status = err.getStatus();
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      body = { code: err.code, message: (err.getResponse() as { message: string }).message, details: {} };
    } else if (err instanceof HttpException) {
      status = err.getStatus();
      const r = err.getResponse();
      const message = typeof r === 'string' ? r : ((r as { message?: string | string[] }).message ?? err.message);
      body = { code: HTTP_CODES[status] ?? (status < 500 ? 'bad_request' : 'internal'), message: Array.isArray(message) ? message.join('; ') : String(message), details: {} };
    } else if (isClientError(err)) {
      // Reading the body: malformed JSON, too large, nested too deep, an unknown charset or encoding.
      status = err.status;
      body = { code: HTTP_CODES[status] ?? 'bad_request', message: BODY_MESSAGES[err.type ?? ''] ?? err.message, details: {} };
    } else if (isDataException(err)) {
      // PostgreSQL refused a value the request carried (a NUL that slipped past the pipe, a too
      // large index entry): the caller's input, so a 400, never a 500.
      this.logger.warn({ err }, 'request value refused by the database');
      status = 400;
      body = { code: 'bad_request', message: `a value in the request cannot be stored: ${err.message}`, details: {} };
    } else {
      this.logger.error({ err }, 'unhandled error in request');
      body = { code: 'internal', message: 'internal error', details: {} };
    }
    if (status === HttpStatus.NOT_FOUND && !(err instanceof DomainError)) body.message = 'no such endpoint';
    res.status(status).json(secretScrubber.scrubValue({ error: body }));
  }
}
