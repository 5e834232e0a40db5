import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { STATUS_CSP } from '../../../../libs/status/src/status-page';
import { Open } from '../access/requires';
import { StatusService } from './status.service';

/** The public status page: open, read-only, 404 unless `status_page.enabled`. */
@ApiExcludeController()
@Controller('status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @Open()
  async page(@Res() res: Response) {
    const html = await this.status.page();
    res.setHeader('Cache-Control', 'public, max-age=30');
    res.setHeader('Content-Security-Policy', STATUS_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(html);
  }
}
