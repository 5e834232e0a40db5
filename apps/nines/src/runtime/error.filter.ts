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
    } else if ((err as { type?: string; status?: number })?.type === 'entity.parse.failed' || (err as { status?: number })?.status === 400) {
      status = 400;
      body = { code: 'bad_request', message: 'request body is not valid JSON', details: {} };
    } else if ((err as { status?: number })?.status === 413) {
      status = 413;
      body = { code: 'payload_too_large', message: 'request body is too large', details: {} };
    } else {
      this.logger.error({ err }, 'unhandled error in request');
      body = { code: 'internal', message: 'internal error', details: {} };
    }
    if (status === HttpStatus.NOT_FOUND && !(err instanceof DomainError)) body.message = 'no such endpoint';
    res.status(status).json(secretScrubber.scrubValue({ error: body }));
  }
}
