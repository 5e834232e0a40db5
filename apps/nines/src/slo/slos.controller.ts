import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { rfc3339, Validate } from '../runtime/validate';
import { SloService } from './slo.service';
import { CallerOf, NeedsRole } from '../access/requires';
import type { Caller } from '../../../../libs/access/src/caller';

const At = rfc3339('at').transform((s) => Date.parse(s)).optional();

@ApiTags('slos')
@Controller('api/v1')
export class SlosController {
  constructor(private readonly slos: SloService) {}

  @Get('slos')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Every SLO: availability, error budget (ratio and time), nines, burn rates over 5m…3d, time to exhaustion, alert pairs, unknown and excluded time' })
  @ApiQuery({ name: 'at', required: false, description: 'RFC 3339 time: the numbers as of then' })
  list(@Query('at', new Validate(At, 'at')) at?: number) {
    return this.slos.list(at);
  }

  @Get('slos/prometheus-rules')
  @NeedsRole('viewer')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @ApiOperation({ summary: 'A Prometheus rules file computing the same SLIs, burn rates and multi-window alerts from probe_success (Sloth-style names)' })
  rules() {
    return this.slos.prometheusRules();
  }

  @Get('slos/:name')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One SLO with a daily series for charts' })
  @ApiQuery({ name: 'at', required: false })
  get(@Param('name') name: string, @Query('at', new Validate(At, 'at')) at?: number) {
    return this.slos.get(name, at);
  }

  @Post('slos')
  @NeedsRole('admin')
  @HttpCode(201)
  @ApiOperation({ summary: 'Define an SLO (the config shape, plus created_by); config SLOs cannot be replaced' })
  create(@CallerOf() caller: Caller, @Body() body: unknown) {
    return this.slos.create(caller, body);
  }

  @Delete('slos/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Delete an SLO defined through the API' })
  remove(@CallerOf() caller: Caller, @Param('name') name: string) {
    return this.slos.remove(caller, name);
  }
}
