#!/usr/bin/env node
// Bundles the on-call console (apps/console/src, Preact) into dist/console with esbuild: one
// minified script and one stylesheet, named by their content hash, and the page shell naming
// them. Part of `npm run build`; no CDN, so the console works with no internet.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'apps/console/src');
const out = join(root, 'dist/console');
const assets = join(out, 'assets');

const r = await build({
  entryPoints: [join(src, 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const js = r.outputFiles[0].contents;
const css = readFileSync(join(src, 'style.css'));
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 12);
const jsName = `app.${hash(js)}.js`;
const cssName = `style.${hash(css)}.css`;
const cssMin = (await build({ stdin: { contents: css.toString(), loader: 'css' }, minify: true, write: false, logLevel: 'warning' })).outputFiles[0].contents;

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });
writeFileSync(join(assets, jsName), js);
writeFileSync(join(assets, cssName), cssMin);
const icon = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#2f7d4f"/></svg>')}`;
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="nines-sign-in" content="">
<title>Nines</title>
<link rel="icon" href="${icon}">
<link rel="stylesheet" href="/console/assets/${cssName}">
<script type="module" src="/console/assets/${jsName}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Nines console needs JavaScript. The same data is in the API: /api/v1/systems, /api/v1/incidents.</noscript>
</body>
</html>
`,
);
const gz = gzipSync(js).length + gzipSync(cssMin).length;
writeFileSync(join(out, 'sizes.json'), JSON.stringify({ js: jsName, css: cssName, js_bytes: js.length, css_bytes: cssMin.length, gzip_bytes: gz }, null, 2));
console.log(`console: ${jsName} ${js.length} B, ${cssName} ${cssMin.length} B, ${gz} B gzip`);
