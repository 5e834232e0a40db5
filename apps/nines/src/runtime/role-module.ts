import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { Role } from '../../../../libs/config/src/settings';

/** What a domain module holds for a set of roles. */
export interface RoleParts {
  imports?: DynamicModule[];
  providers?: Provider[];
  controllers?: Type<unknown>[];
  /** Providers other modules may inject (only those this role set provides are exported). */
  exports?: Provider[];
}

const built = new Map<Type<unknown>, DynamicModule>();

/**
 * A domain module's parts for the roles of this process, built once: a module imported by two
 * others is one instance (one TopologyService, one AlertService), as Nest needs the same object.
 */
export function roleModule(module: Type<unknown>, roles: ReadonlySet<Role>, parts: (has: (...r: Role[]) => boolean) => RoleParts): DynamicModule {
  const cached = built.get(module);
  if (cached) return cached;
  const has = (...r: Role[]) => r.some((x) => roles.has(x));
  const p = parts(has);
  const providers = p.providers ?? [];
  const dm: DynamicModule = {
    module,
    imports: p.imports ?? [],
    providers,
    controllers: p.controllers ?? [],
    exports: (p.exports ?? []).filter((e) => providers.includes(e)),
  };
  built.set(module, dm);
  return dm;
}

/** Forgets the built modules (a second Nines in one process, as the tests start). */
export function resetRoleModules(): void {
  built.clear();
}
