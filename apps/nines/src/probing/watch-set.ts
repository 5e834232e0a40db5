import type { Logger } from 'pino';
import type { Clock } from '../../../../libs/common/src/clock';
import type { DriverEvent, Watch } from '../../../../libs/probes/src/driver';
import { driverFor } from '../../../../libs/probes/src/registry';
import { shardKey, type ProbeTarget } from '../../../../libs/probes/src/target';

/**
 * Keeps one live watch (Sentinel subscription, …) per watch-capable target that this replica
 * owns; reconciled every couple of seconds so watches follow targets between replicas.
 */
export class WatchSet {
  private targets: ProbeTarget[] = [];
  private active = new Map<string, { watch: Watch; spec: string }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly owns: (key: string) => boolean,
    private readonly onEvent: (target: ProbeTarget, event: DriverEvent) => void,
  ) {}

  setTargets(targets: ProbeTarget[]): void {
    this.targets = targets.filter((t) => driverFor(t.probe.kind)?.watch);
    if (this.timer) this.reconcile();
  }

  start(): void {
    this.reconcile();
    this.timer = setInterval(() => this.reconcile(), 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map((a) => a.watch.stop().catch(() => undefined)));
  }

  private reconcile(): void {
    const wanted = new Map(this.targets.filter((t) => this.owns(shardKey(t))).map((t) => [t.key, t]));
    for (const [key, a] of this.active) {
      const t = wanted.get(key);
      if (!t || JSON.stringify(t.probe) !== a.spec) {
        this.active.delete(key);
        void a.watch.stop().catch(() => undefined);
      }
    }
    for (const [key, t] of wanted) {
      if (this.active.has(key)) continue;
      const driver = driverFor(t.probe.kind)!;
      const watch = driver.watch!(t.probe, {
        emit: (e) => this.onEvent(t, { ...e, at: e.at ?? this.clock.now() }),
        onError: (reason) => this.logger.warn({ target: key, reason }, `watch of ${key}: ${reason}`),
      });
      this.active.set(key, { watch, spec: JSON.stringify(t.probe) });
    }
  }
}
