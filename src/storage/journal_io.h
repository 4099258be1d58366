/*
 * Internal: the file journal's I/O shim. Every system call the journal makes
 * on its files goes through one of these, so that tests can make any single
 * read, write, sync, truncate or rename fail. There is no global state: each
 * journal holds its own copy of the table, given at open.
 *
 * Each function follows its POSIX namesake: -1 (or a short count) with errno
 * set on failure. ctx is the table's own ctx.
 */
#ifndef CM_STORAGE_JOURNAL_IO_H
#define CM_STORAGE_JOURNAL_IO_H

#include <stdint.h>
#include <sys/types.h>

#include "casemgr/store.h"

struct cm__jio {
	void *ctx;
	int (*open)(void *ctx, const char *path, int flags, mode_t mode);
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t n, off_t off);
	int (*fdatasync)(void *ctx, int fd);
	int (*fsync)(void *ctx, int fd);
	int (*ftruncate)(void *ctx, int fd, off_t len);
	int (*rename)(void *ctx, const char *from, const char *to);
	/* fsync the directory that holds path (after creating or renaming). */
	int (*sync_dir)(void *ctx, const char *path);
	int (*close)(void *ctx, int fd);
	/* posix_fallocate, but -1 with errno set on failure (as the others). */
	int (*fallocate)(void *ctx, int fd, off_t off, off_t len);
	/* Bytes read at once at open (not a call): 0 for the default, 1 MiB.
	 * Tests make it small, so that frames, records and their length
	 * fields straddle reads. */
	size_t read_chunk;
	/* Candidate frames the search for a later frame keeps waiting at
	 * once (not a call): 0 for the default. Tests make it small, so
	 * that candidates are also read at once. */
	size_t later_max;
	/* Bytes a transaction's or a compaction's frame writes at once (not
	 * a call): 0 for the default, 1 MiB. Tests make it small, so that
	 * frames are written in many pieces. */
	size_t write_chunk;
	/* Most payload bytes in a frame (not a call): 0 for the format's
	 * limit, 4 GiB - 1. Tests make it small, so that a transaction
	 * reaches it and a compaction writes several frames. */
	size_t frame_max;
};

/* The plain libc calls (ctx unused). */
extern const struct cm__jio cm__jio_libc;

/* cm_store_open_journal on the given I/O table (copied; NULL = libc). */
int cm__store_open_journal_io(cm_store **out, const char *path, int32_t sync,
			      const cm_store_options *opts,
			      const struct cm__jio *io);

#endif
