// Writes docs/errors.md from the error-code registry (src/error-codes.ts), through the built library.
// Run: npm run build && npm run docs:errors. A test fails when docs/errors.md is out of date.
import { writeFileSync } from 'node:fs';
import { renderErrorDocs } from '../dist/index.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
