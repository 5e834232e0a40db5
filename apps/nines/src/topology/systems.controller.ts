import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Validate } from '../runtime/validate';
import { SystemsService } from './systems.service';
import { NeedsRole } from '../access/requires';

const TargetsQuery = z.object({
  system: z.string().optional(),
  state: z.enum(['up', 'down', 'unknown'], { errorMap: () => ({ message: 'state must be one of up, down, unknown' }) }).optional(),
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

  @Get('targets')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Every probe target with its current state, last result, failure reason and last change' })
  @ApiQuery({ name: 'system', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['up', 'down', 'unknown'] })
  listTargets(@Query(new Validate(TargetsQuery)) q: z.infer<typeof TargetsQuery>) {
    return this.systems.targets(q);
  }
}
