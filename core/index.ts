/**
 * The public face of core/: what every module shares. Modules import from here, never
 * from core's files (test/contracts.test.ts checks it). The desk's browser code imports
 * core/browser.ts instead, which holds only what runs in a browser.
 */
export * from './context.js';
export * from './errors.js';
export * from './events.js';
export * from './http.js';
export * from './mask.js';
export * from './personal-data.js';
export * from './roles.js';
export * from './secrets.js';
export * from './settings.js';
export * from './time.js';
