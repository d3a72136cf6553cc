// The process driver's public door: supervised local processes behind the Runtime contract.
export { createProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.js';
