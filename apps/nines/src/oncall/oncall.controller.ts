import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../../../libs/access/src/caller';
import { CallerOf, NeedsRole } from '../access/requires';
import { Validate } from '../runtime/validate';
import { NowQuery, OverrideBody, OverrideId, RotaQuery } from './oncall.schemas';
import { OnCallService } from './oncall.service';

const ICS = 'text/calendar; charset=utf-8';
const SHAPE = 'the config file\'s shape (README, on-call); config entries are read-only here';

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

  @Post('people')
  @NeedsRole('admin')
  @HttpCode(201)
  @ApiOperation({ summary: `Make a person: ${SHAPE}` })
  createPerson(@CallerOf() caller: Caller, @Body() body: unknown) {
    return this.oncall.create(caller, 'person', body);
  }

  @Get('people/:name.ics')
  @NeedsRole('viewer')
  @Header('Content-Type', ICS)
  @ApiOperation({ summary: "iCalendar feed of a person's shifts in every schedule (a week back, 60 days ahead)" })
  personFeed(@Param('name') name: string) {
    return this.oncall.personFeed(name);
  }

  @Get('people/:name')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One person, with source: config | api' })
  person(@Param('name') name: string) {
    return this.oncall.entry('person', name);
  }

  @Put('people/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: `Replace a person made over the API: ${SHAPE}` })
  updatePerson(@CallerOf() caller: Caller, @Param('name') name: string, @Body() body: unknown) {
    return this.oncall.update(caller, 'person', name, body);
  }

  @Delete('people/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Delete a person made over the API (409 while a policy, schedule or shift swap names them)' })
  removePerson(@CallerOf() caller: Caller, @Param('name') name: string) {
    return this.oncall.remove(caller, 'person', name);
  }

  @Get('escalation-policies')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Escalation policies and their steps' })
  policies() {
    return this.oncall.policies();
  }

  @Post('escalation-policies')
  @NeedsRole('admin')
  @HttpCode(201)
  @ApiOperation({ summary: `Make an escalation policy: ${SHAPE}` })
  createPolicy(@CallerOf() caller: Caller, @Body() body: unknown) {
    return this.oncall.create(caller, 'escalation_policy', body);
  }

  @Get('escalation-policies/:name')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One escalation policy, with source: config | api' })
  policy(@Param('name') name: string) {
    return this.oncall.entry('escalation_policy', name);
  }

  @Put('escalation-policies/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: `Replace an escalation policy made over the API: ${SHAPE}` })
  updatePolicy(@CallerOf() caller: Caller, @Param('name') name: string, @Body() body: unknown) {
    return this.oncall.update(caller, 'escalation_policy', name, body);
  }

  @Delete('escalation-policies/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: "Delete an escalation policy made over the API (409 while a config route pages through it)" })
  removePolicy(@CallerOf() caller: Caller, @Param('name') name: string) {
    return this.oncall.remove(caller, 'escalation_policy', name);
  }

  @Get('schedules')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Schedules with their layers and overrides' })
  schedules() {
    return this.oncall.list();
  }

  @Post('schedules')
  @NeedsRole('admin')
  @HttpCode(201)
  @ApiOperation({ summary: `Make a schedule: ${SHAPE}` })
  createSchedule(@CallerOf() caller: Caller, @Body() body: unknown) {
    return this.oncall.create(caller, 'schedule', body);
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

  @Put('schedules/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: `Replace a schedule made over the API: ${SHAPE}` })
  updateSchedule(@CallerOf() caller: Caller, @Param('name') name: string, @Body() body: unknown) {
    return this.oncall.update(caller, 'schedule', name, body);
  }

  @Delete('schedules/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Delete a schedule made over the API (409 while a policy names it)' })
  removeSchedule(@CallerOf() caller: Caller, @Param('name') name: string) {
    return this.oncall.remove(caller, 'schedule', name);
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
