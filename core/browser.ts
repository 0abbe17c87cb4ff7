/** The part of core/ the desk's browser code may import: no Node built-ins behind it. */
export * from './roles.js';
