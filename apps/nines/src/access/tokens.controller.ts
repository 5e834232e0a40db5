import { Body, Controller, Delete, Get, Header, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../../../libs/access/src/caller';
import { Validate, shortText } from '../runtime/validate';
import { TokenBody, TokenListQuery } from './access.schemas';
import { CallerOf, NeedsRole } from './requires';
import { TokensService } from './tokens.service';

@ApiTags('access')
@Controller('api/v1')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get('tokens')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'API tokens: name, role, source, created, expiry, last use (never the token); ?revoked=true includes revoked ones' })
  list(@Query(new Validate(TokenListQuery)) q: TokenListQuery) {
    return this.tokens.list(q.revoked === 'true');
  }

  @Post('tokens')
  @NeedsRole('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a token: { name, role: viewer|responder|admin|ingest, source? (ingest), expires? (e.g. 90d) }; the answer holds the token, shown once' })
  create(@CallerOf() caller: Caller, @Body(new Validate(TokenBody)) body: TokenBody) {
    return this.tokens.create(caller, body);
  }

  @Delete('tokens/:name')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Revoke the live token of that name' })
  revoke(@CallerOf() caller: Caller, @Param('name', new Validate(shortText('name', 100), 'name')) name: string) {
    return this.tokens.revoke(caller, name);
  }
}
