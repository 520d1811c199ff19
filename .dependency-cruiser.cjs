/**
 * The layer table of docs/development.md, checked by `npm test` (`npm run layers`): each folder of
 * the data path may not import what the table says it knows nothing of.
 */
const layer = (name, from, forbidden, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: forbidden },
});

module.exports = {
  forbidden: [
    layer('engine-knows-no-domain', '^sim/engine/', '^(sim/(model|scenario|metrics|analytic|run|output|cli)|workers)/', 'the engine knows nothing of Key Vault, clusters or YAML'),
    layer('model-knows-no-files', '^sim/model/', '^(sim/(scenario|analytic|run|output|cli)|workers)/|^(node:)?(fs|path|child_process|worker_threads)$', 'the model knows nothing of files, the CLI or workers'),
    layer('scenario-knows-no-trials', '^sim/scenario/', '^(sim/(engine|metrics|run|output|cli|analytic)|workers)/|^sim/model/(?!(config|defaults|vault-split)[.]ts$)', 'the scenario layer knows nothing of how a trial runs (it produces a model/config.ts ModelConfig)'),
    layer('import-knows-only-manifests', '^sim/import/', '^(sim/(engine|metrics|analytic|run|output|cli)|workers)/|^sim/model/(?!defaults[.]ts$)', 'import reads manifests and writes scenario text; it knows nothing of trials'),
    layer('metrics-know-no-producer', '^sim/metrics/', '^(sim/(engine|model|scenario|analytic|run|output|cli)|workers)/', 'metrics know nothing of how records were produced'),
    layer('analytic-knows-no-engine', '^sim/analytic/', '^(sim/(engine|metrics|run|output|cli)|workers)/|^sim/model/(?!(config|defaults)[.]ts$)', 'the analytic layer knows nothing of the event engine'),
    layer('run-knows-no-model-internals', '^sim/run/', '^sim/(engine|output|cli)/|^sim/model/(?!(config|defaults|paths)[.]ts$)', 'the pool knows nothing of model internals'),
    layer('output-knows-no-computation', '^sim/output/', '^(sim/(engine|model|analytic|run|cli)|workers)/', 'output knows nothing of how numbers were computed'),
    layer('cli-knows-no-model-internals', '^sim/cli/', '^sim/engine/|^sim/model/(?!(config|defaults|vault-split|paths)[.]ts$)', 'a command parses, then calls the layers above'),
    layer('workers-only-run-batches', '^workers/', '^sim/(engine|scenario|analytic|run|output|cli)/|^sim/model/(?!(config|defaults|run-batch|rare-batch)[.]ts$)', 'the pool entry runs trials of one point (or a batch of importance sampling), nothing else'),
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle ties two rooms into one',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The build steps (the AssemblyScript modules, the @stdlib bundle) are not layers.
    exclude: { path: '^(dist|node_modules|[.]dist-[^/]+)/|^sim/build(-(wasm|stdlib|cli))?[.]mjs$' },
  },
};
