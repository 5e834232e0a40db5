import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestService } from './ingest.service';
import { AlertmanagerBody, GenericBody, KeepalivedBody } from './ingest.schemas';
import { Validate, ValidateWithLimits } from '../runtime/validate';
import { CallerOf, Ingest } from '../access/requires';
import type { Caller } from '../../../../libs/access/src/caller';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: IngestService) {}

  @Post('keepalived')
  @Ingest('keepalived')
  @HttpCode(202)
  @ApiOperation({ summary: 'keepalived notify: { type, name, state: MASTER|BACKUP|FAULT|STOP, priority, node?, system? }; without node, the member probed at the sender\'s address (see examples/keepalived-notify.sh)' })
  keepalived(@CallerOf() caller: Caller, @Body(new Validate(KeepalivedBody)) body: KeepalivedBody) {
    return this.events.keepalived(caller, body);
  }

  @Post('alertmanager')
  @Ingest('alertmanager')
  @HttpCode(202)
  @ApiOperation({ summary: 'Alertmanager webhook v4 payload; alerts join incidents of the system named by their `system` (or `service`, `job`) label' })
  alertmanager(@CallerOf() caller: Caller, @Body(ValidateWithLimits(AlertmanagerBody)) body: AlertmanagerBody) {
    return this.events.alertmanager(caller, body);
  }

  @Post('generic')
  @Ingest('generic')
  @HttpCode(202)
  @ApiOperation({ summary: '{ system, message, member?, severity?: critical|major|warning|info, bad?, at? }' })
  generic(@CallerOf() caller: Caller, @Body(new Validate(GenericBody)) body: GenericBody) {
    return this.events.generic(caller, body);
  }
}
