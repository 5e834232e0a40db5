import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../common/src/rows';
import { toDate, toMs } from '../../common/src/time';
import type { Matcher } from '../../config/src/matchers';
import type { NewSilence, Silence } from './silence';

type Q = Pick<EntityManager, 'query'>;

/** Serialises silence creation across replicas, so the open-silence limit holds. */
export const SILENCE_LIMIT_LOCK_ID = 7_297_297_011;

interface SilenceRow {
  id: string;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  comment: string;
}

/** The only SQL on the `silences` table: the API writes silences, the dispatch and SLOs read them. */
export class SilenceRepository {
  constructor(private readonly db: Pick<DataSource, 'query' | 'transaction'>) {}

  /** The latest silences with their status as of the database's clock, as `GET /api/v1/silences` shows them. */
  async list(limit = 500): Promise<(SilenceRow & { created_at: Date; expired_at: Date | null; status: 'active' | 'pending' | 'expired' })[]> {
    return this.db.query(
      `select id, matchers, starts_at, ends_at, created_by, comment, created_at, expired_at,
              case when expired_at is not null or ends_at <= now() then 'expired' when starts_at > now() then 'pending' else 'active' end as status
         from silences order by created_at desc limit $1`,
      [limit],
    );
  }

  /**
   * Stores a silence unless `maxOpen` silences are already open (active or pending): counted and
   * inserted under a transaction-scoped advisory lock, so replicas creating at once cannot pass
   * the limit together.
   */
  async create(s: NewSilence, maxOpen = Infinity): Promise<{ created: { id: string; starts_at: Date; ends_at: Date } } | { open: number }> {
    return this.db.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1)', [SILENCE_LIMIT_LOCK_ID]);
      const [{ open }] = await m.query(`select count(*)::int as open from silences where expired_at is null and ends_at > now()`);
      if (open >= maxOpen) return { open };
      const [row] = await m.query(
        'insert into silences (matchers, starts_at, ends_at, created_by, comment) values ($1, $2, $3, $4, $5) returning id, starts_at, ends_at',
        [JSON.stringify(s.matchers), toDate(s.startsAt), toDate(s.endsAt), s.createdBy, s.comment],
      );
      return { created: row };
    });
  }

  /** Moves an open silence's end; the row as it was and as it is, or undefined when it is not open. */
  async extend(id: string, endsAt: number): Promise<{ before: { ends_at: Date }; after: { id: string; starts_at: Date; ends_at: Date } } | undefined> {
    return this.db.transaction(async (m) => {
      const rows: { ends_at: Date }[] = await m.query('select ends_at from silences where id = $1 and expired_at is null and ends_at > now() for update', [id]);
      if (!rows.length) return undefined;
      const [after] = await m.query('update silences set ends_at = $2 where id = $1 returning id, starts_at, ends_at', [id, toDate(endsAt)]);
      return { before: rows[0], after };
    });
  }

  /** Ends a silence now; false when there is no such silence or it was already expired. */
  async expire(id: string): Promise<boolean> {
    return rowsOf(await this.db.query('update silences set expired_at = now() where id = $1 and expired_at is null returning id', [id])).length > 0;
  }

  /**
   * Silences in force at `now`. `q` lets the dispatch read them inside its own transaction, so a
   * flush sees the silences and the alerts of one moment.
   */
  async active(now: number, q: Q = this.db): Promise<Silence[]> {
    const rows: SilenceRow[] = await q.query(
      'select id, matchers, starts_at, ends_at, created_by, comment from silences where expired_at is null and starts_at <= $1 and ends_at > $1',
      [toDate(now)],
    );
    return rows.map((r) => ({ id: r.id, matchers: r.matchers, startsAt: toMs(r.starts_at), endsAt: toMs(r.ends_at), createdBy: r.created_by, comment: r.comment }));
  }

  /** Silences that overlapped [from, to), each cut at its expiry: what SLOs exclude. */
  async overlapping(from: number, to: number): Promise<{ matchers: Matcher[]; start: number; end: number }[]> {
    const rows: { matchers: Matcher[]; starts_at: Date; ends_at: Date }[] = await this.db.query(
      `select matchers, starts_at, least(ends_at, coalesce(expired_at, ends_at)) as ends_at from silences
        where starts_at < $2 and least(ends_at, coalesce(expired_at, ends_at)) > $1`,
      [toDate(from), toDate(to)],
    );
    return rows.map((s) => ({ matchers: s.matchers, start: toMs(s.starts_at), end: toMs(s.ends_at) }));
  }
}
