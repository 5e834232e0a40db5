import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { SdService } from './sd.service';

@ApiTags('service discovery')
@Controller('api/v1')
export class SdController {
  constructor(private readonly sd: SdService) {}

  @Get('sd')
  @ApiOperation({
    summary:
      'Prometheus http_sd_configs target groups: exporters Nines reads (role exporter, scrape as is) and every probe address (role probe, for blackbox_exporter); __meta_nines_sd_role tells them apart. No credentials.',
  })
  @ApiQuery({ name: 'role', required: false, enum: ['exporter', 'probe'] })
  groups(@Query('role') role?: string) {
    return this.sd.groups(role);
  }
}
