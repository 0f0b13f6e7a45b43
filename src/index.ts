// custody's library API: explicit named exports, types separate. Each domain adds its surface here.
export { CustodyError, isCustodyError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ExitStatus, CustodyErrorOptions } from './errors.js';
export { VERSION } from './version.js';
export { renderErrorDocs } from './error-docs.js';
