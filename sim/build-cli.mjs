// `npm run build`: bundles the command line's main thread (dist/sim/cli/main.js, tsc's output,
// and every module it imports, its commands' own in chunks loaded as each command runs) into
// dist/sim/cli-bundle/, the file `sim` runs (package.json's bin). Unbundled, a run's main thread
// resolved, read and compiled about 180 modules (yargs, zod, yaml, csv-stringify and the
// simulator's own) before it handed out its first batch, while the started worker waited
// (docs/performance.md, "Start-up costs"). The bundle is the same code in a few files.
//
// Left outside, loaded from node_modules as before: piscina (its worker threads load its own
// files by path), the @stdlib packages (bundled apart, sim/build-stdlib.mjs), vega and vega-lite
// (the report's charts, loaded only by --report). The worker threads themselves load the
// unbundled modules (dist/workers/trial-batch.js, by the URL that sim/run/trial-pool.ts builds).
// The bundle's folder is two levels under dist/, as dist/sim/cli/ is: the URLs that modules
// build from import.meta.url (the worker's file, dist/vendor/stdlib.cjs, package.json) resolve
// to the same files from it. A build step, not part of the simulator's layers.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

// sim/build.mjs's fresh folder, or dist/ when run alone.
const DIR = process.env.SIM_BUILD_DIR ?? 'dist';
const OUT = `${DIR}/sim/cli-bundle`;

// Chunks are named by their content: without this, every rebuild would leave the last one's beside it.
rmSync(OUT, { recursive: true, force: true });

await build({
  entryPoints: { sim: `${DIR}/sim/cli/main.js` },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  external: ['piscina', 'vega', 'vega-lite', '@stdlib/*', '../../vendor/stdlib.cjs'],
  // CommonJS code inside the bundle (yaml asks for require('process')) needs a require in ESM.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
chmodSync(`${OUT}/sim.mjs`, 0o755);
