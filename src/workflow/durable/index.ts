// Durable runs: what persists a run's state as the engine makes transitions (the run journal's
// group commit into the store's workflow tables). Resuming unfinished runs builds on this.
export { createRunJournal, type RunJournal, type RunJournalOptions, type JournalState, type NewJournalRun } from './run-journal.js';
