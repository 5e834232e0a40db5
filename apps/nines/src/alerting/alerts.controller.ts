import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertQueryService } from './alerts-query.service';
import { AckLinkBody, AlertsQuery, HistoryQuery, NotificationsQuery } from './alerts.schemas';
import { Validate } from '../runtime/validate';
import { CallerOf, NeedsRole, Open } from '../access/requires';
import type { Caller } from '../../../../libs/access/src/caller';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

@ApiTags('alerts')
@Controller('api/v1')
export class AlertsController {
  constructor(private readonly alerts: AlertQueryService) {}

  @Get('alerts')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Alerts with their current state; filter by state, alertname, system, incident' })
  list(@Query(new Validate(AlertsQuery)) q: AlertsQuery) {
    return this.alerts.alerts(q);
  }

  @Get('alerts/history')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Every alert state change; filter by alertname, system, fingerprint, since, until' })
  history(@Query(new Validate(HistoryQuery)) q: HistoryQuery) {
    return this.alerts.history(q);
  }

  @Get('silences')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Silences' })
  silences() {
    return this.alerts.silences();
  }

  @Get('silences/preview')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Which pending and firing alerts a silence with these matchers would mute, before saving it: ?matchers=alertname="X"&matchers=… (parsed and matched by the same code as a silence); matchers saving would refuse answer { valid: false, problem }' })
  previewSilence(@Query('matchers') matchers: unknown) {
    return this.alerts.previewSilence(matchers);
  }

  @Post('silences/:id/extend')
  @NeedsRole('responder')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move an open silence\'s end: { "ends_at": RFC 3339 }; recorded in the audit log' })
  extendSilence(@CallerOf() caller: Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.alerts.extendSilence(caller, id, body);
  }

  @Get('alerts/active')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Pending and firing alerts with their routing (receivers, and the route matchers that chose them) and the silences muting them' })
  active() {
    return this.alerts.activeAlerts();
  }

  @Post('silences')
  @NeedsRole('responder')
  @ApiOperation({ summary: 'Create a silence: { matchers: ["system=\\"orders-db\\""], starts_at?, ends_at, created_by, comment }; respected immediately' })
  createSilence(@CallerOf() caller: Caller, @Body() body: unknown) {
    return this.alerts.createSilence(caller, body);
  }

  @Delete('silences/:id')
  @NeedsRole('responder')
  @ApiOperation({ summary: 'Expire a silence' })
  expire(@CallerOf() caller: Caller, @Param('id') id: string) {
    return this.alerts.expireSilence(caller, id);
  }

  @Get('notifications')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'The notification log: what was sent, retried or dead-lettered; filter by state and receiver' })
  notifications(@Query(new Validate(NotificationsQuery)) q: NotificationsQuery) {
    return this.alerts.notificationLog(q);
  }

  @Get('ack/:token')
  @Open()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'The page behind an acknowledgement link (a button that POSTs; fetching the link acknowledges nothing)' })
  ackPage(@Param('token') token: string) {
    const id = this.alerts.checkAck(token);
    return `<!doctype html><meta name="viewport" content="width=device-width,initial-scale=1"><title>Acknowledge incident ${id}</title>
<body style="font-family:sans-serif;padding:24px"><h2>Acknowledge incident ${id}?</h2>
<form method="post" action="${esc(token)}"><input name="by" placeholder="your name" aria-label="your name" style="font-size:18px;padding:8px"> <button style="font-size:18px;padding:8px 16px">Acknowledge</button></form>
<p><a id="incident" href="/incidents/${id}">Open incident ${id} in the console</a> (signed in) to see its timeline first.</p></body>`;
  }

  @Post('ack/:token')
  @Open()
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge the incident of a signed, expiring ack link; stops repeats and escalation' })
  ack(@CallerOf() caller: Caller, @Param('token') token: string, @Body(new Validate(AckLinkBody)) body: AckLinkBody) {
    return this.alerts.ackByToken(caller, token, body.by);
  }
}
