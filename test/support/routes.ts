import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import type { Requirement } from '../../libs/access/src/authorize';
import { REQUIRES } from '../../apps/nines/src/access/requires';

export interface DeclaredRoute {
  controller: string;
  handler: string;
  method: string;
  /** With a leading slash and Nest's `:param` placeholders. */
  path: string;
  requires?: Requirement;
}

const APP = resolve(__dirname, '../../apps/nines/src');

function controllerFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return controllerFiles(p);
    return f.endsWith('.controller.js') ? [p] : [];
  });
}

const join2 = (a: string, b: string) => `/${[a, b].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/**
 * Every route of every controller the app ships, read from the same decorator metadata Nest
 * routes by, with its declared access requirement: the access matrix is generated from this, so
 * a new endpoint joins the matrix (and fails it if it declares no role) without editing the test.
 */
export function declaredRoutes(): DeclaredRoute[] {
  const out: DeclaredRoute[] = [];
  for (const file of controllerFiles(APP)) {
    const mod = require(file) as Record<string, unknown>;
    for (const cls of Object.values(mod)) {
      if (typeof cls !== 'function') continue;
      const base = Reflect.getMetadata(PATH_METADATA, cls) as string | string[] | undefined;
      if (base === undefined) continue;
      const classNeed = Reflect.getMetadata(REQUIRES, cls) as Requirement | undefined;
      const proto = (cls as { prototype: Record<string, unknown> }).prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        for (const b of [base].flat()) {
          for (const p of [path].flat()) {
            out.push({ controller: (cls as { name: string }).name, handler: name, method: RequestMethod[method], path: join2(b, p), requires: (Reflect.getMetadata(REQUIRES, fn) as Requirement | undefined) ?? classNeed });
          }
        }
      }
    }
  }
  return out;
}
