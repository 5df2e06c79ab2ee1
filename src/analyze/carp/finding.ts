// The CARP analyzer's findings are built by the shared analyze/finding.ts.

export { makeFinding } from '../finding.js';
