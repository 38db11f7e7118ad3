/**
 * The architecture's import rules, checked by dependency-cruiser in `npm test`
 * (`node scripts/check-architecture.mjs`). docs/architecture.md explains the layers; this file is
 * what keeps them. Known violations that are still being removed live in
 * `.dependency-cruiser-known-violations.json`; a new violation fails the check, and so does a known
 * one that has gone (the list may only shrink — regenerate it with `--update-baseline`).
 */
const PKG = (name) => `^packages/${name}/`;
const SRV = (dir) => `^packages/server/src/${dir}/`;
/** Route plugins: `routes/`, and the workbench's `*.routes.ts` (they live beside its services). */
const ROUTES = `${SRV('routes')}|^packages/server/src/workbench/.*\\.routes\\.ts$`;

/** Which of our packages each package may import at run time (docs/architecture.md "Packages"). */
const packageRules = [
  ['core', ['engines', 'analysis', 'eval', 'server', 'client', 'cli', 'web']],
  ['engines', ['analysis', 'eval', 'server', 'client', 'cli', 'web']],
  ['analysis', ['engines', 'eval', 'server', 'client', 'cli', 'web']],
  ['eval', ['server', 'client', 'cli', 'web']],
  ['client', ['engines', 'analysis', 'eval', 'server', 'cli', 'web']],
  ['server', ['eval', 'cli', 'web']],
  ['web', ['engines', 'analysis', 'eval', 'server', 'cli']],
].map(([from, forbidden]) => ({
  name: `package-${from}-downward-only`,
  comment: `packages/${from} may not import ${forbidden.join(', ')}: package dependencies point downward`,
  severity: 'error',
  from: { path: `${PKG(from)}src/` },
  to: { path: `^packages/(${forbidden.join('|')})/`, dependencyTypesNot: ['type-only'] },
}));

/** Layers inside the server: routes → services → ports ← adapters (docs/architecture.md "Layers"). */
const layerRules = [
  { name: 'ports-know-no-implementation', from: SRV('ports'), to: `${SRV('(adapters|services|routes|http|workbench|workers)')}`, typesToo: true, comment: 'a port speaks in domain types; it may not import an adapter, a service or a route, not even its types' },
  { name: 'routes-call-services-not-adapters', from: ROUTES, to: SRV('adapters'), typesToo: true, comment: 'routes call services; adapters are wired in the composition root' },
  {
    name: 'routes-get-only-their-services',
    from: ROUTES,
    to: '^packages/server/src/(http/app\\.services|services/service\\.context|workbench/workbench\\.context)\\.ts$',
    typesToo: true,
    comment:
      'a route plugin names in its options the services it uses and gets only those (FEATURE_ROUTES in http/app.ts): not the whole of AppServices, and not a context that holds the adapters, so what a route can reach is read off its options',
  },
  { name: 'services-use-ports-not-adapters', from: SRV('services'), to: `${SRV('(adapters|routes|http)')}`, comment: 'services depend on ports, never on a concrete adapter or on HTTP' },
  { name: 'adapters-implement-ports-only', from: SRV('adapters'), to: `${SRV('(services|routes|http|workbench)')}`, comment: 'an adapter implements a port; it may not reach up into services or routes' },
  { name: 'engines-know-no-http', from: PKG('engines'), to: '^node_modules/(fastify|@fastify)/', comment: 'engines never know about HTTP' },
].map((r) => ({
  name: r.name,
  comment: r.comment,
  severity: 'error',
  from: { path: r.from },
  to: r.typesToo ? { path: r.to } : { path: r.to, dependencyTypesNot: ['type-only'] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'an import cycle makes start-up order matter, and a type-only one still ties two modules into one: contract types go to leaf *.types.ts modules',
      severity: 'error',
      from: { path: '^packages/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that resolves to nothing fails at run time',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'src-not-to-dev-dependencies',
      comment: 'shipped code may not need a devDependency (npm ci --omit=dev would break it)',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: '^packages/web/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    ...packageRules,
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: false,
  },
};
