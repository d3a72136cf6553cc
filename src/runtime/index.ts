// Runtime drivers: the contract, and the local process driver.
export * from './contract.js';
export * from './log-query.js';
export { createProcessRuntime, type ProcessRuntimeOptions } from './process/index.js';
