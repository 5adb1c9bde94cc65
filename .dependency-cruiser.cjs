/* global module -- CommonJS: dependency-cruiser reads this file with require(). */
// Layer rules checked by `npm test` (STYLE.md, "Our habits" 1 and 2): the core is pure
// domain code, and each chat platform's SDK stays inside its own adapter. Packages are
// matched both resolved (node_modules/x/…) and unresolved (a bare "x"), so a missing
// install cannot hide a violation.
const SDKS_KEPT_OUT_OF_CORE = [
  'mongoose',
  'mongodb',
  'bullmq',
  'ioredis',
  '@slack/[^/]+',
  'botbuilder[^/]*',
  'botframework-[^/]+',
  'express',
  'pino',
  'prom-client',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-outer-layers',
      comment: 'src/core is the domain; storage, queues, adapters and jobs depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(store|queue)/|adapters/|jobs/|src/(config|server)\\.ts$)' },
    },
    {
      name: 'core-imports-sdk',
      comment: 'src/core talks to the world through its ports; SDKs belong to the implementations.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: `(^|node_modules/)(${SDKS_KEPT_OUT_OF_CORE.join('|')})(/|$)` },
    },
    {
      name: 'core-does-io',
      comment: 'src/core has no I/O (DESIGN.md): files, sockets and processes are reached through ports.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|tls|child_process|cluster|worker_threads)$',
      },
    },
    {
      name: 'teams-sdk-outside-teams-adapter',
      comment: 'Bot Framework types stay in adapters/teams; everything else sees core replies and commands.',
      severity: 'error',
      from: { pathNot: '^adapters/teams/' },
      to: { path: '(^|node_modules/)(botbuilder[^/]*|botframework-[^/]+)(/|$)' },
    },
    {
      name: 'slack-sdk-outside-slack-adapter',
      comment: 'Slack SDK types stay in adapters/slack; everything else sees core replies and commands.',
      severity: 'error',
      from: { pathNot: '^adapters/slack/' },
      to: { path: '(^|node_modules/)@slack/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a core type that names a mongoose Document is still coupling.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
