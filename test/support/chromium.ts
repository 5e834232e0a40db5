import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Debian's chromium (npm test's set-up installs it: scripts/system-deps.mjs). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found: run npm test as root, or apt-get install chromium`;

export interface PageCheck {
  /** Console errors, uncaught exceptions and failed loads, as the browser logged them. */
  errors: string[];
  viewportWidth: number;
  scrollWidth: number;
  scrollHeight: number;
  /** Elements whose right edge passes the viewport, for a useful failure message. */
  overflowing: string[];
  images: { src: string; complete: boolean; naturalWidth: number; width: number }[];
  screenshot: Buffer;
}

/**
 * Opens a page in headless Chromium at a phone's width and reports what a person would notice:
 * console errors, content wider than the screen, images that did not load, and a full-page
 * screenshot. Talks the DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out, one
 * NUL-terminated JSON message each), so no WebSocket client and no downloaded browser are needed.
 */
export async function checkPage(url: string, opts: { width?: number; height?: number; screenshotPath?: string; segmentHeight?: number } = {}): Promise<PageCheck> {
  const width = opts.width ?? 375;
  const profile = mkdtempSync(join(tmpdir(), 'nines-chromium-'));
  const proc: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--hide-scrollbars',
      '--mute-audio',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const toBrowser = proc.stdio[3] as Writable;
  const fromBrowser = proc.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners: ((m: any) => void)[] = [];
  let buf = '';
  fromBrowser.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const p = pending.get(msg.id)!;
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${msg.error.message} (${JSON.stringify(msg.error.data ?? '')})`));
        else p.resolve(msg.result);
      } else for (const l of listeners) l(msg);
    }
  });
  const exited = once(proc, 'exit');
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const timeout = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const errors: string[] = [];
    let loaded: () => void = () => undefined;
    const load = new Promise<void>((r) => (loaded = r));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert'))
        errors.push(`console.${m.params.type}: ${m.params.args.map((a: any) => a.value ?? a.description ?? '').join(' ')}`);
      if (m.method === 'Runtime.exceptionThrown') errors.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
      if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') errors.push(`${m.params.entry.source}: ${m.params.entry.text}${m.params.entry.url ? ` (${m.params.entry.url})` : ''}`);
      if (m.method === 'Page.loadEventFired') loaded();
    });
    for (const d of ['Page.enable', 'Runtime.enable', 'Log.enable']) await send(d, {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width, height: opts.height ?? 800, deviceScaleFactor: 1, mobile: true }, sessionId);
    const nav = await send('Page.navigate', { url }, sessionId);
    if (nav.errorText) throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
    await load;
    // Let late console messages and image decodes arrive.
    await send('Runtime.evaluate', { expression: 'Promise.all([...document.images].map((i) => i.decode().catch(() => undefined)))', awaitPromise: true }, sessionId);
    const { result } = await send(
      'Runtime.evaluate',
      {
        returnByValue: true,
        expression: `(() => {
          const vw = document.documentElement.clientWidth;
          const overflowing = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > vw + 0.5)
            .slice(0, 10)
            .map((e) => e.tagName.toLowerCase() + ' ' + Math.round(e.getBoundingClientRect().right) + 'px: ' + (e.textContent || '').trim().slice(0, 60));
          return {
            viewportWidth: window.innerWidth,
            scrollWidth: document.documentElement.scrollWidth,
            scrollHeight: document.documentElement.scrollHeight,
            overflowing,
            images: [...document.images].map((i) => ({ src: i.src.slice(0, 40), complete: i.complete, naturalWidth: i.naturalWidth, width: i.getBoundingClientRect().width })),
          };
        })()`,
      },
      sessionId,
    );
    const page = result.value;
    await send('Emulation.setDeviceMetricsOverride', { width, height: Math.min(page.scrollHeight, 16_000), deviceScaleFactor: 1, mobile: true }, sessionId);
    const shot = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
    const screenshot = Buffer.from(shot.data, 'base64');
    if (opts.screenshotPath) {
      writeFileSync(opts.screenshotPath, screenshot);
      // Also in screen-sized pieces, easier for a person (or an image viewer) to read than one long strip.
      const seg = opts.segmentHeight;
      for (let y = 0, n = 1; seg && y < page.scrollHeight; y += seg, n++) {
        const part = await send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y, width, height: Math.min(seg, page.scrollHeight - y), scale: 1 } }, sessionId);
        writeFileSync(opts.screenshotPath.replace(/\.png$/, `-${n}.png`), Buffer.from(part.data, 'base64'));
      }
    }
    await send('Browser.close').catch(() => undefined);
    return { errors, ...page, screenshot };
  } catch (err) {
    throw new Error(`${(err as Error).message}\nchromium stderr:\n${stderr.slice(-2000)}`);
  } finally {
    clearTimeout(timeout);
    if (proc.exitCode === null && proc.signalCode === null) {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    // Chromium's helper processes may still be writing the profile for a moment after it exits.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    } catch {
      // a leftover temp dir is not the page's fault
    }
  }
}
