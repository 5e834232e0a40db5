import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRepository } from '../../../../libs/access/src/audit.repository';
import type { Clock } from '../../../../libs/common/src/clock';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { intervalOf } from '../../../../libs/config/src/config';
import { IncidentRepository } from '../../../../libs/incidents/src/incident.repository';
import { slackAckOf, verifySlackRequest } from '../../../../libs/notify/src/slack-interaction';
import { AccessRefused } from '../access/access-gate';
import { CLOCK, CONFIG, LOGGER } from '../runtime/tokens';

/**
 * Slack's interactivity callbacks: the Acknowledge button of a Slack notification. The request's
 * own signature (a slack receiver's signing_secret) is its authority, as the signed ack links' is;
 * a forged or stale request is 401 and changes nothing.
 */
@Injectable()
export class SlackInteractionsService {
  constructor(
    private readonly incidents: IncidentRepository,
    private readonly audit: AuditRepository,
    @Inject(CONFIG) private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async interaction(headers: Record<string, string | string[] | undefined>, body: unknown, address: string | undefined) {
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const secrets = this.config.get().raw.alerting.receivers.flatMap((r) => (r.slack?.signing_secret ? [r.slack.signing_secret] : []));
    const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
    const verdict = verifySlackRequest(secrets, one(headers['x-slack-request-timestamp']), one(headers['x-slack-signature']), raw, this.clock.now());
    if (!verdict.ok) {
      this.logger.warn({ address, reason: verdict.reason }, 'slack interaction refused');
      throw new AccessRefused(401, 'unauthorized', `not a request from Slack: ${verdict.reason}`);
    }
    const ack = slackAckOf(raw);
    // Slack wants a 200 within 3 s for every interaction, including the ones that ask nothing of us.
    if (!ack) return {};
    const r = await this.incidents.acknowledge(ack.incidentId, ack.user, this.clock.now(), (s, m) => intervalOf(this.config.get(), s, m));
    if (r === 'missing') return { incident: ack.incidentId, acknowledged: false };
    if (r !== 'already')
      await this.audit.record({ actor: ack.user, role: 'slack', address }, { action: 'incident.ack', target: String(ack.incidentId), after: { acknowledged_by: ack.user, via: 'slack' } });
    return { incident: ack.incidentId, acknowledged: true, already_acknowledged: r === 'already' };
  }
}
