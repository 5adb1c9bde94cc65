/** Prometheus metrics for the web and worker processes, on one registry per process. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CoreMetrics } from './core/context.js';

export class Metrics implements CoreMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({ name: 'consortia_commands_total', help: 'Commands handled, by verb and outcome', labelNames: ['verb', 'outcome'] as const, registers: [this.registry] });
  readonly commandSeconds = new Histogram({ name: 'consortia_command_seconds', help: 'Command handling time', labelNames: ['verb'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly matchSeconds = new Histogram({ name: 'consortia_matching_seconds', help: 'Matching engine time', labelNames: ['feasible'] as const, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [this.registry] });
  readonly nudges = new Counter({ name: 'consortia_nudges_total', help: 'Nudges by stage: scheduled, sent, failed, late, skipped', labelNames: ['stage', 'kind'] as const, registers: [this.registry] });
  readonly nudgeLateness = new Histogram({ name: 'consortia_nudge_lateness_seconds', help: 'How late nudges were delivered', buckets: [0.1, 0.5, 1, 5, 30, 60, 300, 3600], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'consortia_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'] as const, registers: [this.registry] });
  readonly externalErrors = new Counter({ name: 'consortia_external_api_errors_total', help: 'Errors from Slack and Teams APIs, by platform and status', labelNames: ['platform', 'status'] as const, registers: [this.registry] });
  readonly readCache = new Counter({ name: 'consortia_read_cache_total', help: 'Reads of cached collections, by collection and result: hit (from memory), miss, bypass (Redis unreachable)', labelNames: ['collection', 'result'] as const, registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'consortia_external_api_429_total', help: '429 answers from Slack and Teams APIs', labelNames: ['platform'] as const, registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'consortia_' });
  }

  command(verb: string, outcome: string, seconds: number): void {
    this.commands.inc({ verb, outcome });
    this.commandSeconds.observe({ verb }, seconds);
  }

  matching(seconds: number, feasible: boolean): void {
    this.matchSeconds.observe({ feasible: String(feasible) }, seconds);
  }
}
