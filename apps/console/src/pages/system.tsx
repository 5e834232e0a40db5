import type { LiveState } from '../live';
import { SystemTile } from './overview';

export function SystemPage({ name, live }: { name: string; live: LiveState }) {
  const s = live.systems.get(name);
  return (
    <>
      <h1>{name}</h1>
      {s ? <SystemTile s={s} /> : <p class="quiet">{live.connected ? `No system named ${name}.` : 'Loading…'}</p>}
    </>
  );
}
