import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Validate } from '../runtime/validate';
import { AuditQuery } from './access.schemas';
import { NeedsRole } from './requires';
import { TokensService } from './tokens.service';

@ApiTags('access')
@Controller('api/v1')
export class AuditController {
  constructor(private readonly tokens: TokensService) {}

  @Get('audit')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'The audit log, newest first: who changed what, when, from where; filter by actor, action (or prefix such as silence.), since, until' })
  list(@Query(new Validate(AuditQuery)) q: AuditQuery) {
    return this.tokens.auditLog(q);
  }
}
