import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConfigReloadService } from './config-reload.service';
import { CallerOf, NeedsRole } from '../access/requires';
import type { Caller } from '../../../../libs/access/src/caller';

@ApiTags('config')
@Controller('api/v1')
export class ConfigController {
  constructor(private readonly reloads: ConfigReloadService) {}

  @Post('config/reload')
  @NeedsRole('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reload the config file on every replica; an invalid file is rejected (400) and the running config kept' })
  reload(@CallerOf() caller: Caller) {
    return this.reloads.reloadEverywhere(caller);
  }
}
