/*
 * fuzz_journal: bytes as a journal file, opened with cm_store_open_journal
 * (recovery: header check, frame scan, torn-tail cut, damage refusal).
 *
 * Input: the whole file.
 *
 * Properties: never a crash or leak; open returns CM_OK or one of its
 * documented codes (CM_ECORRUPT, CM_EVERSION, CM_EIO, CM_ENOMEM) with a
 * message in errbuf. A journal that opened is usable: its clients and
 * audit trail can be read, a new commit is appended, and reopening it
 * succeeds with exactly one more client (recovery left a well-formed file).
 */
#include <dirent.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];

/* One private directory for the process; emptied after each input. */
static void prepare_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/cm-fuzz-journal-XXXXXX");
		FZ_CHECK(mkdtemp(dir) != NULL);
	}
}

static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	FZ_CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static size_t count_clients(cm_store *s)
{
	cm_client_iter *it;
	cm_audit_iter *ai;
	cm_client *c;
	size_t n;

	FZ_CHECK(cm_client_list(&it, s, 0, NULL, NULL) == CM_OK);
	n = cm_client_iter_count(it);
	while (cm_client_iter_next(&c, it) == CM_OK) {
		FZ_CHECK(cm_client_id(c) != NULL);
		cm_client_free(c);
	}
	cm_client_iter_free(it);
	FZ_CHECK(cm_audit_query(&ai, s, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE) == CM_OK);
	while (cm_audit_iter_next(ai) == CM_OK)
		FZ_CHECK(cm_audit_iter_actor(ai) != NULL);
	cm_audit_iter_free(ai);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cm_store_options o;
	cm_store *s = NULL;
	cm_client *c;
	cm_txn *t;
	char path[128], msg[256] = "";
	size_t before;
	FILE *f;
	int rc;

	prepare_dir();
	snprintf(path, sizeof(path), "%s/j", dir);
	f = fopen(path, "wb");
	FZ_CHECK(f != NULL);
	FZ_CHECK(fwrite(data, 1, size, f) == size);
	FZ_CHECK(fclose(f) == 0);

	fz_options(&o);
	o.errbuf = msg;
	o.errbuf_size = sizeof(msg);
	rc = cm_store_open_journal(&s, path, CM_SYNC_NORMAL, &o);
	if (rc != CM_OK) {
		FZ_CHECK(rc == CM_ECORRUPT || rc == CM_EVERSION || rc == CM_EIO ||
			 rc == CM_ENOMEM);
		FZ_CHECK(s == NULL && msg[0] != '\0');
		empty_dir();
		return 0;
	}
	before = count_clients(s);
	FZ_CHECK(cm_client_new(&c, s) == CM_OK);
	/* An id no seed uses (a forged one would need the file's salted
	 * CRC), so the save cannot collide with a stored client. */
	FZ_CHECK(cm_client_set_id(c, "zz-fuzz-new") == CM_OK);
	FZ_CHECK(cm_client_set_text(c, CM_CLIENT_FAMILY, "Fuzz") == CM_OK);
	FZ_CHECK(cm_txn_begin(&t, s, "fuzzer") == CM_OK);
	FZ_CHECK(cm_client_save(t, c) == CM_OK);
	FZ_CHECK(cm_txn_commit(t) == CM_OK);
	cm_client_free(c);
	cm_store_close(s);

	s = NULL;
	rc = cm_store_open_journal(&s, path, CM_SYNC_NORMAL, &o);
	if (rc != CM_OK)
		fprintf(stderr, "reopen: %s\n", msg);
	FZ_CHECK(rc == CM_OK);
	FZ_CHECK(count_clients(s) == before + 1);
	cm_store_close(s);
	empty_dir();
	return 0;
}
