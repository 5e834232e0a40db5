import { userInfo } from 'node:os';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import { cliCaller } from '../../../../libs/access/src/caller';
import { TokenAdmin } from '../../../../libs/access/src/token-admin';
import { TokenRepository, type TokenView } from '../../../../libs/access/src/token.repository';
import { systemClock } from '../../../../libs/common/src/clock';
import { DomainError } from '../../../../libs/common/src/errors';
import { readSettings } from '../../../../libs/config/src/settings';
import { createDataSource, ensureDatabase, initializeDataSource, migrate } from '../../../../libs/storage/src/database';

export const TOKEN_USAGE = `usage: nines token create --name NAME --role viewer|responder|admin|ingest [--source keepalived|alertmanager|generic|heartbeat] [--expires 90d]
       nines token list [--revoked]
       nines token revoke NAME`;

function usage(): never {
  process.stderr.write(`${TOKEN_USAGE}\n`);
  process.exit(2);
}

/** Flags of the form --name VALUE; a flag given without its value, or an unknown one, is a usage error. */
function parseFlags(args: string[], known: string[], switches: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    if (!args[i].startsWith('--')) usage();
    if (switches.includes(name)) out[name] = 'true';
    else if (known.includes(name) && args[i + 1] !== undefined && !args[i + 1].startsWith('--')) out[name] = args[++i];
    else usage();
  }
  return out;
}

function table(rows: TokenView[]): string {
  const head = ['NAME', 'ROLE', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'];
  const cells = rows.map((r) => [r.name, r.source ? `ingest:${r.source}` : r.role, r.created_at.slice(0, 16) + 'Z', r.expires_at ? r.expires_at.slice(0, 16) + 'Z' : 'never', r.last_used_at ? r.last_used_at.slice(0, 16) + 'Z' : 'never', r.revoked_at ? r.revoked_at.slice(0, 16) + 'Z' : '']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [head, ...cells].map((c) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * `nines token …`: the first admin token of a new deployment comes from here. `create` prints the
 * token alone on its last line of stdout (for `| tail -1`), once; only its hash is stored.
 */
export async function tokenCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') usage();
  if (action === 'revoke' && (rest.length !== 1 || rest[0].startsWith('--'))) usage();
  const flags = action === 'create' ? parseFlags(rest, ['name', 'role', 'source', 'expires']) : action === 'list' ? parseFlags(rest, [], ['revoked']) : {};
  if (action === 'create' && (!flags.name || !flags.role)) usage();

  const settings = readSettings();
  await ensureDatabase(settings.databaseUrl);
  const ds = createDataSource(settings.databaseUrl, { poolSize: 2, applicationName: 'nines-token' });
  await initializeDataSource(ds, settings.databaseUrl);
  try {
    await migrate(ds);
    const admin = new TokenAdmin(new TokenRepository(ds), new AuditRepository(ds), systemClock);
    const caller = cliCaller(settings.env.USER || safeUser());
    if (action === 'create') {
      const { token, view } = await admin.create(caller, { name: flags.name, role: flags.role, source: flags.source, expires: flags.expires });
      process.stderr.write(`created ${view.role === 'ingest' ? `an ingest token for ${view.source}` : `${view.role === "admin" ? "an" : "a"} ${view.role} token`} named ${view.name}${view.expires_at ? `, expiring ${view.expires_at}` : ''}; it is shown only now:\n`);
      process.stdout.write(`${token}\n`);
    } else if (action === 'list') {
      const rows = await admin.list(flags.revoked === 'true');
      process.stdout.write(rows.length ? `${table(rows)}\n` : 'no tokens: create one with `nines token create --name NAME --role admin`\n');
    } else {
      const view = await admin.revoke(caller, rest[0]);
      process.stdout.write(`revoked ${view.name}\n`);
    }
  } catch (err) {
    if (err instanceof DomainError) {
      process.stderr.write(`nines: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  } finally {
    await ds.destroy();
  }
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
