/** The metric modules the runner uses; add a module with one entry. */
import type { MetricModule } from './metric.types.ts';
import { textMetrics } from './metrics/text.metrics.ts';
import { tedsMetrics } from './metrics/teds.metric.ts';
import { adjacencyMetric } from './metrics/adjacency.metric.ts';
import { fieldF1Metric } from './metrics/field-f1.metric.ts';

export const METRIC_MODULES: MetricModule[] = [textMetrics, tedsMetrics, adjacencyMetric, fieldF1Metric];
