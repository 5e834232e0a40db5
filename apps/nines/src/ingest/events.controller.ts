import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestService } from './ingest.service';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: IngestService) {}

  @Post('keepalived')
  @HttpCode(202)
  @ApiOperation({ summary: 'keepalived notify: { type, name, state: MASTER|BACKUP|FAULT|STOP, priority, node?, system? }; without node, the member probed at the sender\'s address (see examples/keepalived-notify.sh)' })
  keepalived(@Body() body: unknown, @Req() req: Request) {
    return this.events.keepalived(body, req.socket.remoteAddress);
  }

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Alertmanager webhook v4 payload; alerts join incidents of the system named by their `system` (or `service`, `job`) label' })
  alertmanager(@Body() body: unknown) {
    return this.events.alertmanager(body);
  }

  @Post('generic')
  @HttpCode(202)
  @ApiOperation({ summary: '{ system, message, member?, severity?: critical|major|warning|info, bad?, at? }' })
  generic(@Body() body: unknown) {
    return this.events.generic(body);
  }
}
