import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { rfc3339, Validate } from '../runtime/validate';
import { SystemsService } from './systems.service';
import { NeedsRole } from '../access/requires';

const TargetsQuery = z.object({
  system: z.string().optional(),
  state: z.enum(['up', 'down', 'unknown'], { errorMap: () => ({ message: 'state must be one of up, down, unknown' }) }).optional(),
});

const HistoryQuery = z.object({
  since: rfc3339('since').transform((s) => new Date(s)).optional(),
  until: rfc3339('until').transform((s) => new Date(s)).optional(),
});

@ApiTags('systems')
@Controller('api/v1')
export class SystemsController {
  constructor(private readonly systems: SystemsService) {}

  @Get('systems')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Systems with their members, roles, lag and current state' })
  listSystems() {
    return this.systems.systems();
  }

  @Get('systems/:name')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'One system' })
  getSystem(@Param('name') name: string) {
    return this.systems.system(name);
  }

  @Get('systems/:name/history')
  @NeedsRole('viewer')
  @ApiOperation({ summary: "A system's role changes (events) and its members' replication lag (raw probe results) between since (default: 24 h before until) and until (default: now)" })
  @ApiQuery({ name: 'since', required: false })
  @ApiQuery({ name: 'until', required: false })
  getHistory(@Param('name') name: string, @Query(new Validate(HistoryQuery)) q: z.infer<typeof HistoryQuery>) {
    return this.systems.history(name, q);
  }

  @Get('targets')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Every probe target with its current state, last result, failure reason and last change' })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['up', 'down', 'unknown'] })
  listTargets(@Query(new Validate(TargetsQuery)) q: z.infer<typeof TargetsQuery>) {
    return this.systems.targets(q);
  }
}
