import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Validate } from '../runtime/validate';
import { ReportPreviewService } from './report-preview.service';
import { NeedsRole } from '../access/requires';

const Week = z.string().regex(/^\d{4}-W\d{2}$/, 'week must be an ISO week like 2026-W47').optional();

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportPreviewService) {}

  @Get('weekly')
  @NeedsRole('viewer')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The weekly SLO report as HTML, as the mail shows it (charts inline); 400 for a malformed week' })
  @ApiQuery({ name: 'week', required: false, description: 'ISO week, e.g. 2026-W47; default: the last complete week in reports.weekly.timezone' })
  async weekly(@Res({ passthrough: true }) res: Response, @Query('week', new Validate(Week, 'week')) week?: string) {
    // The type is set once the report exists: a bad week must still answer as JSON.
    const html = await this.reports.weeklyHtml(week);
    res.type('html');
    return html;
  }
}
