/** The metric modules the runner uses; add a module with one entry. */
import type { MetricModule } from './metric.types.ts';
import { textMetrics } from './metrics/text.metrics.ts';

export const METRIC_MODULES: MetricModule[] = [
  textMetrics,
];
