export * from './storage/fixtures.js';
export * from './synthetic/index.js';
