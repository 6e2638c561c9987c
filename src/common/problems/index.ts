export * from './error-codes.js';
export * from './problem.exception.js';
export * from './problem-response.js';
export { fallbackErrorHandler, ProblemFilter } from './problem.filter.js';
