import type { Logger } from 'pino';
import type { Clock } from '../../common/src/clock';
import { feeds, ruleFor, verdictOf, verdictState, voteOf, type SettledVerdict, type Vote } from './location-votes';
import type { ProbeResult } from './observation';
import type { QuorumVerdict } from './quorum';
import type { ProbeTarget } from './target';
import type { TargetState, TargetStatus, Transition } from './target-state';

/** The votes board as the gate needs it (RedisLocationBoard; an in-memory one in unit tests). */
export interface VoteBoard {
  readonly location: string;
  live(): ReadonlySet<string>;
  cast(target: string, vote: Vote | undefined, locations: readonly string[]): Promise<Map<string, Vote>>;
  settle(target: string, status: TargetStatus, at: number): Promise<SettledVerdict>;
}

export interface Judged {
  /** Whether this location's result goes on to alerts, topology and storage. */
  feed: boolean;
  /** The result and state as the rest of Nines sees them: the verdict's. */
  result: ProbeResult;
  state: TargetState;
  /**
   * This location passes on a result of the target after not passing on the previous one: others
   * acted on the target meanwhile, so what this process cached of it is old.
   */
  resumed?: boolean;
  /** Set on the one location whose result changed the verdict. */
  transition?: Transition;
  verdict?: QuorumVerdict;
  /** The board could not be reached: this location's own view stands in. */
  alone?: boolean;
}

/**
 * Between a location's probe engine and everything downstream: each result is a vote; the verdict
 * of all locations' fresh votes is what alerts, topology, the stored state and /metrics see.
 * Results of one target are judged in order. Without the board (Redis away) each location acts
 * on its own view, as a single vantage point would: a page too many beats a page lost.
 */
export class LocationGate {
  private readonly states = new Map<string, TargetState>();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Whether this location passed on the last result it judged of each target. */
  private readonly fed = new Map<string, boolean>();
  private warnedAt = -Infinity;

  constructor(
    private readonly board: VoteBoard,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** The verdict state of a target as this process last judged it (for /metrics). */
  state(key: string): TargetState | undefined {
    return this.states.get(key);
  }

  judge(t: ProbeTarget, r: ProbeResult, local: TargetState): Promise<Judged> {
    const prev = this.chains.get(t.key) ?? Promise.resolve();
    const next = prev.then(() => this.judgeNow(t, r, local));
    const settled = next.catch(() => undefined);
    this.chains.set(t.key, settled);
    void settled.then(() => {
      if (this.chains.get(t.key) === settled) this.chains.delete(t.key);
    });
    return next;
  }

  forget(keys: ReadonlySet<string>): void {
    for (const k of [...this.states.keys()]) if (!keys.has(k)) this.states.delete(k);
    for (const k of [...this.fed.keys()]) if (!keys.has(k)) this.fed.delete(k);
  }

  private async judgeNow(t: ProbeTarget, r: ProbeResult, local: TargetState): Promise<Judged> {
    const me = this.board.location;
    const live = this.board.live();
    const rule = ruleFor(t, live);
    const own = voteOf(local, r);
    try {
      const votes = await this.board.cast(t.key, own, rule.locations);
      const verdict = verdictOf(t, votes, live, this.clock.now());
      const settled = await this.board.settle(t.key, verdict.state, r.scheduledAt);
      const state = verdictState(local, settled, verdict, votes);
      this.states.set(t.key, state);
      const transition = settled.changed ? { from: settled.previous ?? 'unknown', to: settled.status, at: settled.since } : undefined;
      const feed = feeds(me, own, settled, verdict, rule);
      const resumed = feed && this.fed.get(t.key) === false;
      this.fed.set(t.key, feed);
      return { feed, resumed, result: state.lastResult ?? r, state, transition, verdict };
    } catch (err) {
      const now = this.clock.now();
      if (now - this.warnedAt > 60_000) {
        this.warnedAt = now;
        this.logger.warn({ err, location: me }, `cannot reach the votes board: ${me} acts on what it sees alone until it is back`);
      }
      this.states.set(t.key, local);
      const resumed = this.fed.get(t.key) === false;
      this.fed.set(t.key, true);
      return { feed: true, resumed, result: r, state: local, alone: true };
    }
  }
}
