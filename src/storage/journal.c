/*
 * The file journal: the library's own cm_storage (casemgr/storage.h), an
 * append-only file with one checksummed frame per committed transaction.
 *
 * Format, version 1 (integers little-endian):
 *
 *   file header, 32 bytes
 *     0   magic 89 'C' 'M' 'J' 0D 0A 1A 0A (PNG-style: catches text-mode
 *         and 7-bit mangling)
 *     8   u32 format version (1)
 *    12   u32 reserved, 0
 *    16   u64 salt: random, fresh for every file written (creation and
 *         compaction), so a frame left over from an earlier file on the
 *         same blocks never verifies
 *    24   u32 reserved, 0
 *    28   u32 CRC-32C of bytes 0..27
 *
 *   then one frame per committed transaction
 *     0   u32 payload length n (> 0)
 *     4   u32 CRC-32C of salt (8 bytes) || bytes 0..3 || payload
 *     8   payload: the transaction's records in put order, each as
 *         u32 length then the record bytes exactly as put received them
 *         (the casemgr record encoding, itself checksummed)
 *
 * A commit appends its whole frame with one positioned write at the end of
 * the last whole frame and, under CM_SYNC_FULL, fdatasyncs before it
 * returns: a frame is either whole and verifying, or a torn tail.
 *
 * Space taken ahead (CM_SYNC_FULL only): when a frame would end past the
 * file's end, the file is first extended with zeros (posix_fallocate) by
 * an eighth of its size, at least 64 KiB and at most 64 MiB. A frame
 * written into that space changes no file size, so its fdatasync writes
 * the data alone, not also the file system's record of the size (about
 * 1.3x the commits per second on ext4). If taking space fails, the frame
 * is appended as before. Under
 * CM_SYNC_NORMAL, which does not sync each frame, frames are never written
 * into zeros: a crash could then keep a later frame and lose an earlier
 * one, which recovery must refuse; so opening in that mode cuts a zero
 * tail away first. For the same reason a CM_SYNC_FULL open syncs the
 * frames it finds (a CM_SYNC_NORMAL session, or a process killed between
 * a write and its sync, may have left them in the page cache only)
 * before its first frame goes into zeros.
 *
 * Recovery at open: frames are read from the start. At the first frame that
 * is truncated or fails its checksum, every later offset is tried as a
 * frame start: if any frame there verifies, the damage is not a torn tail
 * (data follows it) and the open fails with CM_ECORRUPT -- it is never
 * skipped. Otherwise the cut bytes are copied to "<path>.torn-<n>" (the
 * first free n from 1), the file is truncated to its whole frames and
 * synced, and the store loads what is left. Bytes after the last whole
 * frame that are all zero are space taken ahead, not a torn tail: kept
 * under CM_SYNC_FULL, cut (without a copy) under CM_SYNC_NORMAL. A frame
 * that verifies but whose records do not tile it is CM_ECORRUPT (a writer
 * bug, not a crash).
 *
 * The file is locked with flock(LOCK_EX | LOCK_NB) for as long as the store
 * lives; flock locks belong to the open file, so a second open in the same
 * process is refused too. A failed write or sync poisons the journal: the
 * failed frame is truncated away (best effort), the commit fails, and every
 * later commit fails with CM_EPOISONED.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/journal_impl.h"

#define JOURNAL_VERSION 1
static const unsigned char magic[8] = { 0x89, 'C', 'M', 'J', 0x0d, 0x0a, 0x1a, 0x0a };

/* ---- small helpers ------------------------------------------------------- */

void cm__put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

uint32_t cm__get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	cm__put32(p, (uint32_t)v);
	cm__put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)cm__get32(p) | (uint64_t)cm__get32(p + 4) << 32;
}

int cm__journal_fail(struct cm__journal *j, int code, int with_errno,
		     const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof(j->msg), fmt, ap);
	va_end(ap);
	n = strlen(j->msg);
	if (with_errno && n < sizeof(j->msg) - 3) {
		char eb[160];
		if (strerror_r(e, eb, sizeof(eb)) != 0)
			snprintf(eb, sizeof(eb), "errno %d", e);
		snprintf(j->msg + n, sizeof(j->msg) - n, ": %s", eb);
	}
	errno = e;
	return code;
}

void cm__journal_poison(struct cm__journal *j)
{
	j->poisoned = 1;
	/* Best effort: take the failed frame back out, so that a commit
	 * reported as failed does not come back at the next open (unless the
	 * machine crashes first: then its outcome is undetermined). */
	(void)j->io.ftruncate(j->io.ctx, j->fd, (off_t)j->size);
	j->file_size = j->size;
}

int cm__journal_salt(struct cm__journal *j, uint64_t *out)
{
	unsigned char b[8];
	size_t got = 0;
	int fd;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof(b)) {
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
			int rc = cm__journal_fail(j, CM_EIO, 1,
						  "journal: no random salt from getrandom or /dev/urandom");
			if (fd >= 0)
				close(fd);
			return rc;
		}
		close(fd);
	}
	*out = get64(b);
	return CM_OK;
}

void cm__journal_header(unsigned char h[CM__JHDR_SIZE], uint64_t salt)
{
	memset(h, 0, CM__JHDR_SIZE);
	memcpy(h, magic, sizeof(magic));
	cm__put32(h + 8, JOURNAL_VERSION);
	put64(h + 16, salt);
	cm__put32(h + 28, cm_crc32c(0, h, 28));
}

static uint32_t frame_crc(uint64_t salt, const unsigned char *f, uint32_t n)
{
	unsigned char s[8];
	uint32_t c;

	put64(s, salt);
	c = cm_crc32c(0, s, sizeof(s));
	c = cm_crc32c(c, f, 4);
	return cm_crc32c(c, f + CM__JFRAME_HDR, n);
}

void cm__journal_seal(unsigned char *f, uint32_t payload_len, uint64_t salt)
{
	cm__put32(f, payload_len);
	cm__put32(f + 4, frame_crc(salt, f, payload_len));
}

int cm__journal_write(struct cm__journal *j, int fd, const void *p, size_t n,
		      uint64_t off)
{
	const unsigned char *b = p;

	while (n) {
		ssize_t w = j->io.pwrite(j->io.ctx, fd, b, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		b += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int cm__journal_lock(struct cm__journal *j, int fd, const char *path)
{
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return cm__journal_fail(j, CM_ELOCKED, 0,
						"journal '%s' is in use by another open store "
						"(in this or another process)", path);
		return cm__journal_fail(j, CM_EIO, 1, "journal lock of '%s' failed", path);
	}
	return CM_OK;
}

/* ---- frames -------------------------------------------------------------- */

enum { FRAME_OK, FRAME_TORN, FRAME_BAD };

/* Check the frame at off of d[0..size): FRAME_OK (its end in *end),
 * FRAME_TORN (truncated or failing its checksum) or FRAME_BAD (verifies
 * but its records do not tile it). */
static int frame_check(const unsigned char *d, size_t size, size_t off,
		       uint64_t salt, size_t *end)
{
	size_t p, q;
	uint32_t n;

	if (size - off < CM__JFRAME_HDR)
		return FRAME_TORN;
	n = cm__get32(d + off);
	if (n > size - off - CM__JFRAME_HDR)
		return FRAME_TORN;
	if (frame_crc(salt, d + off, n) != cm__get32(d + off + 4))
		return FRAME_TORN;
	q = off + CM__JFRAME_HDR + n;
	if (n == 0)
		return FRAME_BAD;
	for (p = off + CM__JFRAME_HDR; p < q; p += 4 + cm__get32(d + p))
		if (q - p < 4 || cm__get32(d + p) > q - p - 4)
			return FRAME_BAD;
	*end = q;
	return FRAME_OK;
}

/* The first offset after off where a frame verifies, or 0. A frame's first
 * record starts with the encoding's 'C' 'R': checked first, so that only
 * plausible offsets pay for a checksum. */
static size_t find_later_frame(const unsigned char *d, size_t size, size_t off,
			       uint64_t salt)
{
	size_t p, end;

	for (p = off + 1; size - p >= CM__JFRAME_HDR + 6; p++) {
		uint32_t n = cm__get32(d + p);
		if (n < 6 || n > size - p - CM__JFRAME_HDR ||
		    d[p + 12] != 'C' || d[p + 13] != 'R')
			continue;
		if (frame_check(d, size, p, salt, &end) != FRAME_TORN)
			return p;
	}
	return 0;
}

/* ---- opening and recovery ------------------------------------------------- */

static void *j_alloc(struct cm__journal *j, size_t n)
{
	return j->malloc_fn(j->alloc_ctx, n ? n : 1);
}

static void j_free(struct cm__journal *j, void *p)
{
	if (p)
		j->free_fn(j->alloc_ctx, p);
}

static void journal_destroy(struct cm__journal *j)
{
	if (j->fd >= 0)
		j->io.close(j->io.ctx, j->fd);
	j_free(j, j->path);
	j_free(j, j->frame);
	j_free(j, j->data);
	j_free(j, j);
}

static int read_file(struct cm__journal *j)
{
	struct stat st;
	size_t got = 0;

	if (fstat(j->fd, &st) != 0)
		return cm__journal_fail(j, CM_EIO, 1, "journal stat of '%s' failed", j->path);
	if ((uint64_t)st.st_size > SIZE_MAX / 2)
		return cm__journal_fail(j, CM_ENOMEM, 0, "journal '%s' is too large", j->path);
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->data,
			     &j->capdata, (size_t)st.st_size + 1, 1))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory reading journal '%s'",
					j->path);
	while (got < (size_t)st.st_size) {
		ssize_t r = j->io.pread(j->io.ctx, j->fd, j->data + got,
					(size_t)st.st_size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cm__journal_fail(j, CM_EIO, 1, "journal read of '%s' failed", j->path);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	j->ndata = got;
	return CM_OK;
}

/* Copy d[off..end) to "<path>.torn-<n>", then cut the journal at off. */
static int cut_tail(struct cm__journal *j, size_t off, size_t end)
{
	size_t plen = strlen(j->path) + 24;
	char *tp = j_alloc(j, plen);
	unsigned n;
	int fd = -1, rc = CM_OK;

	if (!tp)
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory recovering journal");
	for (n = 1;; n++) {
		snprintf(tp, plen, "%s.torn-%u", j->path, n);
		fd = j->io.open(j->io.ctx, tp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || n == 1000000)
			break;
	}
	if (fd < 0) {
		rc = cm__journal_fail(j, CM_EIO, 1, "journal recovery: creating '%s' failed", tp);
		goto out;
	}
	if (cm__journal_write(j, fd, j->data + off, end - off, 0) ||
	    j->io.fsync(j->io.ctx, fd)) {
		rc = cm__journal_fail(j, CM_EIO, 1, "journal recovery: writing '%s' failed", tp);
		goto out;
	}
	if (j->io.sync_dir(j->io.ctx, j->path) ||
	    j->io.ftruncate(j->io.ctx, j->fd, (off_t)off) ||
	    j->io.fsync(j->io.ctx, j->fd)) {
		rc = cm__journal_fail(j, CM_EIO, 1,
				      "journal recovery: cutting '%s' at offset %zu failed",
				      j->path, off);
		goto out;
	}
	j->ndata = off;
out:
	if (fd >= 0)
		j->io.close(j->io.ctx, fd);
	j_free(j, tp);
	return rc;
}

/* A new (empty) journal, or one whose creation was cut before its header
 * was whole: write a fresh header. */
static int create_header(struct cm__journal *j)
{
	unsigned char h[CM__JHDR_SIZE];
	int rc;

	if (j->ndata && (rc = cut_tail(j, 0, j->ndata)) != CM_OK)
		return rc;
	if ((rc = cm__journal_salt(j, &j->salt)) != CM_OK)
		return rc;
	cm__journal_header(h, j->salt);
	if (cm__journal_write(j, j->fd, h, sizeof(h), 0) ||
	    j->io.fsync(j->io.ctx, j->fd) || j->io.sync_dir(j->io.ctx, j->path))
		return cm__journal_fail(j, CM_EIO, 1, "journal creation of '%s' failed", j->path);
	j->size = j->file_size = CM__JHDR_SIZE;
	return CM_OK;
}

/* 1 if d[off..n) are all zero bytes. */
static int all_zero(const unsigned char *d, size_t off, size_t n)
{
	for (; off < n; off++)
		if (d[off])
			return 0;
	return 1;
}

/* The end of what is worth keeping of a torn tail d[off..n): the torn
 * frame as far as its length field says, and the zeros after it left out
 * (space taken ahead, up to 64 MiB), but only when that length accounts
 * for every byte that is not zero. The length field is part of the torn
 * write: its block may have been lost, or kept in part, while later blocks
 * of the frame reached the disk (a length of 0, or too short); and under
 * CM_SYNC_NORMAL later frames may be in flight after it. Then the frame's
 * end is unknown, zeros the crash wrote may end it, and the copy keeps
 * the whole tail. */
static size_t torn_end(const unsigned char *d, size_t n, size_t off)
{
	size_t end = n, frame;

	if (n - off < CM__JFRAME_HDR || cm__get32(d + off) == 0 ||
	    cm__get32(d + off) > n - off - CM__JFRAME_HDR)
		return n;
	frame = off + CM__JFRAME_HDR + cm__get32(d + off);
	while (end > frame && !d[end - 1])
		end--;
	return end > frame ? n : frame;
}

static int recover(struct cm__journal *j)
{
	const unsigned char *d = j->data;
	size_t off = CM__JHDR_SIZE, end = 0, later;
	int st = FRAME_OK, rc;

	if (j->ndata < CM__JHDR_SIZE) {
		if (memcmp(d, magic, j->ndata < 8 ? j->ndata : 8) != 0)
			return cm__journal_fail(j, CM_ECORRUPT, 0,
						"'%s' is not a casemgr journal", j->path);
		return create_header(j);
	}
	if (memcmp(d, magic, sizeof(magic)) != 0)
		return cm__journal_fail(j, CM_ECORRUPT, 0, "'%s' is not a casemgr journal",
					j->path);
	if (cm_crc32c(0, d, 28) != cm__get32(d + 28))
		return cm__journal_fail(j, CM_ECORRUPT, 0,
					"journal '%s': the file header fails its checksum", j->path);
	if (cm__get32(d + 8) != JOURNAL_VERSION)
		return cm__journal_fail(j, CM_EVERSION, 0,
					"journal '%s' has format version %u; this library reads %u",
					j->path, (unsigned)cm__get32(d + 8), JOURNAL_VERSION);
	j->salt = get64(d + 16);
	while (off < j->ndata &&
	       (st = frame_check(d, j->ndata, off, j->salt, &end)) == FRAME_OK)
		off = end;
	/* Zeros can pass for a frame with no records (an all-zero header
	 * verifies under one salt in 2^32): they are space taken ahead. */
	if (st == FRAME_BAD && !all_zero(d, off, j->ndata))
		return cm__journal_fail(j, CM_ECORRUPT, 0,
					"journal '%s': the transaction at offset %zu is malformed",
					j->path, off);
	j->size = j->file_size = off;
	if (off < j->ndata && all_zero(d, off, j->ndata)) {
		/* Space taken ahead: kept for the next frames, unless they
		 * are not synced one by one (see the top of this file). */
		if (j->sync == CM_SYNC_FULL) {
			j->file_size = j->ndata;
			return CM_OK;
		}
		if (j->io.ftruncate(j->io.ctx, j->fd, (off_t)off) ||
		    j->io.fsync(j->io.ctx, j->fd))
			return cm__journal_fail(j, CM_EIO, 1,
						"journal recovery: cutting '%s' at offset %zu failed",
						j->path, off);
		return CM_OK;
	}
	if (off < j->ndata) {
		later = find_later_frame(d, j->ndata, off, j->salt);
		if (later)
			return cm__journal_fail(j, CM_ECORRUPT, 0,
						"journal '%s' is damaged at offset %zu and valid "
						"transactions follow (at offset %zu): refusing to "
						"skip them", j->path, off, later);
		rc = cut_tail(j, off, torn_end(d, j->ndata, off));
		if (rc != CM_OK)
			return rc;
	}
	return CM_OK;
}

/* Open and lock path. The lock is taken on the file we opened; if the path
 * was meanwhile replaced (a compaction renamed over it), start again. */
static int open_locked(struct cm__journal *j)
{
	int attempt, rc = CM_OK;

	for (attempt = 0; attempt < 8; attempt++) {
		struct stat a, b;
		j->fd = j->io.open(j->io.ctx, j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (j->fd < 0)
			return cm__journal_fail(j, CM_EIO, 1, "journal open of '%s' failed", j->path);
		rc = cm__journal_lock(j, j->fd, j->path);
		if (rc == CM_OK && (fstat(j->fd, &a) != 0 || stat(j->path, &b) != 0))
			rc = cm__journal_fail(j, CM_EIO, 1, "journal stat of '%s' failed", j->path);
		if (rc != CM_OK || (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
			return rc;
		j->io.close(j->io.ctx, j->fd);
		j->fd = -1;
	}
	return cm__journal_fail(j, CM_ELOCKED, 0, "journal '%s' keeps being replaced", j->path);
}

static int open_fail(const cm_store_options *o, int code, const char *msg)
{
	if (o->errbuf && o->errbuf_size)
		snprintf(o->errbuf, o->errbuf_size, "%s", msg);
	return code;
}

int cm__store_open_journal_io(cm_store **out, const char *path, int32_t sync,
			      const cm_store_options *opts,
			      const struct cm__jio *io)
{
	cm_store_options o = CM_STORE_OPTIONS_INIT;
	struct cm__journal *j;
	size_t plen;
	int rc;

	if (opts) {
		if (opts->version == 0 || opts->version > CM_STORE_OPTIONS_VERSION)
			return CM_EVERSION;
		memcpy(&o, opts, opts->version == 1 ? offsetof(cm_store_options, storage)
						   : sizeof(o));
		o.version = CM_STORE_OPTIONS_VERSION;
	}
	if (!out || !path || !path[0])
		return open_fail(&o, CM_EINVAL, "journal open: out and path are required");
	if (sync != CM_SYNC_FULL && sync != CM_SYNC_NORMAL)
		return open_fail(&o, CM_ERANGE, "journal open: unknown sync mode");
	if (o.storage || o.storage_ctx)
		return open_fail(&o, CM_EINVAL,
				 "journal open: the options' storage members must be unset");
	{
		/* Partial allocators are refused by cm_store_open below; the
		 * journal then uses libc's until it is destroyed. */
		int host = o.malloc_fn && o.realloc_fn && o.free_fn;
		cm_malloc_fn mf = host ? o.malloc_fn : cm__libc_malloc;
		void *actx = host ? o.alloc_ctx : NULL;
		j = mf(actx, sizeof(*j));
		if (!j)
			return open_fail(&o, CM_ENOMEM, "journal open: out of memory");
		memset(j, 0, sizeof(*j));
		j->alloc_ctx = actx;
		j->malloc_fn = mf;
		j->realloc_fn = host ? o.realloc_fn : cm__libc_realloc;
		j->free_fn = host ? o.free_fn : cm__libc_free;
	}
	j->io = io ? *io : cm__jio_libc;
	j->fd = -1;
	j->sync = sync;
	plen = strlen(path);
	j->path = j_alloc(j, plen + 1);
	if (!j->path) {
		journal_destroy(j);
		return open_fail(&o, CM_ENOMEM, "journal open: out of memory");
	}
	memcpy(j->path, path, plen + 1);

	rc = open_locked(j);
	if (rc == CM_OK)
		rc = read_file(j);
	if (rc == CM_OK)
		rc = j->ndata ? recover(j) : create_header(j);
	/* The frames found may not be on disk yet (written under
	 * CM_SYNC_NORMAL, or by a process killed before its sync), and this
	 * session's first frame goes into zeros: sync them first (see the
	 * top of this file). */
	if (rc == CM_OK && j->sync == CM_SYNC_FULL && j->size > CM__JHDR_SIZE &&
	    j->io.fdatasync(j->io.ctx, j->fd))
		rc = cm__journal_fail(j, CM_EIO, 1, "journal fdatasync of '%s' failed",
				      j->path);
	if (rc != CM_OK) {
		open_fail(&o, rc, j->msg);
		journal_destroy(j);
		return rc;
	}
	o.storage = &cm__journal_storage;
	o.storage_ctx = j;
	j->opening = 1;
	rc = cm_store_open(out, &o);
	j->opening = 0;
	j_free(j, j->data);
	j->data = NULL;
	j->ndata = j->capdata = 0;
	if (rc != CM_OK)
		journal_destroy(j);
	return rc;
}

int cm_store_open_journal(cm_store **out, const char *path, int32_t sync,
			  const cm_store_options *opts)
{
	return cm__store_open_journal_io(out, path, sync, opts, NULL);
}

/* ---- the storage callbacks ------------------------------------------------ */

static int j_begin(void *ctx)
{
	struct cm__journal *j = ctx;

	if (j->poisoned)
		return cm__journal_fail(j, CM_EPOISONED, 0,
					"journal '%s' refuses writes after an earlier write or "
					"sync failure; close and reopen the store", j->path);
	j->flen = CM__JFRAME_HDR;
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->frame,
			     &j->fcap, j->flen, 1))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory");
	return 0;
}

static int j_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		 int64_t prev_revision, const void *bytes, size_t len)
{
	struct cm__journal *j = ctx;

	(void)kind;
	(void)id;
	(void)revision;
	(void)prev_revision;
	if (len > UINT32_MAX - 4 || j->flen - CM__JFRAME_HDR > UINT32_MAX - 4 - len)
		return cm__journal_fail(j, CM_ERANGE, 0,
					"journal: a transaction is limited to 4 GiB");
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->frame,
			     &j->fcap, j->flen + 4 + len, 1))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory");
	cm__put32(j->frame + j->flen, (uint32_t)len);
	memcpy(j->frame + j->flen + 4, bytes, len);
	j->flen += 4 + len;
	return 0;
}

/* Extend the file with zeros for the frame being put and more (see the
 * top of this file). A failure changes nothing that matters: the frame is
 * then appended past the end. */
static void take_space(struct cm__journal *j)
{
	/* At most 64 MiB at once: where the file system cannot allocate
	 * without writing, libc writes the zeros, and the commit waits. */
	uint64_t step = 64 * 1024, most = 1024 * step;
	uint64_t ahead = j->size / 8 < step ? step : j->size / 8 > most ? most
										 : j->size / 8;
	uint64_t want = (j->size + j->flen + ahead + step - 1) / step * step;

	if (want <= (uint64_t)INT64_MAX &&
	    j->io.fallocate(j->io.ctx, j->fd, (off_t)j->file_size,
			    (off_t)(want - j->file_size)) == 0)
		j->file_size = want;
}

static int j_commit(void *ctx)
{
	struct cm__journal *j = ctx;

	cm__journal_seal(j->frame, (uint32_t)(j->flen - CM__JFRAME_HDR), j->salt);
	if (j->sync == CM_SYNC_FULL && j->size + j->flen > j->file_size)
		take_space(j);
	if (cm__journal_write(j, j->fd, j->frame, j->flen, j->size)) {
		cm__journal_fail(j, CM_EIO, 1, "journal write to '%s' failed", j->path);
		cm__journal_poison(j);
		return CM_EIO;
	}
	if (j->sync == CM_SYNC_FULL && j->io.fdatasync(j->io.ctx, j->fd)) {
		cm__journal_fail(j, CM_EIO, 1, "journal fdatasync of '%s' failed", j->path);
		cm__journal_poison(j);
		return CM_EIO;
	}
	j->size += j->flen;
	if (j->file_size < j->size)
		j->file_size = j->size;
	j->flen = 0;
	return 0;
}

static int j_rollback(void *ctx)
{
	struct cm__journal *j = ctx;

	j->flen = 0;
	return 0;
}

static int j_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct cm__journal *j = ctx;
	const unsigned char *d = j->data;
	size_t off, p, end;
	int rc;

	for (off = CM__JHDR_SIZE; off < j->size; off = end) {
		end = off + CM__JFRAME_HDR + cm__get32(d + off);
		for (p = off + CM__JFRAME_HDR; p < end; p += 4 + cm__get32(d + p))
			if ((rc = emit(emit_ctx, d + p + 4, cm__get32(d + p))) != 0)
				return rc;
	}
	return 0;
}

static int j_close(void *ctx)
{
	struct cm__journal *j = ctx;

	if (!j->opening)
		journal_destroy(j);
	return 0;
}

static const char *j_errmsg(void *ctx)
{
	struct cm__journal *j = ctx;

	return j->msg;
}

const cm_storage cm__journal_storage = {
	CM_STORAGE_VERSION, j_begin, j_put, j_commit, j_rollback, j_load,
	j_close, j_errmsg, NULL,
};
