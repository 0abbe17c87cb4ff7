/** The part of auth/ the desk's browser code may import: the password rules, pure code. */
export * from './password-policy.js';
