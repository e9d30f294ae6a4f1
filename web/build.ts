import { build } from 'esbuild';

/** Bundles the pages' script to web/dist/app.js (run by `npm start`, `npm test` and the CDK build). */
export async function buildWeb(): Promise<void> {
  await build({
    entryPoints: [new URL('./client/app.ts', import.meta.url).pathname],
    outfile: new URL('./dist/app.js', import.meta.url).pathname,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildWeb();
