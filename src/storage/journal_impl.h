/*
 * Internal: the file journal's state and the pieces of its format shared by
 * opening/recovery and appending (journal.c) and compaction
 * (journal_compact.c). The format is described at the top of journal.c.
 */
#ifndef CM_STORAGE_JOURNAL_IMPL_H
#define CM_STORAGE_JOURNAL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "casemgr/storage.h"
#include "core/core.h"
#include "storage/journal_io.h"

#define CM__JHDR_SIZE 32   /* file header */
#define CM__JFRAME_HDR 8   /* u32 payload length, u32 CRC-32C */

struct cm__journal {
	struct cm__jio io;
	/* The host's allocator (or libc's): the journal exists before its
	 * store does. */
	void *alloc_ctx;
	cm_malloc_fn malloc_fn;
	cm_realloc_fn realloc_fn;
	cm_free_fn free_fn;

	char *path;
	int fd;
	int32_t sync;      /* enum cm_journal_sync */
	int poisoned;      /* a write or sync failed: writes refused */
	int opening;       /* inside cm_store_open: close must not free */
	uint64_t salt;
	uint64_t size;     /* bytes of whole frames (the append offset) */
	/* The file's length: its whole frames, then (CM_SYNC_FULL) zeros,
	 * space taken ahead for the next frames (see journal.c). */
	uint64_t file_size;

	/* The frame being written (a transaction's, or a compaction's): its
	 * records are written as they come, a chunk at a time, and its
	 * header last (cm__journal_frame_put, _end). frame holds room for
	 * the header, then the payload not yet written (flen bytes in all);
	 * fdone payload bytes are written, whose CRC-32C (from 0) is fcrc. */
	unsigned char *frame;
	size_t flen, fcap;
	uint64_t fdone;
	uint32_t fcrc;
	size_t wchunk; /* bytes written at once */
	size_t fmax;   /* most payload bytes in a frame */

	/* Reading at open, until the store has loaded: the file's length
	 * (fstat's, then where recovery cut it), and a window on it, win_len
	 * bytes from offset win_off, in a buffer of win_cap bytes: chunk
	 * bytes at a time, more only for a record that is longer. */
	size_t nfile;
	size_t chunk;
	unsigned char *win;
	size_t win_off, win_len, win_cap;

	char msg[512];
};

extern const cm_storage cm__journal_storage;

/* Little-endian integers. */
void cm__put32(unsigned char *p, uint32_t v);
uint32_t cm__get32(const unsigned char *p);

/* A fresh random salt: CM_OK or CM_EIO (message in j->msg). */
int cm__journal_salt(struct cm__journal *j, uint64_t *out);
/* The file header for salt. */
void cm__journal_header(unsigned char h[CM__JHDR_SIZE], uint64_t salt);
/* Fill in the length and checksum of the frame at f (payload follows). */
void cm__journal_seal(unsigned char *f, uint32_t payload_len, uint64_t salt);
/* Start a frame in j->frame (no allocation: j->frame has room for a
 * header, from cm__journal_frame_begin). */
void cm__journal_frame_start(struct cm__journal *j);
/* The first frame of a writer (a transaction, a compaction): room for a
 * header in j->frame, then cm__journal_frame_start. CM_OK or CM_ENOMEM. */
int cm__journal_frame_begin(struct cm__journal *j);
/* Add a record to the frame that starts at offset `at` of fd: kept, or
 * with what was kept before it written at its place once the chunk is
 * full. live: fd is the journal's own file (space is taken ahead there).
 * CM_OK; CM_ERANGE (the record does not fit in the frame: a frame's
 * payload is at most j->fmax bytes, 4 GiB - 1; nothing changed), CM_ENOMEM
 * or CM_EIO (message in j->msg; a failed write leaves bytes past the
 * frame's start, which the caller takes back). */
int cm__journal_frame_put(struct cm__journal *j, int fd, uint64_t at, int live,
			  const void *bytes, size_t len);
/* Write what is left of the frame, then its header: 0 (its length, header
 * included, in *out_len), or -1 with errno set. */
int cm__journal_frame_end(struct cm__journal *j, int fd, uint64_t at,
			  uint64_t salt, uint64_t *out_len);
/* Write n bytes at off, resuming short writes: 0 or -1 (errno). */
int cm__journal_write(struct cm__journal *j, int fd, const void *p, size_t n,
		      uint64_t off);
/* Take the exclusive lock on fd: CM_OK, CM_ELOCKED or CM_EIO. */
int cm__journal_lock(struct cm__journal *j, int fd, const char *path);
/* Record a failure in j->msg and return code. With errno text when
 * with_errno. */
int cm__journal_fail(struct cm__journal *j, int code, int with_errno,
		     const char *fmt, ...) CM__PRINTF(4, 5);
/* After a failed write or sync: refuse every later write. */
void cm__journal_poison(struct cm__journal *j);

#endif
