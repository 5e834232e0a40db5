import { Controller, Get, Header, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { ConfigHolder } from '../../../../libs/config/src/config-holder';
import { AccessGate, AccessRefused } from '../access/access-gate';
import { NeedsRole, Open } from '../access/requires';
import { CONFIG } from '../runtime/tokens';
import { CONSOLE_CSP, ConsoleAssets } from './console-assets';
import { LiveFeed } from './live-feed.service';
import { OverviewService } from './overview.service';

/** Paths the console's router handles in the browser; each answers with the same page. */
const PAGES = ['', 'systems/:name', 'incidents/:id', 'alerts', 'silences', 'slos', 'slos/:name', 'drills'];

/**
 * The on-call console: the page and its bundled assets (open: they hold no data; the data comes
 * from the API under the caller's token or session).
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  constructor(
    private readonly assets: ConsoleAssets,
    @Inject(CONFIG) private readonly config: ConfigHolder,
  ) {}

  @Get(PAGES)
  @Open()
  page(@Res() res: Response) {
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.type('html').send(this.assets.page(this.config.get().raw.auth.oidc ? 'oidc' : 'token'));
  }

  @Get('console/assets/:file')
  @Open()
  asset(@Param('file') file: string, @Res() res: Response) {
    const a = this.assets.asset(file);
    if (!a) throw new NotFoundException(`no console asset ${file}`);
    // Names carry a content hash: a new build is a new name.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(a.type).send(a.body);
  }
}

/** What the console reads beyond the public API: the overview in one answer, and its live stream. */
@Controller('api/v1/console')
export class ConsoleApiController {
  constructor(
    private readonly overview: OverviewService,
    private readonly feed: LiveFeed,
    private readonly gate: AccessGate,
  ) {}

  /**
   * Who the console would act as (the token sent, else the session cookie, else an open
   * deployment), always 200: a console that is not signed in learns it without a failed request.
   */
  @Get('whoami')
  @Open()
  @Header('Cache-Control', 'no-store')
  async whoami(@Req() req: Request) {
    try {
      const c = await this.gate.check(req, { role: 'viewer' });
      const via = req.headers.authorization !== undefined ? 'token' : c.role === 'anonymous' ? 'open' : 'session';
      return { signed_in: true, via, actor: c.actor, role: c.role };
    } catch (err) {
      if (err instanceof AccessRefused) return { signed_in: false, status: err.getStatus(), message: (err.getResponse() as { message: string }).message };
      throw err;
    }
  }

  @Get('overview')
  @NeedsRole('viewer')
  snapshot() {
    return this.overview.snapshot();
  }

  @Get('stream')
  @NeedsRole('viewer')
  stream(@Req() req: Request, @Res() res: Response) {
    return this.feed.attach(req, res);
  }
}
