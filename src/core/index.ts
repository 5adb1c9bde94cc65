export { Core } from './app.js';
export { allHandlers } from './handlers/index.js';
export type { CoreDeps, CoreLog, CoreMetrics } from './context.js';
