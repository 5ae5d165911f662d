/**
 * Internals exposed for benchmarks and reliability scripts that run against
 * the built bundle (dist/testkit.js). Not a public API.
 */
export { openSqliteStore } from './store/sqlite.js';
export { startSandbox } from './sandbox/server.js';
export { createDeps } from './deps.js';
export { createIO } from './core/io.js';
export { main } from './main.js';
export { secretKeys } from './secrets/types.js';
export { openSecretStore } from './secrets/open.js';
export { PLATFORMS } from './providers/types.js';
export { createProgram, loadProgram } from './program.js';
export { completionScript } from './commands/completion.js';
export { makeSandboxProfile } from './commands/sandbox.js';
export { seedConnection, seedConnections } from './sandbox/seed.js';
export { mp4 } from './sandbox/sample-media.js';
export { prng } from './core/prng.js';
export { postStatus } from './publish/post-status.js';
export { seedPublishConnection } from './sandbox/seed-page.js';
export { runScheduleAdd } from './commands/schedule-add.js';
export { postStoreFor } from './store/posts.js';
export { openPostgresStore } from './store/postgres.js';
export { startPostgres } from '../test/helpers/postgres.js';
