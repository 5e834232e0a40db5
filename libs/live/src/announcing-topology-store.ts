import type { TopologyStore, TopologyWrite, TopologyWriteResult } from '../../topology/src/commit';
import type { Publish } from './change-feed';

/**
 * A topology store that names each committed system (and the incidents its events touched) on
 * the change feed once the transaction is done, so a console sees a failover as it is recorded.
 */
export class AnnouncingTopologyStore implements TopologyStore {
  constructor(
    private readonly inner: TopologyStore,
    private readonly publish: Publish,
    private readonly now: () => number = Date.now,
  ) {}

  load(system: string) {
    return this.inner.load(system);
  }

  async write(w: TopologyWrite): Promise<TopologyWriteResult> {
    const r = await this.inner.write(w);
    if (r.ok) {
      const at = this.now();
      for (const id of r.incidents ?? []) this.publish({ kind: 'incident', id, at });
      this.publish({ kind: 'system', name: w.system, at });
    }
    return r;
  }
}
