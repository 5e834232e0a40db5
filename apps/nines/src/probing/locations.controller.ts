import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NeedsRole } from '../access/requires';
import { LocationsService } from './locations.service';

@ApiTags('locations')
@Controller('api/v1')
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @Get('locations')
  @NeedsRole('viewer')
  @ApiOperation({ summary: 'Probing locations: which are up, partitions (a location cut off from targets the others reach), split brain seen from outside, targets down from some locations only' })
  list() {
    return this.locations.report();
  }
}
