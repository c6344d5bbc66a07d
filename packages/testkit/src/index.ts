export * from './storage/fixtures.js';
export * from './storage/raw-queries.js';
export * from './synthetic/index.js';
