import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../../../libs/access/src/caller';
import { CallerOf, Ingest, NeedsRole } from '../access/requires';
import { HeartbeatsService } from './heartbeats.service';

@ApiTags('heartbeats')
@Controller('api/v1')
export class HeartbeatsController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @Post('heartbeats/:name')
  @Ingest('heartbeat')
  @HttpCode(202)
  @ApiOperation({ summary: 'A push: the job checked in (an ingest token with source heartbeat); no push for period + grace fires HeartbeatMissing' })
  push(@CallerOf() caller: Caller, @Param('name') name: string) {
    return this.heartbeats.push(caller, name);
  }

  @Get('heartbeats')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Heartbeats: last push, when the next is due, whether one is missing' })
  list() {
    return this.heartbeats.list();
  }
}
