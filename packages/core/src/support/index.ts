/**
 * `@gqlcast/core/support`: what gqlcast's own packages share besides the push contract (error
 * checks, log-safe text, loggers, resume cursors), without loading the core's main entry, whose
 * channels load zod. The graphql-ws compatibility entry serves programs that may declare no
 * channel at all: it loads this, not the channels (docs/performance.md). Applications import
 * these from `@gqlcast/core`.
 */
export { isGqlcastError } from '../errors.js';
export { escapingLogger, logText } from '../log-text.js';
export { loggerFrom } from '../logger.js';
export { decodeCursor } from '../resume-seam.js';
export { returnWithReason } from '../return-reason.js';
