import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AckBody, DrillBody, IncidentId, IncidentListQuery, NoteBody, ResolveBody } from './incidents.schemas';
import { IncidentsService } from './incidents.service';
import { Validate } from '../runtime/validate';
import { CallerOf, NeedsRole } from '../access/requires';
import type { Caller } from '../../../../libs/access/src/caller';

@ApiTags('incidents')
@Controller('api/v1')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get('incidents')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Incidents, newest first; filter by state, system and time' })
  @ApiQuery({ name: 'state', required: false, enum: ['open', 'resolved'] })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'since', required: false, description: 'RFC 3339; incidents still open at or after' })
  @ApiQuery({ name: 'until', required: false, description: 'RFC 3339; incidents opened at or before' })
  @ApiQuery({ name: 'limit', required: false })
  list(@Query(new Validate(IncidentListQuery)) q: IncidentListQuery) {
    return this.incidents.list(q);
  }

  @Get('incidents/:id')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One incident with its measurements (time to detect, RTO, failover duration, RPO, TTA, TTR) and how each was measured' })
  get(@Param('id', new Validate(IncidentId, 'id')) id: number) {
    return this.incidents.get(id);
  }

  @Get('incidents/:id/timeline')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'The append-only timeline of an incident' })
  timeline(@Param('id', new Validate(IncidentId, 'id')) id: number) {
    return this.incidents.timeline(id);
  }

  @Post('incidents/:id/ack')
  @NeedsRole('responder')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an incident; body { "by": "name" } (optional)' })
  ack(@CallerOf() caller: Caller, @Param('id', new Validate(IncidentId, 'id')) id: number, @Body(new Validate(AckBody)) body: AckBody) {
    return this.incidents.ack(caller, id, body);
  }

  @Post('incidents/:id/notes')
  @NeedsRole('responder')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a note to the timeline: { "text": "…" }; recorded in the audit log' })
  note(@CallerOf() caller: Caller, @Param('id', new Validate(IncidentId, 'id')) id: number, @Body(new Validate(NoteBody)) body: NoteBody) {
    return this.incidents.note(caller, id, body);
  }

  @Post('incidents/:id/resolve')
  @NeedsRole('responder')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an incident by hand (a new failure within 5 minutes reopens it); recorded in the audit log' })
  resolve(@CallerOf() caller: Caller, @Param('id', new Validate(IncidentId, 'id')) id: number, @Body(new Validate(ResolveBody)) body: ResolveBody) {
    return this.incidents.resolve(caller, id, body);
  }

  @Get('drills')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Drills (planned switchovers), newest first' })
  drills() {
    return this.incidents.listDrills();
  }

  @Post('drills')
  @NeedsRole('responder')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start or stop a drill: { "system": "orders-db", "action": "start" | "stop", "by"?, "note"? }' })
  drill(@CallerOf() caller: Caller, @Body(new Validate(DrillBody)) body: DrillBody) {
    return this.incidents.drill(caller, body);
  }
}
