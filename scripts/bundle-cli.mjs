// The `flexq` executable as a few bundled files. Loading ioredis, zod, smol-toml and commander as
// some 200 separate modules took about half of every one-shot command's start (`flexq stats` spent
// more time in Node's module loader than in its work); bundled, they load as one file. The worker
// host and the console stay in chunks of their own, loaded only by `flexq` and `flexq --headless`,
// and packages with files of their own to load (pino's transports, the console's UI stack, SMTP,
// metrics) stay ordinary imports. The library (`import … from 'flexq'`) is not bundled.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
// Chunk names carry hashes: clear the last build's, so only this build's files are packed.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { flexq: new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ink', 'react', 'zustand', 'pino', 'nodemailer', 'prom-client'],
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as flexqCreateRequire } from 'node:module'; const require = flexqCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The engine reads its Lua scripts from beside its module, which in the bundle is dist/bin/.
cpSync(new URL('../src/engine/lua', import.meta.url), new URL('lua', `file://${outdir}`), { recursive: true });
