import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Validate } from '../runtime/validate';
import { SD_ROLES, SdService } from './sd.service';
import { NeedsRole } from '../access/requires';

const SdRoleQuery = z.enum(SD_ROLES, { errorMap: () => ({ message: `role must be one of ${SD_ROLES.join(', ')}` }) }).optional();

@ApiTags('service discovery')
@Controller('api/v1')
export class SdController {
  constructor(private readonly sd: SdService) {}

  @Get('sd')
  @NeedsRole('viewer')
  @ApiOperation({
    summary:
      'Prometheus http_sd_configs target groups: exporters Nines reads (role exporter, scrape as is) and every probe address (role probe, for blackbox_exporter); __meta_nines_sd_role tells them apart. No credentials.',
  })
  @ApiQuery({ name: 'role', required: false, enum: ['exporter', 'probe'] })
  groups(@Query('role', new Validate(SdRoleQuery, 'role')) role?: (typeof SD_ROLES)[number]) {
    return this.sd.groups(role);
  }
}
