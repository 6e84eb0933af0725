/**
 * The rules of the house, checked in `npm test` (test/architecture.test.ts) and by
 * `npx depcruise lib workers bin --config .dependency-cruiser.cjs`. docs/design.md explains them.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycles',
      comment: 'Modules of lib/ must load in some order: no import cycle at runtime (type-only imports are erased by tsc).',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'store-never-imports-commands',
      comment: 'The store rooms do the data work and return values; parsing and replies live in lib/commands/.',
      severity: 'error',
      from: { path: '^lib/store/' },
      to: { path: '^lib/commands/' },
    },
    {
      name: 'families-never-import-the-index',
      comment: 'A family reaches other commands through the registry; only the entry points install the families.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lib/commands/index\\.ts$' },
    },
    {
      name: 'workers-import-lib-only',
      comment: 'workers/ holds thread entry points that wire lib/ modules together, nothing else.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { pathNot: '^(lib/|node_modules/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'lib-stays-inside',
      comment: 'lib/ never reaches into the entry points, tests or benchmarks.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(workers|bin|test|bench)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
