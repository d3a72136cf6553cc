// The short-term series store: built-in metrics kept for an hour at a few seconds' resolution,
// bounded in memory, selectable by PromQL matchers (it is the evaluator's SeriesSource) and
// queryable by metric, labels and range for the CLI, the dashboard and `/api/v1/series`.

export { SeriesStore, createSeriesStore, seriesKey, type SeriesSample } from './series-store.js';
export {
  DEFAULT_INTERVAL_MS,
  DEFAULT_MAX_SERIES,
  DEFAULT_RETENTION_MS,
  type CompiledStoreOptions,
  type SeriesStoreOptions,
  type SeriesStoreStats,
} from './store-options.js';
export { lastPerStep, type SeriesQuery, type SeriesQueryResult } from './series-query.js';
