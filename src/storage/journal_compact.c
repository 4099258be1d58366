/*
 * Compacting the file journal: rewrite it with only the live records, in a
 * fresh file (new salt), as one frame (several when they exceed a frame's
 * 4 GiB), then switch to it atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage/journal_impl.h"
#include "store/codec.h"
#include "store/store_impl.h"

struct compact {
	cm_store *s;
	struct cm__journal *j;
	const char *tmp; /* the new file's name */
	int fd;
	uint64_t salt;
	uint64_t at;  /* where the frame being written starts */
	int records;  /* 1 once a record is in that frame */
};

/* A write to (or sync of) the new file failed: CM_EIO, naming it, with
 * errno's text. */
static int write_failed(const struct compact *c)
{
	return cm__journal_fail(c->j, CM_EIO, 1, "compact: writing '%s' failed", c->tmp);
}

/* End the frame being written (it has records): the next starts after it.
 * CM_OK or CM_EIO (message in j->msg). */
static int end_frame(struct compact *c)
{
	uint64_t n;

	if (cm__journal_frame_end(c->j, c->fd, c->at, c->salt, &n))
		return write_failed(c);
	c->at += n;
	c->records = 0;
	cm__journal_frame_start(c->j);
	return CM_OK;
}

static int add_record(void *ctx, const void *bytes, size_t len)
{
	struct compact *c = ctx;
	int rc = cm__journal_frame_put(c->j, c->fd, c->at, 0, bytes, len);

	/* The live records need not commit together: past a frame's limit
	 * they go on in the next frame. */
	if (rc == CM_ERANGE && c->records && (rc = end_frame(c)) == CM_OK)
		rc = cm__journal_frame_put(c->j, c->fd, c->at, 0, bytes, len);
	if (rc == CM_OK)
		c->records = 1;
	return rc;
}

/* Write the new file through c->fd: its header, then every live record in
 * frames, written as the records come (the transaction's frame buffer is
 * free: the caller holds the transaction mutex). Its length in *size. */
static int write_file(cm_store *s, struct compact *c, uint64_t salt,
		      uint64_t *size)
{
	struct cm__journal *j = c->j;
	unsigned char h[CM__JHDR_SIZE];
	int rc;

	cm__journal_header(h, salt);
	if (cm__journal_write(j, c->fd, h, sizeof(h), 0))
		return write_failed(c);
	if (cm__journal_frame_begin(j))
		return cm__journal_fail(j, CM_ENOMEM, 0, "compact: out of memory");
	c->salt = salt;
	c->at = CM__JHDR_SIZE;
	CM__RDLOCK(s);
	rc = cm__store_foreach_encoded(s, add_record, c);
	CM__UNLOCK(s);
	/* The frame's messages speak of a transaction and of the journal:
	 * this is the new file. errno is still the failed write's. */
	if (rc == CM_ENOMEM)
		return cm__journal_fail(j, CM_ENOMEM, 0, "compact: out of memory");
	if (rc == CM_EIO)
		return write_failed(c);
	if (rc == CM_ERANGE)
		return cm__journal_fail(j, CM_ERANGE, 0,
					"compact: a live record exceeds a frame's 4 GiB");
	if (rc != CM_OK)
		return rc;
	/* Nothing live: no frame. */
	if (c->records && (rc = end_frame(c)) != CM_OK)
		return rc;
	*size = c->at;
	return CM_OK;
}

/* Write "<path>.compact", locked and synced, and rename it over the
 * journal. The caller holds the transaction mutex. */
static int compact(cm_store *s, struct cm__journal *j)
{
	struct compact c;
	size_t plen = strlen(j->path) + sizeof(".compact");
	char *tmp;
	uint64_t salt, size = 0;
	int rc;

	if (cm__journal_salt(j, &salt) != CM_OK)
		return cm__err(s, CM_EIO, "%s", j->msg);
	if (!(tmp = cm__alloc(s, plen)))
		return cm__err(s, CM_ENOMEM, "compact: out of memory");
	snprintf(tmp, plen, "%s.compact", j->path);
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.j = j;
	c.tmp = tmp;
	c.fd = j->io.open(j->io.ctx, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (c.fd < 0) {
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: creating '%s' failed", tmp);
		goto out;
	}
	/* Locked before it takes the journal's name. */
	rc = cm__journal_lock(j, c.fd, tmp);
	if (rc == CM_OK)
		rc = write_file(s, &c, salt, &size);
	if (rc == CM_OK && j->io.fsync(j->io.ctx, c.fd))
		rc = write_failed(&c);
	if (rc == CM_OK && j->io.rename(j->io.ctx, tmp, j->path))
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: renaming '%s' over '%s' failed",
				      tmp, j->path);
	cm__journal_frame_start(j);
	if (rc != CM_OK) {
		j->io.close(j->io.ctx, c.fd);
		unlink(tmp);
		goto out;
	}
	/* The new file has the name now: appends must go to it. */
	j->io.close(j->io.ctx, j->fd);
	j->fd = c.fd;
	j->salt = salt;
	j->size = j->file_size = size;
	if (j->io.sync_dir(j->io.ctx, j->path)) {
		/* After a crash the old file may be back under the name:
		 * later commits to the new one could be lost. */
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: syncing the directory of '%s' failed",
				      j->path);
		j->poisoned = 1;
	}
out:
	cm__free(s, tmp);
	/* Every failure after the salt's left its message in j->msg. */
	if (rc != CM_OK)
		rc = cm__err(s, rc, "%s", j->msg);
	return rc;
}

int cm_store_compact(cm_store *s)
{
	struct cm__journal *j;
	int rc;

	if (!s)
		return CM_EINVAL;
	if (s->storage_id != &cm__journal_storage)
		return cm__err(s, CM_EINVAL, "compact: the store is not opened on a journal");
	rc = cm__store_usable(s);
	if (rc)
		return rc;
	if (cm__txn_held_here(s))
		return cm__err(s, CM_EBUSY, "compact: this thread has a transaction open");
	/* Writers wait; readers go on (foreach takes the read lock). */
	pthread_mutex_lock(&s->txn_mutex);
	j = s->storage_ctx;
	if (j->poisoned)
		rc = cm__err(s, CM_EPOISONED,
			     "compact: journal '%s' refuses writes after an earlier failure",
			     j->path);
	else
		rc = compact(s, j);
	pthread_mutex_unlock(&s->txn_mutex);
	return rc;
}
