import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ConfigReloadService } from './config-reload.service';
import { SystemsService } from './systems.service';

@ApiTags('systems')
@Controller('api/v1')
export class ApiController {
  constructor(
    private readonly systems: SystemsService,
    private readonly reloads: ConfigReloadService,
  ) {}

  @Get('systems')
  @ApiOperation({ summary: 'Systems with their members, roles, lag and current state' })
  listSystems() {
    return this.systems.systems();
  }

  @Get('systems/:name')
  @ApiOperation({ summary: 'One system' })
  getSystem(@Param('name') name: string) {
    return this.systems.system(name);
  }

  @Get('targets')
  @ApiOperation({ summary: 'Every probe target with its current state, last result, failure reason and last change' })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['up', 'down', 'unknown'] })
  listTargets(@Query('system') system?: string, @Query('state') state?: string) {
    return this.systems.targets({ system, state });
  }

  @Post('config/reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload the config file on every replica; an invalid file is rejected (400) and the running config kept' })
  reload() {
    return this.reloads.reloadEverywhere();
  }
}
