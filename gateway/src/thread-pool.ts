// Imported first by the CLI: libuv reads UV_THREADPOOL_SIZE once, when its pool first starts,
// so this must run before any file-system or crypto call. Every fsync of a commit holds a
// pool thread while it waits on the disk; with the default 4, a few concurrent PUTs' fsyncs
// leave nothing for the reads and opens of the rest. A value the user set is kept.
export const THREAD_POOL_SIZE = 16;
process.env.UV_THREADPOOL_SIZE ??= String(THREAD_POOL_SIZE);
