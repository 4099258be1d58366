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
 * A commit writes its frame at the end of the last whole frame and, under
 * CM_SYNC_FULL, fdatasyncs before it returns: a frame is either whole and
 * verifying, or a torn tail. A frame of up to 1 MiB (most) goes in one
 * positioned write. A larger one (a bulk load) is written as its records
 * come, 1 MiB at a time, its header last, so that a transaction never
 * holds its whole frame in memory; its checksum is made from its
 * payload's (the checksum is linear). A transaction that fails after
 * some of it was written takes those bytes back (ftruncate).
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
 * tail away first. A frame written in pieces is the exception: its
 * payload is appended, but its header goes last into the zeros left
 * before it, so its commit syncs it in that mode too (one sync per frame
 * of more than 1 MiB). For the same reason a CM_SYNC_FULL open syncs the
 * frames it finds (a CM_SYNC_NORMAL session, or a process killed between
 * a write and its sync, may have left them in the page cache only)
 * before its first frame goes into zeros.
 *
 * Recovery at open: frames are read from the start. At the first frame that
 * is truncated or fails its checksum, every later offset is tried as a
 * frame start: if any frame there verifies, the damage is not a torn tail
 * (data follows it) and the open fails with CM_ECORRUPT -- it is never
 * skipped. That search reads the tail once, whatever the number of
 * offsets that could start a frame (find_later_frame). Otherwise the cut bytes are copied to "<path>.torn-<n>" (the
 * first free n from 1), the file is truncated to its whole frames and
 * synced, and the store loads what is left. Bytes after the last whole
 * frame that are all zero are space taken ahead, not a torn tail: kept
 * under CM_SYNC_FULL, cut (without a copy) under CM_SYNC_NORMAL. A frame
 * that verifies but whose records do not tile it is CM_ECORRUPT (a writer
 * bug, not a crash).
 *
 * The file is never held whole at open: a store of a million clients
 * makes a journal of gigabytes, and one transaction (a bulk load, a
 * compaction) is one frame. It is read through a window of 1 MiB, larger
 * only for a record that is: recovery checks each frame in pieces (its
 * checksum, then its records' length fields), and the store's load reads
 * the records again, each whole during its decoding. The length that
 * counts is the file's at open (fstat): the file is locked, so a read
 * that ends sooner means that another program changed it, and the open
 * fails with CM_EIO.
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

#include "core/crc32c.h"
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

/* The checksum of the frame at f as far as its payload: the salt, then its
 * length field. The payload continues it (cm_crc32c is incremental). */
static uint32_t frame_crc_head(uint64_t salt, const unsigned char *f)
{
	unsigned char s[8];

	put64(s, salt);
	return cm_crc32c(cm_crc32c(0, s, sizeof(s)), f, 4);
}

/* The header of a frame of payload_len bytes whose CRC-32C (from 0) is
 * payload_crc: the frame's checksum follows from it (the checksum is
 * linear), so a frame written in pieces needs none of them again. */
static void seal_crc(unsigned char *f, uint32_t payload_len, uint32_t payload_crc,
		     uint64_t salt)
{
	cm__put32(f, payload_len);
	cm__put32(f + 4, cm__crc32c_shift(frame_crc_head(salt, f), payload_len) ^
				 payload_crc);
}

void cm__journal_seal(unsigned char *f, uint32_t payload_len, uint64_t salt)
{
	seal_crc(f, payload_len, cm_crc32c(0, f + CM__JFRAME_HDR, payload_len), salt);
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

/* ---- reading the file ---------------------------------------------------- */

/* Bytes read at once at open (unless the I/O table says otherwise): the
 * file is read through a window of this size, never whole. */
#define JOURNAL_CHUNK ((size_t)1 << 20)

static void *j_alloc(struct cm__journal *j, size_t n)
{
	return j->malloc_fn(j->alloc_ctx, n ? n : 1);
}

static void j_free(struct cm__journal *j, void *p)
{
	if (p)
		j->free_fn(j->alloc_ctx, p);
}

/* The file has been loaded, or the open failed: the window goes. */
static void window_free(struct cm__journal *j)
{
	j_free(j, j->win);
	j->win = NULL;
	j->win_off = j->win_len = j->win_cap = 0;
}

/* How many of the file's bytes from off the window holds (0: not off). */
static size_t window_has(const struct cm__journal *j, size_t off)
{
	if (off < j->win_off || off - j->win_off >= j->win_len)
		return 0;
	return j->win_len - (off - j->win_off);
}

/* The file is locked, but flock binds only those who take it. */
static int changed(struct cm__journal *j)
{
	return cm__journal_fail(j, CM_EIO, 0,
				"journal '%s' changed while it was being opened "
				"(another program wrote to it)", j->path);
}

/* Point *p at the file's bytes [off, off + n), valid until the next call.
 * Unless the window holds them, it moves to off, keeps what it holds from
 * there, and reads the rest: a chunk, or n bytes when more (one record,
 * or a frame's header). CM_OK, CM_EIO or CM_ENOMEM (message in j->msg). */
static int file_at(struct cm__journal *j, size_t off, size_t n,
		   const unsigned char **p)
{
	size_t want, keep = window_has(j, off);

	if (keep && keep >= n) {
		*p = j->win + (off - j->win_off);
		return CM_OK;
	}
	if (off > j->nfile || n > j->nfile - off)
		return changed(j);
	want = n > j->chunk ? n : j->chunk;
	if (want > j->nfile - off)
		want = j->nfile - off;
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->win,
			     &j->win_cap, want, 1))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory reading journal '%s'",
					j->path);
	if (keep)
		memmove(j->win, j->win + (off - j->win_off), keep);
	j->win_off = off;
	j->win_len = keep;
	while (j->win_len < want) {
		ssize_t r = j->io.pread(j->io.ctx, j->fd, j->win + j->win_len,
					want - j->win_len, (off_t)(off + j->win_len));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cm__journal_fail(j, CM_EIO, 1, "journal read of '%s' failed", j->path);
		if (r == 0)
			return changed(j); /* shorter than fstat said */
		j->win_len += (size_t)r;
	}
	*p = j->win;
	return CM_OK;
}

/* How much of [off, end) to take in one piece when going through it in
 * order: what the window holds from off, else a chunk. */
static size_t piece(const struct cm__journal *j, size_t off, size_t end)
{
	size_t n = window_has(j, off);

	if (!n)
		n = j->chunk;
	return n < end - off ? n : end - off;
}

/* ---- frames -------------------------------------------------------------- */

enum { FRAME_OK, FRAME_TORN, FRAME_BAD };

/* Check the frame at off: FRAME_OK (its end in *end), FRAME_TORN
 * (truncated or failing its checksum) or FRAME_BAD (verifies but its
 * records do not tile it); a negative CM_E* code if reading fails. A
 * frame is a whole transaction, up to 4 GiB: it is checked in pieces,
 * its checksum first, then its records' length fields. */
static int frame_check(struct cm__journal *j, size_t off, size_t *end)
{
	const unsigned char *p;
	size_t q, at, len;
	uint32_t n, crc, want;
	int rc;

	if (j->nfile - off < CM__JFRAME_HDR)
		return FRAME_TORN;
	if ((rc = file_at(j, off, CM__JFRAME_HDR, &p)) != CM_OK)
		return rc;
	n = cm__get32(p);
	if (n > j->nfile - off - CM__JFRAME_HDR)
		return FRAME_TORN;
	want = cm__get32(p + 4);
	crc = frame_crc_head(j->salt, p);
	q = off + CM__JFRAME_HDR + n;
	for (at = off + CM__JFRAME_HDR; at < q; at += len) {
		len = piece(j, at, q);
		if ((rc = file_at(j, at, len, &p)) != CM_OK)
			return rc;
		crc = cm_crc32c(crc, p, len);
	}
	if (crc != want)
		return FRAME_TORN;
	if (n == 0)
		return FRAME_BAD;
	for (at = off + CM__JFRAME_HDR; at < q; at += 4 + len) {
		if (q - at < 4)
			return FRAME_BAD;
		if ((rc = file_at(j, at, 4, &p)) != CM_OK)
			return rc;
		len = cm__get32(p);
		if (len > q - at - 4)
			return FRAME_BAD;
	}
	*end = q;
	return FRAME_OK;
}

/* The search for a later frame (find_later_frame). A torn transaction of
 * a bulk load can be gigabytes long, and every offset in it where a frame
 * could start must be checked: checking each candidate by reading its
 * claimed payload would read the tail again for each one, which takes
 * hours for a tail of a gigabyte. Instead the tail is read once, in order,
 * keeping the running checksum Q of the bytes from the search's start.
 * The checksum is linear (cm__crc32c_shift), so a candidate's frame
 * checksum follows from Q at the two ends of its payload: at the start, a
 * candidate becomes the value t that Q must reach at its end, and waits
 * there in a heap ordered by end. */
struct later_cand {
	uint64_t p;  /* where the candidate frame starts */
	uint32_t n;  /* its payload length: it ends at p + 8 + n */
	uint32_t t;  /* its checksum holds iff Q reaches t at its end */
};

struct later_scan {
	struct cm__journal *j;
	size_t q;     /* Q is the checksum of the bytes from the start to q */
	uint32_t crc; /* Q */
	struct later_cand *h; /* min-heap by end */
	size_t nh, caph, maxh;
	size_t best;  /* the first offset found where a frame verifies; 0 */
};

/* Candidates waiting at once, at most (16 bytes each); past that, or if
 * the heap cannot grow, a candidate is checked by reading it. */
#define LATER_MAX ((size_t)1 << 22)

static uint64_t cand_end(const struct later_cand *c)
{
	return c->p + CM__JFRAME_HDR + c->n;
}

static void heap_push(struct later_scan *ls, struct later_cand c)
{
	size_t i = ls->nh++;

	while (i > 0 && cand_end(&ls->h[(i - 1) / 2]) > cand_end(&c)) {
		ls->h[i] = ls->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	ls->h[i] = c;
}

static struct later_cand heap_pop(struct later_scan *ls)
{
	struct later_cand top = ls->h[0], last = ls->h[--ls->nh];
	size_t i = 0, k;

	while ((k = 2 * i + 1) < ls->nh) {
		if (k + 1 < ls->nh && cand_end(&ls->h[k + 1]) < cand_end(&ls->h[k]))
			k++;
		if (cand_end(&last) <= cand_end(&ls->h[k]))
			break;
		ls->h[i] = ls->h[k];
		i = k;
	}
	if (ls->nh)
		ls->h[i] = last;
	return top;
}

static void found(struct later_scan *ls, size_t p)
{
	if (!ls->best || p < ls->best)
		ls->best = p;
}

/* Q up to x (not back), settling each candidate that ends on the way. */
static int stream_to(struct later_scan *ls, size_t x)
{
	const unsigned char *b;
	size_t to, len;
	int rc;

	while (ls->q < x) {
		to = x;
		if (ls->nh && cand_end(&ls->h[0]) < to)
			to = (size_t)cand_end(&ls->h[0]);
		for (; ls->q < to; ls->q += len) {
			len = piece(ls->j, ls->q, to);
			if ((rc = file_at(ls->j, ls->q, len, &b)) != CM_OK)
				return rc;
			ls->crc = cm_crc32c(ls->crc, b, len);
		}
		while (ls->nh && cand_end(&ls->h[0]) == ls->q) {
			struct later_cand c = heap_pop(ls);
			if (c.t == ls->crc)
				found(ls, (size_t)c.p);
		}
	}
	return CM_OK;
}

/* The plausible frame start at p, whose first 8 bytes are hdr: its
 * payload's start is where Q stands (q == p + 8). */
static int candidate(struct later_scan *ls, size_t p, uint32_t n,
		     uint32_t head, uint32_t want)
{
	struct cm__journal *j = ls->j;
	struct later_cand c;
	size_t end;
	int rc;

	/* The heap's room grows by doubling, past maxh if let: maxh
	 * counts the candidates, not the room. */
	if (ls->nh >= ls->maxh ||
	    (ls->nh == ls->caph &&
	     cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&ls->h,
			      &ls->caph, ls->nh + 1, sizeof(*ls->h)))) {
		/* No room to wait: read it now. */
		rc = frame_check(j, p, &end);
		if (rc < 0)
			return rc;
		if (rc != FRAME_TORN)
			found(ls, p);
		return CM_OK;
	}
	c.p = p;
	c.n = n;
	c.t = cm__crc32c_shift(head ^ ls->crc, n) ^ want;
	heap_push(ls, c);
	return CM_OK;
}

/* The first offset after off where a frame verifies, in *later (0 if
 * none). A frame's first record starts with the encoding's 'C' 'R':
 * only offsets where those follow a plausible length are candidates. */
static int find_later_frame(struct cm__journal *j, size_t off, size_t *later)
{
	struct later_scan ls = { j, off + 1, 0, NULL, 0, 0,
				 j->io.later_max ? j->io.later_max : LATER_MAX, 0 };
	const unsigned char *b;
	size_t p = off + 1, last;
	uint32_t n, head, want;
	int rc = CM_OK;

	while (!ls.best && j->nfile - p >= CM__JFRAME_HDR + 6) {
		/* Q first, over what the window still holds. */
		if ((rc = stream_to(&ls, p)) != CM_OK ||
		    (rc = file_at(j, p, CM__JFRAME_HDR + 6, &b)) != CM_OK)
			goto out;
		/* The offsets whose first bytes the window holds, up to the
		 * next plausible one. */
		last = p + window_has(j, p) - (CM__JFRAME_HDR + 6);
		for (; p <= last; p++, b++) {
			n = cm__get32(b);
			if (n >= 6 && n <= j->nfile - p - CM__JFRAME_HDR && b[12] == 'C' &&
			    b[13] == 'R')
				break;
		}
		if (p > last)
			continue;
		head = frame_crc_head(j->salt, b);
		want = cm__get32(b + 4);
		if ((rc = stream_to(&ls, p + CM__JFRAME_HDR)) != CM_OK ||
		    (rc = candidate(&ls, p, n, head, want)) != CM_OK)
			goto out;
		p++;
	}
	/* The candidates still waiting: every end is within the file. */
	rc = stream_to(&ls, j->nfile);
out:
	if (ls.h)
		j->free_fn(j->alloc_ctx, ls.h);
	*later = rc == CM_OK ? ls.best : 0;
	return rc;
}

/* ---- opening and recovery ------------------------------------------------- */

static void journal_destroy(struct cm__journal *j)
{
	if (j->fd >= 0)
		j->io.close(j->io.ctx, j->fd);
	j_free(j, j->path);
	j_free(j, j->frame);
	window_free(j);
	j_free(j, j);
}

/* The file's length, for the reader: the file is read in windows, and
 * is not changed by anyone else while it is locked. */
static int file_length(struct cm__journal *j)
{
	struct stat st;

	if (fstat(j->fd, &st) != 0)
		return cm__journal_fail(j, CM_EIO, 1, "journal stat of '%s' failed", j->path);
	if ((uint64_t)st.st_size > SIZE_MAX / 2)
		return cm__journal_fail(j, CM_ENOMEM, 0, "journal '%s' is too large", j->path);
	j->nfile = (size_t)st.st_size;
	return CM_OK;
}

/* Copy the file's bytes [off, end) to "<path>.torn-<n>", then cut the
 * journal at off. A copy that fails is removed: the journal, not cut,
 * still has its bytes. */
static int cut_tail(struct cm__journal *j, size_t off, size_t end)
{
	size_t plen = strlen(j->path) + 24, at, len;
	char *tp = j_alloc(j, plen);
	const unsigned char *p;
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
	for (at = off; at < end && rc == CM_OK; at += len) {
		len = piece(j, at, end);
		rc = file_at(j, at, len, &p);
		if (rc == CM_OK && cm__journal_write(j, fd, p, len, at - off))
			rc = cm__journal_fail(j, CM_EIO, 1, "journal recovery: writing '%s' failed",
					      tp);
	}
	if (rc == CM_OK && j->io.fsync(j->io.ctx, fd))
		rc = cm__journal_fail(j, CM_EIO, 1, "journal recovery: writing '%s' failed", tp);
	if (rc != CM_OK) {
		unlink(tp);
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
	j->nfile = off;
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

	if (j->nfile && (rc = cut_tail(j, 0, j->nfile)) != CM_OK)
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

/* In *zero, 1 if the file's bytes from off to its end are all zero. */
static int all_zero(struct cm__journal *j, size_t off, int *zero)
{
	const unsigned char *p;
	size_t len, i;
	int rc;

	*zero = 1;
	for (; off < j->nfile; off += len) {
		len = piece(j, off, j->nfile);
		if ((rc = file_at(j, off, len, &p)) != CM_OK)
			return rc;
		for (i = 0; i < len; i++)
			if (p[i]) {
				*zero = 0;
				return CM_OK;
			}
	}
	return CM_OK;
}

/* In *keep, the end of what is worth keeping of the torn tail from off:
 * the torn frame as far as its length field says, and the zeros after it
 * left out (space taken ahead, up to 64 MiB), but only when that length
 * accounts for every byte that is not zero. The length field is part of
 * the torn write: its block may have been lost, or kept in part, while
 * later blocks of the frame reached the disk (a length of 0, or too
 * short); and under CM_SYNC_NORMAL later frames may be in flight after
 * it. Then the frame's end is unknown, zeros the crash wrote may end it,
 * and the copy keeps the whole tail. */
static int torn_end(struct cm__journal *j, size_t off, size_t *keep)
{
	const unsigned char *p;
	size_t end = j->nfile, frame, len;
	uint32_t n;
	int rc;

	*keep = j->nfile;
	if (j->nfile - off < CM__JFRAME_HDR)
		return CM_OK;
	if ((rc = file_at(j, off, 4, &p)) != CM_OK)
		return rc;
	n = cm__get32(p);
	if (n == 0 || n > j->nfile - off - CM__JFRAME_HDR)
		return CM_OK;
	frame = off + CM__JFRAME_HDR + n;
	/* Back from the end, a chunk at a time, to the last byte that is
	 * not zero. */
	while (end > frame) {
		len = end - frame < j->chunk ? end - frame : j->chunk;
		if ((rc = file_at(j, end - len, len, &p)) != CM_OK)
			return rc;
		while (len && !p[len - 1]) {
			len--;
			end--;
		}
		if (len)
			break;
	}
	if (end <= frame)
		*keep = frame;
	return CM_OK;
}

static int recover(struct cm__journal *j)
{
	const unsigned char *d;
	size_t off = CM__JHDR_SIZE, end = 0, later, keep;
	int st = FRAME_OK, zero = 1, rc;

	rc = file_at(j, 0, j->nfile < CM__JHDR_SIZE ? j->nfile : CM__JHDR_SIZE, &d);
	if (rc != CM_OK)
		return rc;
	if (j->nfile < CM__JHDR_SIZE) {
		if (memcmp(d, magic, j->nfile < 8 ? j->nfile : 8) != 0)
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
	while (off < j->nfile && (st = frame_check(j, off, &end)) == FRAME_OK)
		off = end;
	if (st < 0)
		return st;
	if (off < j->nfile && (rc = all_zero(j, off, &zero)) != CM_OK)
		return rc;
	/* Zeros can pass for a frame with no records (an all-zero header
	 * verifies under one salt in 2^32): they are space taken ahead. */
	if (st == FRAME_BAD && !zero)
		return cm__journal_fail(j, CM_ECORRUPT, 0,
					"journal '%s': the transaction at offset %zu is malformed",
					j->path, off);
	j->size = j->file_size = off;
	if (off < j->nfile && zero) {
		/* Space taken ahead: kept for the next frames, unless they
		 * are not synced one by one (see the top of this file). */
		if (j->sync == CM_SYNC_FULL) {
			j->file_size = j->nfile;
			return CM_OK;
		}
		if (j->io.ftruncate(j->io.ctx, j->fd, (off_t)off) ||
		    j->io.fsync(j->io.ctx, j->fd))
			return cm__journal_fail(j, CM_EIO, 1,
						"journal recovery: cutting '%s' at offset %zu failed",
						j->path, off);
		j->nfile = off;
		return CM_OK;
	}
	if (off < j->nfile) {
		if ((rc = find_later_frame(j, off, &later)) != CM_OK)
			return rc;
		if (later)
			return cm__journal_fail(j, CM_ECORRUPT, 0,
						"journal '%s' is damaged at offset %zu and valid "
						"transactions follow (at offset %zu): refusing to "
						"skip them", j->path, off, later);
		if ((rc = torn_end(j, off, &keep)) != CM_OK)
			return rc;
		rc = cut_tail(j, off, keep);
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
	j->chunk = j->io.read_chunk ? j->io.read_chunk : JOURNAL_CHUNK;
	j->wchunk = j->io.write_chunk ? j->io.write_chunk : JOURNAL_CHUNK;
	j->fmax = j->io.frame_max ? j->io.frame_max : UINT32_MAX;
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
		rc = file_length(j);
	if (rc == CM_OK)
		rc = j->nfile ? recover(j) : create_header(j);
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
	window_free(j);
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
	if (cm__journal_frame_begin(j))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory");
	return 0;
}

/* Extend the file with zeros for the frame being written and more (see
 * the top of this file). A failure changes nothing that matters: the
 * frame is then written past the end. */
static void take_space(struct cm__journal *j)
{
	/* At most 64 MiB at once: where the file system cannot allocate
	 * without writing, libc writes the zeros, and the commit waits. */
	uint64_t step = 64 * 1024, most = 1024 * step;
	uint64_t ahead = j->size / 8 < step ? step : j->size / 8 > most ? most
										 : j->size / 8;
	uint64_t want = (j->size + j->fdone + j->flen + ahead + step - 1) / step * step;

	if (want <= (uint64_t)INT64_MAX &&
	    j->io.fallocate(j->io.ctx, j->fd, (off_t)j->file_size,
			    (off_t)(want - j->file_size)) == 0)
		j->file_size = want;
}

/* Take space ahead if the frame being written now reaches past it. */
static void space_for_frame(struct cm__journal *j)
{
	if (j->sync == CM_SYNC_FULL && j->size + j->fdone + j->flen > j->file_size)
		take_space(j);
}

int cm__journal_frame_begin(struct cm__journal *j)
{
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->frame,
			     &j->fcap, CM__JFRAME_HDR, 1))
		return CM_ENOMEM;
	cm__journal_frame_start(j);
	return CM_OK;
}

void cm__journal_frame_start(struct cm__journal *j)
{
	j->flen = CM__JFRAME_HDR;
	j->fdone = 0;
	j->fcrc = 0;
}

/* Write the frame's kept payload at its place: 0, or -1 (errno). */
static int frame_flush(struct cm__journal *j, int fd, uint64_t at)
{
	size_t n = j->flen - CM__JFRAME_HDR;

	if (cm__journal_write(j, fd, j->frame + CM__JFRAME_HDR, n,
			      at + CM__JFRAME_HDR + j->fdone))
		return -1;
	j->fcrc = cm_crc32c(j->fcrc, j->frame + CM__JFRAME_HDR, n);
	j->fdone += n;
	j->flen = CM__JFRAME_HDR;
	return 0;
}

int cm__journal_frame_put(struct cm__journal *j, int fd, uint64_t at, int live,
			  const void *bytes, size_t len)
{
	uint64_t has = j->fdone + (j->flen - CM__JFRAME_HDR);

	if (len > j->fmax - 4 || has > j->fmax - 4 - len)
		return cm__journal_fail(j, CM_ERANGE, 0,
					"journal: a transaction is limited to %zu bytes "
					"(4 GiB) of records", j->fmax);
	if (j->flen > CM__JFRAME_HDR && j->flen + 4 + len > j->wchunk) {
		if (live)
			space_for_frame(j);
		if (frame_flush(j, fd, at))
			return cm__journal_fail(j, CM_EIO, 1, "journal write to '%s' failed",
						j->path);
	}
	if (cm__reserve_with(j->realloc_fn, j->alloc_ctx, (void **)&j->frame,
			     &j->fcap, j->flen + 4 + len, 1))
		return cm__journal_fail(j, CM_ENOMEM, 0, "out of memory");
	cm__put32(j->frame + j->flen, (uint32_t)len);
	memcpy(j->frame + j->flen + 4, bytes, len);
	j->flen += 4 + len;
	return CM_OK;
}

int cm__journal_frame_end(struct cm__journal *j, int fd, uint64_t at,
			  uint64_t salt, uint64_t *out_len)
{
	uint32_t plen = (uint32_t)(j->fdone + j->flen - CM__JFRAME_HDR);
	uint32_t crc = cm_crc32c(j->fcrc, j->frame + CM__JFRAME_HDR,
				 j->flen - CM__JFRAME_HDR);

	seal_crc(j->frame, plen, crc, salt);
	*out_len = (uint64_t)CM__JFRAME_HDR + plen;
	/* All of it at hand (most transactions): one write. Else the rest
	 * of the payload, then the header, which makes the frame verify. */
	if (!j->fdone)
		return cm__journal_write(j, fd, j->frame, j->flen, at);
	if (j->flen > CM__JFRAME_HDR &&
	    cm__journal_write(j, fd, j->frame + CM__JFRAME_HDR,
			      j->flen - CM__JFRAME_HDR, at + CM__JFRAME_HDR + j->fdone))
		return -1;
	return cm__journal_write(j, fd, j->frame, CM__JFRAME_HDR, at);
}

static int j_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		 int64_t prev_revision, const void *bytes, size_t len)
{
	struct cm__journal *j = ctx;
	int rc;

	(void)kind;
	(void)id;
	(void)revision;
	(void)prev_revision;
	rc = cm__journal_frame_put(j, j->fd, j->size, 1, bytes, len);
	if (rc == CM_EIO)
		cm__journal_poison(j);
	return rc;
}

static int j_commit(void *ctx)
{
	struct cm__journal *j = ctx;
	uint64_t n;

	space_for_frame(j);
	if (cm__journal_frame_end(j, j->fd, j->size, j->salt, &n)) {
		cm__journal_fail(j, CM_EIO, 1, "journal write to '%s' failed", j->path);
		cm__journal_poison(j);
		return CM_EIO;
	}
	/* A header written last (a frame in pieces) is a write into the
	 * file, not an append: synced under CM_SYNC_NORMAL too, before any
	 * later frame can reach the disk (see the top of this file). */
	if ((j->sync == CM_SYNC_FULL || j->fdone) && j->io.fdatasync(j->io.ctx, j->fd)) {
		cm__journal_fail(j, CM_EIO, 1, "journal fdatasync of '%s' failed", j->path);
		cm__journal_poison(j);
		return CM_EIO;
	}
	j->size += n;
	if (j->file_size < j->size)
		j->file_size = j->size;
	cm__journal_frame_start(j);
	return 0;
}

static int j_rollback(void *ctx)
{
	struct cm__journal *j = ctx;
	int written = j->fdone != 0;

	cm__journal_frame_start(j);
	/* Records already written past the frames are taken back: only
	 * zeros, or nothing, may follow the frames (see the top of this
	 * file). The space they took ahead goes with them. */
	if (written && !j->poisoned) {
		if (j->io.ftruncate(j->io.ctx, j->fd, (off_t)j->size)) {
			cm__journal_fail(j, CM_EIO, 1, "journal: cutting '%s' back failed",
					 j->path);
			j->poisoned = 1;
			return CM_EIO;
		}
		j->file_size = j->size;
	}
	return 0;
}

/* The record whose length field is at `at`, in a frame ending at end
 * (recovery found them tiling it): its bytes in *p, its length in *len. */
static int record_at(struct cm__journal *j, size_t at, size_t end,
		     const unsigned char **p, uint32_t *len)
{
	int rc;

	if (end - at < 4)
		return changed(j);
	if ((rc = file_at(j, at, 4, p)) != CM_OK)
		return rc;
	*len = cm__get32(*p);
	if (*len > end - at - 4)
		return changed(j);
	return file_at(j, at + 4, *len, p);
}

/* Emit the records of the frames recovery found, reading them again
 * through the window: each record whole, valid during its emit call only. */
static int j_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct cm__journal *j = ctx;
	const unsigned char *p;
	size_t off, at, end;
	uint32_t n = 0, len = 0;
	int rc = 0;

	for (off = CM__JHDR_SIZE; off < j->size && !rc; off = end) {
		if (j->size - off < CM__JFRAME_HDR)
			rc = changed(j);
		else if ((rc = file_at(j, off, CM__JFRAME_HDR, &p)) == CM_OK &&
			 (n = cm__get32(p)) > j->size - off - CM__JFRAME_HDR)
			rc = changed(j);
		if (rc)
			break;
		end = off + CM__JFRAME_HDR + n;
		for (at = off + CM__JFRAME_HDR; at < end && !rc; at += 4 + (size_t)len)
			if ((rc = record_at(j, at, end, &p, &len)) == CM_OK)
				rc = emit(emit_ctx, p, len);
	}
	window_free(j);
	return rc;
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
