// Tutti's own metrics: the request recorder the stable endpoints feed, the metric families
// measured from the orchestrator (shared by `/metrics` and the series store), the Prometheus
// exposition, http_sd targets and the figures of `tutti top`.
export { createMetrics, DEFAULT_TOP_WINDOW_MS, type Metrics, type MetricsApi, type MetricSources, type MetricsOptions } from './create-metrics.js';
export { WorkflowRecorder, cumulativeTaskBuckets, type TaskDurations, type WorkflowCounts } from './workflow-recorder.js';
export { METRICS, DURATION_BUCKETS, WORKFLOW_TASK_BUCKETS, codeClass, isErrorStatus, type MetricDef, type MetricType } from './catalog.js';
export { collectFamilies, storedSamples, type FamilySample, type InstanceUsage, type MeasuredStatus, type MetricFamily, type MetricSnapshot } from './families.js';
export { RequestRecorder, bucketIndex, cumulativeBuckets, type EndpointCounts, type ObservedRequest } from './request-recorder.js';
export { loadExposition, DAEMON_METRICS_PREFIX, type Exposition } from './exposition.js';
export { scrapeTargets, type TargetGroup } from './http-sd.js';
export { computeTop, type TopFigures, type TopInput, type TopInstance, type TopService, type TopView } from './top.js';
