import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Open } from '../access/requires';
import { SlackInteractionsService } from './slack-interactions.service';

@ApiTags('integrations')
@Controller('api/v1/integrations/slack')
export class SlackInteractionsController {
  constructor(private readonly slack: SlackInteractionsService) {}

  @Post('interactions')
  @Open()
  @HttpCode(200)
  @ApiOperation({ summary: "Slack's interactivity callback (the Acknowledge button); authorised by Slack's request signature (X-Slack-Signature, X-Slack-Request-Timestamp)" })
  interaction(@Req() req: Request) {
    return this.slack.interaction(req.headers, req.body, req.ip);
  }
}
