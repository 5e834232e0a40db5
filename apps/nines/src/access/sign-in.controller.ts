import { Controller, Get, Header, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { secretScrubber } from '../../../../libs/common/src/secrets';
import { Open } from './requires';
import { PAGE_CSP, failurePage } from './sign-in.pages';
import { SignInService, type SignInAnswer } from './sign-in.service';

/**
 * Browser sign-in (OIDC). Open routes: they decide for themselves (a session, a pending sign-in),
 * and logout checks the session's CSRF token.
 */
@ApiTags('sign-in')
@Controller()
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  @Get('auth/login')
  @Open()
  @ApiOperation({ summary: 'Start signing in: a redirect to the identity provider; ?return_to=/path (a path on this site) is where the browser lands afterwards; 503 while the provider cannot be reached' })
  async login(@Req() req: Request, @Res() res: Response, @Query('return_to') returnTo: unknown) {
    send(req, res, await this.signIn.login(req, returnTo));
  }

  @Get('auth/callback')
  @Open()
  @ApiOperation({ summary: "The identity provider's redirect back: exchanges the code, checks the ID token, starts a session when the role claim maps to a role (403 page otherwise)" })
  async callback(@Req() req: Request, @Res() res: Response) {
    send(req, res, await this.signIn.callback(req));
  }

  @Post('auth/logout')
  @Open()
  @ApiOperation({ summary: 'End the browser session (needs X-CSRF-Token); 204' })
  async logout(@Req() req: Request, @Res() res: Response) {
    send(req, res, await this.signIn.logout(req));
  }

  @Get('auth/me')
  @Open()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The signed-in user: { name, role, csrf_token, signed_in_at, expires_at }; 401 without a session' })
  me(@Req() req: Request) {
    return this.signIn.me(req);
  }
}

/** Writes an answer: errors as an HTML page to a browser, in the API's error shape to anything else. */
function send(req: Request, res: Response, a: SignInAnswer): void {
  res.setHeader('Cache-Control', 'no-store');
  if (a.cookies.length) res.append('Set-Cookie', a.cookies);
  switch (a.kind) {
    case 'redirect':
      res.redirect(303, a.location);
      return;
    case 'empty':
      res.status(a.status).end();
      return;
    case 'page':
      res.status(a.status).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(a.html);
      return;
    case 'error':
      for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v);
      if (req.accepts(['json', 'html']) === 'html') {
        res.status(a.status).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(failurePage(a.status === 503 ? 'Sign-in unavailable' : 'Sign-in failed', secretScrubber.scrub(a.message), a.retry));
      } else {
        res.status(a.status).json(secretScrubber.scrubValue({ error: { code: a.code, message: a.message, details: {} } }));
      }
  }
}
