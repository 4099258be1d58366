/*
 * Compacting the file journal: rewrite it with only the live records, as
 * one frame in a fresh file (new salt), then switch to it atomically.
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
	struct cm__buf b;
};

static int add_record(void *ctx, const void *bytes, size_t len)
{
	struct compact *c = ctx;
	unsigned char n[4];

	if (len > UINT32_MAX - 4 || c->b.len - CM__JHDR_SIZE > UINT32_MAX - 12 - len)
		return cm__err(c->s, CM_ERANGE, "compact: the live records exceed 4 GiB");
	cm__put32(n, (uint32_t)len);
	if (cm__buf_put(c->s, &c->b, n, 4) || cm__buf_put(c->s, &c->b, bytes, len))
		return CM_ENOMEM;
	return CM_OK;
}

/* Write c's file to "<path>.compact", locked and synced, and rename it over
 * the journal. The caller holds the transaction mutex. */
static int switch_file(cm_store *s, struct cm__journal *j, struct compact *c,
		       uint64_t salt)
{
	size_t plen = strlen(j->path) + sizeof(".compact");
	char *tmp = cm__alloc(s, plen);
	int fd, rc;

	if (!tmp)
		return cm__err(s, CM_ENOMEM, "compact: out of memory");
	snprintf(tmp, plen, "%s.compact", j->path);
	fd = j->io.open(j->io.ctx, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: creating '%s' failed", tmp);
		goto out;
	}
	/* Locked before it takes the journal's name. */
	rc = cm__journal_lock(j, fd, tmp);
	if (rc == CM_OK && (cm__journal_write(j, fd, c->b.data, c->b.len, 0) ||
			    j->io.fsync(j->io.ctx, fd)))
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: writing '%s' failed", tmp);
	if (rc == CM_OK && j->io.rename(j->io.ctx, tmp, j->path))
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: renaming '%s' over '%s' failed",
				      tmp, j->path);
	if (rc != CM_OK) {
		j->io.close(j->io.ctx, fd);
		unlink(tmp);
		goto out;
	}
	/* The new file has the name now: appends must go to it. */
	j->io.close(j->io.ctx, j->fd);
	j->fd = fd;
	j->salt = salt;
	j->size = j->file_size = c->b.len;
	if (j->io.sync_dir(j->io.ctx, j->path)) {
		/* After a crash the old file may be back under the name:
		 * later commits to the new one could be lost. */
		rc = cm__journal_fail(j, CM_EIO, 1, "compact: syncing the directory of '%s' failed",
				      j->path);
		j->poisoned = 1;
	}
out:
	cm__free(s, tmp);
	return rc;
}

static int compact(cm_store *s, struct cm__journal *j)
{
	struct compact c;
	uint64_t salt;
	int rc;

	memset(&c, 0, sizeof(c));
	c.s = s;
	if (cm__journal_salt(j, &salt) != CM_OK)
		return cm__err(s, CM_EIO, "%s", j->msg);
	if (cm__reserve(s, (void **)&c.b.data, &c.b.cap,
			CM__JHDR_SIZE + CM__JFRAME_HDR, 1)) {
		rc = cm__err(s, CM_ENOMEM, "compact: out of memory");
		goto out;
	}
	cm__journal_header(c.b.data, salt);
	c.b.len = CM__JHDR_SIZE + CM__JFRAME_HDR;
	CM__RDLOCK(s);
	rc = cm__store_foreach_encoded(s, add_record, &c);
	CM__UNLOCK(s);
	if (rc == CM_ENOMEM)
		rc = cm__err(s, CM_ENOMEM, "compact: out of memory");
	if (rc != CM_OK)
		goto out;
	if (c.b.len == CM__JHDR_SIZE + CM__JFRAME_HDR)
		c.b.len = CM__JHDR_SIZE; /* nothing live: no frame */
	else
		cm__journal_seal(c.b.data + CM__JHDR_SIZE,
				 (uint32_t)(c.b.len - CM__JHDR_SIZE - CM__JFRAME_HDR), salt);
	rc = switch_file(s, j, &c, salt);
	if (rc == CM_EIO || rc == CM_ELOCKED)
		rc = cm__err(s, rc, "%s", j->msg);
out:
	cm__buf_free(s, &c.b);
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
