import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestService } from './ingest.service';
import { AlertmanagerBody, GenericBody, KeepalivedBody } from './ingest.schemas';
import { Validate, ValidateWithLimits } from '../runtime/validate';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: IngestService) {}

  @Post('keepalived')
  @HttpCode(202)
  @ApiOperation({ summary: 'keepalived notify: { type, name, state: MASTER|BACKUP|FAULT|STOP, priority, node?, system? }; without node, the member probed at the sender\'s address (see examples/keepalived-notify.sh)' })
  keepalived(@Body(new Validate(KeepalivedBody)) body: KeepalivedBody, @Req() req: Request) {
    return this.events.keepalived(body, req.socket.remoteAddress);
  }

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Alertmanager webhook v4 payload; alerts join incidents of the system named by their `system` (or `service`, `job`) label' })
  alertmanager(@Body(ValidateWithLimits(AlertmanagerBody)) body: AlertmanagerBody) {
    return this.events.alertmanager(body);
  }

  @Post('generic')
  @HttpCode(202)
  @ApiOperation({ summary: '{ system, message, member?, severity?: critical|major|warning|info, bad?, at? }' })
  generic(@Body(new Validate(GenericBody)) body: GenericBody) {
    return this.events.generic(body);
  }
}
