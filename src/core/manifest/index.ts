// The manifest loader: `tutti.yaml` -> StackSpec, and the manifest's JSON Schema.
export { manifestSchema, manifestJsonSchema, type ManifestInput, type ServiceInput } from './schema.js';
export { parseManifest, type LoadedManifest, type ParseManifestOptions } from './parse-manifest.js';
export { loadManifestFile, findManifest, MANIFEST_FILE_NAMES } from './load-manifest.js';
export type { ManifestProblem } from './problems.js';
export { redactSecrets, REDACTED } from './redact.js';
