import Module from 'node:module';

/**
 * Puts `exports` in the module cache as kafkajs' module `id`, which is not loaded yet: kafkajs' modules
 * that require it later get these. The original is never loaded: the require hook of OpenTelemetry
 * (require-in-the-middle) keeps the exports of every module it sees by file name and would hand the
 * original to later requirers. False when the module is loaded already (nothing changed then).
 */
export function provideModule(id: string, exports: unknown): boolean {
  const path = require.resolve(id);
  if (require.cache[path]) return false;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  require.cache[path] = module;
  return true;
}

/** Whether kafkajs' module `id`, as loaded in this process, is `exports` (false when not loaded yet). */
export function isProvided(id: string, exports: unknown): boolean {
  return require.cache[require.resolve(id)]?.exports === exports;
}
