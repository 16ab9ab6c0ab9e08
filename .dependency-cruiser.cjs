// The layering rule of ../shared/DESIGN.md, checked by `npm test` (test/architecture): dependencies
// flow one way, core ← store, bus ← schemes ← verify ← service ← adapters (http, realtime, cli, demo)
// ← runtime, with no cycle between files. Type-only imports count: a type is a dependency too.
const layer = (name, mayImport) => ({
  name: `${name}-layer`,
  comment: `src/${name} may import only ${mayImport.length ? mayImport.join(', ') : 'itself'} (and packages)`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...mayImport.map((m) => `^src/${m}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'files must not import each other, directly or through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer('core', []),
    layer('config', ['core']),
    layer('store', ['core', 'config']),
    layer('bus', ['core', 'config']),
    layer('schemes', ['core', 'config', 'bus']),
    layer('verify', ['core', 'config', 'bus', 'store', 'schemes']),
    layer('service', ['core', 'config', 'bus', 'store', 'schemes', 'verify']),
    layer('demo', ['core', 'config', 'service']),
    layer('http', ['core', 'config', 'bus', 'schemes', 'verify', 'service']),
    layer('realtime', ['core', 'config', 'bus', 'store', 'schemes', 'verify', 'service']),
    layer('cli', ['core', 'config', 'service', 'demo']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
