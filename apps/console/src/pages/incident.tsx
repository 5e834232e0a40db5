import type { Me } from '../api';
import type { LiveState } from '../live';

export function IncidentPage({ id }: { id: number; live: LiveState; me: Me }) {
  return <h1>Incident #{id}</h1>;
}
