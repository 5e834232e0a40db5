import { z } from 'zod';
import { parseDuration } from '../../../common/src/duration';
import { userRegexProblem } from '../../../common/src/user-regex';

/** Field helpers shared by driver schemas, so every driver reports the same reasons. */
export const durationField = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'is not a duration (use e.g. 500ms, 10s, 5m, 1h, 30d)',
});

/** A regular expression in RE2 syntax (searched, not anchored); the reason names what RE2 refuses. */
export const regexField = z.string().superRefine((s, ctx) => {
  const problem = userRegexProblem(s);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a valid regular expression: ${problem}` });
});

export const hostPort = z.string().refine((s) => parseHostPort(s) !== undefined, {
  message: 'must be host:port (IPv6 as [::1]:port)',
});

export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s\[\]]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

function urlWithSchemes(schemes: string[]) {
  return z.string().superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a valid URL' });
      return;
    }
    const scheme = u.protocol.replace(/:$/, '');
    if (!schemes.includes(scheme)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must use ${schemes.map((x) => x + '://').join(' or ')}, not ${scheme}://` });
    }
  });
}

export const httpUrl = urlWithSchemes(['http', 'https']);
export const postgresUrl = urlWithSchemes(['postgres', 'postgresql']);
export const redisUrl = urlWithSchemes(['redis', 'rediss']);
export const mysqlUrl = urlWithSchemes(['mysql', 'mariadb']);
export { urlWithSchemes };

/** URL parts with a stray `%` (a password like `100%off`) are used as written instead of throwing. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
