import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../../../libs/access/src/caller';
import { CallerOf, NeedsRole } from '../access/requires';
import { Validate } from '../runtime/validate';
import { NowQuery, OverrideBody, OverrideId, RotaQuery } from './oncall.schemas';
import { OnCallService } from './oncall.service';

const ICS = 'text/calendar; charset=utf-8';

@ApiTags('on-call')
@Controller('api/v1')
export class OnCallController {
  constructor(private readonly oncall: OnCallService) {}

  @Get('oncall/now')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Who is on call now and next: { schedule, now: { person, from, until }, next }' })
  now(@Query(new Validate(NowQuery)) q: NowQuery) {
    return this.oncall.now(q.schedule);
  }

  @Get('people')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'People and their contact methods' })
  people() {
    return this.oncall.people();
  }

  @Get('people/:name.ics')
  @NeedsRole('viewer')
  @Header('Content-Type', ICS)
  @ApiOperation({ summary: "iCalendar feed of a person's shifts in every schedule (a week back, 60 days ahead)" })
  personFeed(@Param('name') name: string) {
    return this.oncall.personFeed(name);
  }

  @Get('escalation-policies')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Escalation policies and their steps' })
  policies() {
    return this.oncall.policies();
  }

  @Get('schedules')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Schedules with their layers and overrides' })
  schedules() {
    return this.oncall.list();
  }

  @Get('schedules/:name.ics')
  @NeedsRole('viewer')
  @Header('Content-Type', ICS)
  @ApiOperation({ summary: 'iCalendar feed of a schedule (a week back, 60 days ahead)' })
  scheduleFeed(@Param('name') name: string) {
    return this.oncall.scheduleFeed(name);
  }

  @Get('schedules/:name')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One schedule, its overrides (config and API) and the final rota for ?days= (default 14)' })
  schedule(@Param('name') name: string, @Query(new Validate(RotaQuery)) q: RotaQuery) {
    return this.oncall.get(name, q.days ?? 14);
  }

  @Post('schedules/:name/overrides')
  @NeedsRole('responder')
  @HttpCode(201)
  @ApiOperation({ summary: 'Swap a shift: { person, from, until } (RFC 3339); wins over the rota and the config overrides' })
  addOverride(@CallerOf() caller: Caller, @Param('name') name: string, @Body(new Validate(OverrideBody)) body: OverrideBody) {
    return this.oncall.addOverride(caller, name, body);
  }

  @Delete('schedules/:name/overrides/:id')
  @NeedsRole('responder')
  @ApiOperation({ summary: 'Remove an override made over the API' })
  removeOverride(@CallerOf() caller: Caller, @Param('name') name: string, @Param('id', new Validate(OverrideId, 'id')) id: number) {
    return this.oncall.removeOverride(caller, name, id);
  }
}
