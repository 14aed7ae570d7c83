// The `flexq` executable as a few bundled files. Loading ioredis, zod, smol-toml and commander as
// some 200 separate modules took about half of every one-shot command's start (`flexq stats` spent
// more time in Node's module loader than in its work); bundled, they load as one file. The worker
// host and the console stay in chunks of their own, loaded only by `flexq` and `flexq --headless`,
// and packages with files of their own to load (pino's transports, the console's UI stack, SMTP,
// metrics) stay ordinary imports. The library (`import … from 'flexq'`) is not bundled.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';

/**
 * zod exports every one of its ~50 message locales through `z.locales`, and a bundle cannot drop
 * them since `z` is one object; flexq's messages are English (zod's default), so the executable
 * gets only that one. That is about half of zod's code, which every command would parse at start.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: new URL('..', import.meta.url).pathname,
    }));
  },
};

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
// Chunk names carry hashes: clear the last build's, so only this build's files are packed.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    flexq: new URL('../dist/cli/main.js', import.meta.url).pathname,
    // Isolated handlers start this file in a thread or process, found beside the engine's module.
    'runner-entry': new URL('../dist/engine/isolation/runner-entry.js', import.meta.url).pathname,
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ink', 'react', 'zustand', 'pino', 'nodemailer', 'prom-client'],
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as flexqCreateRequire } from 'node:module'; const require = flexqCreateRequire(import.meta.url);" },
  plugins: [englishOnlyZod],
  logLevel: 'warning',
});
// The engine reads its Lua scripts from beside its module, which in the bundle is dist/bin/.
cpSync(new URL('../src/engine/lua', import.meta.url), new URL('lua', `file://${outdir}`), { recursive: true });
