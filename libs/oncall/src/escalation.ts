/**
 * Escalation policies, pure: when each step of a policy pages whom, for a group that started
 * firing at `firstFiringAt` and is still unacknowledged. Step 1 pages at once; each step waits its
 * `after` unacknowledged before the next; the whole list runs `repeat` more times. A step naming
 * a schedule pages whoever is on call when the step starts; a person is paged by their
 * notification rules (each rule's methods after its delay), or by every method at once.
 *
 * The dispatcher keeps, per group, the due time up to which pages were sent: items due in
 * (sentUntil, now] are sent, each with an id derived from (cycle, step, rule), so three replicas
 * and retries page once.
 */
export type ContactMethod = 'email' | 'phone' | 'sms' | 'slack' | 'telegram';

export interface PersonDef {
  name: string;
  email?: string;
  phone?: string;
  slack?: string;
  telegram?: string;
  rules?: { afterMs: number; via: ContactMethod[] }[];
}

export interface PolicyDef {
  name: string;
  steps: { notify: { schedule?: string; person?: string; receiver?: string }; afterMs: number }[];
  repeat: number;
}

export interface EscalationItem {
  /** Stable across evaluations and replicas: `c<cycle>s<step>r<rule>`. */
  id: string;
  dueAt: number;
  cycle: number;
  step: number;
  /** What the step names, and whom it resolved to. */
  notify: PolicyDef['steps'][number]['notify'];
  person?: string;
  /** The person's methods for this item; all they have when they have no rules. */
  via?: ContactMethod[];
  /** A schedule with nobody on call when the step started. */
  nobody?: boolean;
}

/** Which methods a person can be reached by. */
export function methodsOf(p: PersonDef): ContactMethod[] {
  const out: ContactMethod[] = [];
  if (p.email) out.push('email');
  if (p.phone) out.push('phone', 'sms');
  if (p.slack) out.push('slack');
  if (p.telegram) out.push('telegram');
  return out;
}

export function escalationItems(
  policy: PolicyDef,
  firstFiringAt: number,
  people: ReadonlyMap<string, PersonDef>,
  onCall: (schedule: string, at: number) => string | null,
): EscalationItem[] {
  const items: EscalationItem[] = [];
  let at = firstFiringAt;
  for (let cycle = 0; cycle <= policy.repeat; cycle++) {
    policy.steps.forEach((s, step) => {
      const base = { cycle, step, notify: s.notify };
      if (s.notify.receiver) items.push({ ...base, id: `c${cycle}s${step}`, dueAt: at });
      else {
        const who = s.notify.person ?? onCall(s.notify.schedule!, at);
        const p = who ? people.get(who) : undefined;
        if (!p) items.push({ ...base, id: `c${cycle}s${step}`, dueAt: at, person: who ?? undefined, nobody: true });
        else if (!p.rules?.length) items.push({ ...base, id: `c${cycle}s${step}r0`, dueAt: at, person: p.name, via: methodsOf(p) });
        else p.rules.forEach((r, i) => items.push({ ...base, id: `c${cycle}s${step}r${i}`, dueAt: at + r.afterMs, person: p.name, via: r.via.filter((m) => methodsOf(p).includes(m)) }));
      }
      at += s.afterMs;
    });
  }
  return items.sort((a, b) => a.dueAt - b.dueAt || a.cycle - b.cycle || a.step - b.step);
}

/** The items to send now: due after what was already sent and not after `now`. */
export function dueItems(items: EscalationItem[], sentUntil: number | undefined, now: number): EscalationItem[] {
  return items.filter((i) => (sentUntil === undefined || i.dueAt > sentUntil) && i.dueAt <= now);
}
