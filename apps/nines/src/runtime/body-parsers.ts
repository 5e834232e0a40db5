import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json, raw, urlencoded } from 'express';
import { jsonDepthExceeds } from '../../../../libs/common/src/json-depth';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { SLACK_INTERACTIONS_PATH } from '../../../../libs/notify/src/slack-interaction';

/** Deepest JSON nesting a request body may have: every API body is a few levels deep. */
export const MAX_JSON_DEPTH = 64;

/** The ack form's body: one field. */
const FORM_LIMIT = '16kb';

/** Raised while reading a body; the error filter answers with its status and message. */
const refused = (status: number, message: string, type: string) => Object.assign(new Error(message), { status, statusCode: status, expose: true, type });

function verifyDepth(_req: Request, _res: Response, buf: Buffer): void {
  if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) throw refused(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels`, 'entity.too.deep');
}

/**
 * The request body parsers: JSON up to `limits.body` (413 beyond) and at most MAX_JSON_DEPTH
 * deep (400), and the ack form. The JSON parser is rebuilt when a reload changes `limits.body`.
 */
export function bodyParsers(config: ConfigHolder): RequestHandler[] {
  let limit = config.get().raw.limits.body;
  let jsonParser = json({ limit, verify: verifyDepth });
  config.onChange((next) => {
    if (next.raw.limits.body === limit) return;
    limit = next.raw.limits.body;
    jsonParser = json({ limit, verify: verifyDepth });
  });
  // Slack signs the exact bytes it sends: its interactivity callback keeps its body raw (a form
  // holding the JSON of the message it came from, so up to limits.body rather than the ack form's 16kb).
  let slackLimit = limit;
  let slackParser = raw({ type: 'application/x-www-form-urlencoded', limit: slackLimit });
  const slack = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== SLACK_INTERACTIONS_PATH) return next();
    if (slackLimit !== limit) slackParser = raw({ type: 'application/x-www-form-urlencoded', limit: (slackLimit = limit) });
    slackParser(req, res, next);
  };
  return [slack, (req: Request, res: Response, next: NextFunction) => jsonParser(req, res, next), urlencoded({ limit: FORM_LIMIT, extended: false })];
}
