import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run build` puts the bundled console (scripts/build-console.mjs). */
export const CONSOLE_DIST = resolve(__dirname, '../../../../console');

/** Only our own files: scripts and styles from this origin, no inline code, nothing framed. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml', map: 'application/json' };

export interface ConsoleAsset {
  body: Buffer;
  type: string;
}

/**
 * The console's files, read once at start: the page shell and the hashed assets it names. A
 * build without the console (tsc alone) serves a page that says how to build it.
 */
export class ConsoleAssets {
  private readonly assets = new Map<string, ConsoleAsset>();
  private readonly shell: string;

  constructor(dir = CONSOLE_DIST) {
    const index = join(dir, 'index.html');
    if (existsSync(index)) {
      this.shell = readFileSync(index, 'utf8');
      for (const f of readdirSync(join(dir, 'assets'))) {
        const ext = f.split('.').pop() ?? '';
        if (TYPES[ext]) this.assets.set(f, { body: readFileSync(join(dir, 'assets', f)), type: TYPES[ext] });
      }
    } else {
      this.shell = '<!doctype html><html lang="en"><meta charset="utf-8"><title>Nines</title><p>The console is not built: run <code>npm run build</code>.</p></html>';
    }
  }

  /** The page every console path answers with; `signIn` tells the page whether OIDC sign-in is offered. */
  page(signIn: 'oidc' | 'token'): string {
    return this.shell.replace('<meta name="nines-sign-in" content="">', `<meta name="nines-sign-in" content="${signIn}">`);
  }

  asset(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}
