// The Prometheus endpoint's directives (lib/metrics/endpoint.ts): off unless a port is given.

import type { OptionDef } from './options.js';

// prettier-ignore
export const METRICS_OPTIONS: readonly OptionDef[] = [
  { name: 'metrics-port', type: 'int', default: '0', min: 0, max: 65535, mutable: true, doc: 'effect: TCP port of the Prometheus endpoint (GET /metrics, redis_exporter names); 0 = off' },
  { name: 'metrics-bind', type: 'string', default: '127.0.0.1', mutable: true, doc: 'effect: address the Prometheus endpoint listens on' },
];
