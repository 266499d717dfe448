/**
 * One instance per process. Next.js may load a module once per bundle (server entry,
 * each route chunk); state such as the database handle, caches and limiters must not fork.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const store = globalThis as typeof globalThis & { __conduit?: Map<string, unknown> };
  store.__conduit ??= new Map();
  if (!store.__conduit.has(name)) store.__conduit.set(name, create());
  return store.__conduit.get(name) as T;
}
