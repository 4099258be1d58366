/*
 * The file journal: round trip, recovery from torn tails, bit flips,
 * locking, injected read, write and sync failures, short and tiny reads,
 * large frames, compaction, sync modes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crc32c.h"
#include "fixtures.h"
#include "storage/journal_impl.h"
#include "storage/journal_io.h"

#define MAXC 64

/* A journal in a fresh directory, and what each commit left behind. */
struct jt {
	char dir[256];
	char path[300];
	struct th_env env;
	int ncommits;
	uint64_t digest[MAXC + 1]; /* [k]: after k commits */
	off_t size[MAXC + 1];      /* [k]: end of the frames after k commits */
};

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* The end of the journal's whole frames: its file size but for the zeros
 * of space taken ahead (CM_SYNC_FULL). */
static off_t frames_end(const char *path)
{
	unsigned char h[8];
	off_t off = 32, size = file_size(path);
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	while (off + 8 <= size) {
		uint32_t n;
		assert_int_equal(fseeko(f, off, SEEK_SET), 0);
		assert_int_equal(fread(h, 1, 8, f), 8);
		n = cm__get32(h);
		if (n == 0)
			break;
		off += 8 + (off_t)n;
	}
	fclose(f);
	assert_true(off <= size);
	return off;
}

static int all_zero(const unsigned char *b, size_t n)
{
	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;

	assert_non_null(f);
	*n = (size_t)file_size(path);
	b = malloc(*n ? *n : 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, *n, f), *n);
	fclose(f);
	return b;
}

static void spit(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Bytes read, and written, at once by the opens on libc's calls and on
 * inject_io (0: the journal's default); the tests with tiny reads or
 * writes set them, their teardown resets them. */
static size_t read_chunk, write_chunk;

static int default_chunks(void **state)
{
	(void)state;
	read_chunk = 0;
	write_chunk = 0;
	return 0;
}

/* libc's calls, with the chunks above. */
static struct cm__jio libc_io(void)
{
	struct cm__jio io = cm__jio_libc;

	io.read_chunk = read_chunk;
	io.write_chunk = write_chunk;
	return io;
}

static int jopen_io(struct th_env *env, const char *path, int32_t sync,
		    const struct cm__jio *io, char *errbuf, size_t errsize)
{
	struct cm__jio libc = libc_io();
	cm_store_options o;

	memset(env, 0, sizeof(*env));
	env->clock.now = TH_T0;
	th_options(&o, env);
	o.errbuf = errbuf;
	o.errbuf_size = errsize;
	return cm__store_open_journal_io(&env->store, path, sync, &o, io ? io : &libc);
}

static void jopen(struct th_env *env, const char *path, int32_t sync)
{
	char err[256] = "";
	int rc = jopen_io(env, path, sync, NULL, err, sizeof(err));

	if (rc != CM_OK)
		fail_msg("journal open: %s (%s)", cm_error_name(rc), err);
}

/* A new journal in a fresh directory, open on io (NULL: libc). */
static void jt_init_io(struct jt *t, int32_t sync, const struct cm__jio *io)
{
	char err[256] = "";
	int rc;

	memset(t, 0, sizeof(*t));
	fx_tmpdir(t->dir, sizeof(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/cases.journal", t->dir);
	rc = jopen_io(&t->env, t->path, sync, io, err, sizeof(err));
	if (rc != CM_OK)
		fail_msg("journal open: %s (%s)", cm_error_name(rc), err);
	t->digest[0] = cm__store_digest(t->env.store);
	t->size[0] = frames_end(t->path);
}

static void jt_init(struct jt *t, int32_t sync)
{
	jt_init_io(t, sync, NULL);
}

/* After a successful commit: note the digest and file size. */
static void jt_mark(struct jt *t)
{
	assert_true(t->ncommits < MAXC);
	t->ncommits++;
	t->digest[t->ncommits] = cm__store_digest(t->env.store);
	t->size[t->ncommits] = frames_end(t->path);
	t->env.clock.now += 61;
}

/* Reopen t's journal (closed) and return the digest; closes again. */
static uint64_t reopen_digest(struct jt *t)
{
	struct th_env env;
	uint64_t d;

	jopen(&env, t->path, CM_SYNC_FULL);
	d = cm__store_digest(env.store);
	th_close(&env);
	return d;
}

static void commit_one(struct jt *t, cm_txn *txn)
{
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	jt_mark(t);
}

/* Commits touching every kind: clients, an assessment, a provider and a
 * service, a plan revised twice, events, and client updates. */
static void populate(struct jt *t)
{
	struct th_env *env = &t->env;
	cm_client *c;
	cm_assessment *a;
	cm_provider *p;
	cm_service *v;
	cm_plan *pl;
	cm_txn *txn;
	const char *gid;
	char eid[64];
	int i;

	fx_client(env, "client-1", "cm-ann", 2, TH_D0 + 7);
	jt_mark(t);
	fx_client(env, "client-2", NULL, 1, TH_D0 + 30);
	jt_mark(t);

	assert_int_equal(cm_assessment_new(&a, env->store, "client-1", "phq-2"), CM_OK);
	assert_int_equal(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q1", 2), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "q2", 1), CM_OK);
	assert_int_equal(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "done"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "nurse-1"), CM_OK);
	assert_int_equal(cm_assessment_save(txn, a), CM_OK);
	commit_one(t, txn);
	cm_assessment_free(a);

	assert_int_equal(cm_provider_new(&p, env->store, "Meals & Co", CM_PROVIDER_FOOD_ASSISTANCE), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "admin"), CM_OK);
	assert_int_equal(cm_provider_save(txn, p), CM_OK);
	commit_one(t, txn);
	assert_int_equal(cm_service_new(&v, env->store, "client-1", "meals"), CM_OK);
	assert_int_equal(cm_service_set_text(v, CM_SERVICE_PROVIDER, cm_provider_id(p)), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "cm-ann"), CM_OK);
	assert_int_equal(cm_service_save(txn, v), CM_OK);
	commit_one(t, txn);
	cm_service_free(v);
	cm_provider_free(p);

	assert_int_equal(cm_plan_new(&pl, env->store, "client-1"), CM_OK);
	assert_int_equal(cm_plan_set_text(pl, CM_PLAN_TITLE, "Stay at home"), CM_OK);
	assert_int_equal(cm_plan_set_text(pl, CM_PLAN_AUTHOR, "cm-ann"), CM_OK);
	assert_int_equal(cm_plan_add_goal(&gid, pl, "Eat well"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "cm-ann"), CM_OK);
	assert_int_equal(cm_plan_save(txn, pl), CM_OK);
	commit_one(t, txn);
	assert_int_equal(cm_plan_set_text(pl, CM_PLAN_TITLE, "Stay at home, safely"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "cm-ann"), CM_OK);
	assert_int_equal(cm_plan_save(txn, pl), CM_OK);
	commit_one(t, txn);
	cm_plan_free(pl);

	for (i = 0; i < 3; i++) {
		fx_event(env, eid, i ? "client-2" : "client-1", CM_EVENT_NOTE,
			 TH_T0 - 3600 * (i + 1));
		jt_mark(t);
	}
	/* An event staged without a handle is journaled like any other. */
	assert_int_equal(cm_txn_begin(&txn, env->store, "cm-ann"), CM_OK);
	assert_int_equal(cm_event_add(txn, NULL, 0, "client-1",
				      CM_EVENT_CONTACT, TH_T0 - 60,
				      CM_CONTACT_PHONE, "called back"), CM_OK);
	commit_one(t, txn);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cm_client_get(&c, env->store, "client-2"), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, i + 2), CM_OK);
		assert_int_equal(cm_txn_begin(&txn, env->store, "cm-bob"), CM_OK);
		assert_int_equal(cm_client_save(txn, c), CM_OK);
		commit_one(t, txn);
		cm_client_free(c);
	}
}

/* A closed journal of n single-client commits ("a", "b", ...); returns
 * its bytes (free them) in *out. */
static unsigned char *small_journal(struct jt *t, int n, size_t *out)
{
	char id[2] = "a";
	int i;

	jt_init(t, CM_SYNC_FULL);
	for (i = 0; i < n; i++, id[0]++) {
		fx_client(&t->env, id, NULL, 0, CM_DATE_NONE);
		jt_mark(t);
	}
	th_close(&t->env);
	return slurp(t->path, out);
}

static void jt_done(struct jt *t)
{
	if (t->env.store)
		th_close(&t->env);
	fx_rmdir(t->dir);
}

/* ---- round trip ---------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct jt t;
	struct th_env env;
	cm_plan *pl;
	(void)state;

	int64_t last;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	populate(&t);
	/* Two more in one second: their log ids differ by the id counter. */
	last = t.env.clock.now;
	fx_client(&t.env, "client-4", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	t.env.clock.now = last;
	fx_client(&t.env, "client-5", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[t.ncommits]);

	/* Kept revisions and the audit trail come back; commits go on, here
	 * within the second of the last one: the new transaction still sorts
	 * after it in the audit trail of the next open. */
	jopen(&env, t.path, CM_SYNC_FULL);
	env.clock.now = last;
	{
		cm_client *c;
		assert_int_equal(cm_client_get(&c, env.store, "client-2"), CM_OK);
		assert_int_equal(cm_client_revision(c), 4);
		cm_client_free(c);
	}
	{
		cm_audit_iter *it;
		int n = 0;
		assert_int_equal(cm_audit_query(&it, env.store, NULL, "cm-bob",
						 CM_TIME_NONE, CM_TIME_NONE), CM_OK);
		while (cm_audit_iter_next(it) == CM_OK)
			n++;
		cm_audit_iter_free(it);
		assert_int_equal(n, 3);
	}
	(void)pl;
	fx_client(&env, "client-3", NULL, 0, CM_DATE_NONE);
	t.digest[0] = cm__store_digest(env.store);
	th_close(&env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	jt_done(&t);
}

/* Every allocation of an open (reading, recovery, load) and of a commit
 * failing in turn: CM_ENOMEM, nothing leaked, nothing half-written. */
static void test_out_of_memory(void **state)
{
	struct cm__jio io = libc_io();
	struct jt t;
	cm_store_options o;
	long n;
	int rc = CM_ENOMEM;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	populate(&t);
	th_close(&t.env);
	/* The last commit torn, so that recovery runs too. */
	assert_int_equal(truncate(t.path, t.size[t.ncommits] - 3), 0);
	for (n = 1; rc == CM_ENOMEM; n++) {
		memset(&t.env, 0, sizeof(t.env));
		t.env.clock.now = TH_T0;
		th_options(&o, &t.env);
		t.env.alloc.fail_at = n;
		rc = cm__store_open_journal_io(&t.env.store, t.path, CM_SYNC_FULL, &o,
					       &io);
		if (rc == CM_OK)
			break;
		assert_int_equal(rc, CM_ENOMEM);
		assert_null(t.env.store);
		assert_int_equal(t.env.alloc.live, 0);
	}
	t.env.alloc.fail_at = 0;
	t.env.clock.now = TH_T0 + 86400; /* after populate's commits */
	assert_true(n > 10);
	assert_true(cm__store_digest(t.env.store) == t.digest[t.ncommits - 1]);
	for (n = 1;; n++) {
		uint64_t before = cm__store_digest(t.env.store);
		cm_client *c;
		cm_txn *txn;
		assert_int_equal(cm_client_get(&c, t.env.store, "client-1"), CM_OK);
		assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, (int32_t)(n % 5)), CM_OK);
		assert_int_equal(cm_txn_begin(&txn, t.env.store, "worker"), CM_OK);
		assert_int_equal(cm_client_save(txn, c), CM_OK);
		t.env.alloc.fail_at = t.env.alloc.count + n;
		rc = cm_txn_commit(txn);
		t.env.alloc.fail_at = 0;
		cm_client_free(c);
		if (rc == CM_OK)
			break;
		assert_int_equal(rc, CM_ENOMEM);
		assert_true(cm__store_digest(t.env.store) == before);
	}
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	jt_done(&t);
}

/* ---- argument checks ----------------------------------------------------- */

static void test_open_arguments(void **state)
{
	struct jt t;
	cm_store *s = NULL;
	cm_store_options o = CM_STORE_OPTIONS_INIT;
	char err[256];
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	th_close(&t.env);
	assert_int_equal(cm_store_open_journal(NULL, t.path, CM_SYNC_FULL, NULL), CM_EINVAL);
	assert_int_equal(cm_store_open_journal(&s, NULL, CM_SYNC_FULL, NULL), CM_EINVAL);
	assert_int_equal(cm_store_open_journal(&s, "", CM_SYNC_FULL, NULL), CM_EINVAL);
	assert_int_equal(cm_store_open_journal(&s, t.path, 7, NULL), CM_ERANGE);
	o.storage_ctx = &o;
	o.errbuf = err;
	o.errbuf_size = sizeof(err);
	assert_int_equal(cm_store_open_journal(&s, t.path, CM_SYNC_FULL, &o), CM_EINVAL);
	assert_non_null(strstr(err, "storage"));
	o.version = 0;
	assert_int_equal(cm_store_open_journal(&s, t.path, CM_SYNC_FULL, &o), CM_EVERSION);
	assert_null(s);
	/* A version-1 options block works, libc allocator too. */
	o.version = 1;
	assert_int_equal(cm_store_open_journal(&s, t.path, CM_SYNC_NORMAL, &o), CM_OK);
	assert_int_equal(cm_store_compact(NULL), CM_EINVAL);
	assert_int_equal(cm_store_compact(s), CM_OK);
	cm_store_close(s);
	/* Compacting a memory-only store. */
	assert_int_equal(cm_store_open(&s, NULL), CM_OK);
	assert_int_equal(cm_store_compact(s), CM_EINVAL);
	cm_store_close(s);
	/* Not a journal, and a journal of a newer format. */
	spit(t.path, "hello, world: not a journal at all", 34);
	assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, NULL, err, sizeof(err)),
			 CM_ECORRUPT);
	assert_non_null(strstr(err, "not a casemgr journal"));
	{
		unsigned char h[32] = { 0x89, 'C', 'M', 'J', 0x0d, 0x0a, 0x1a, 0x0a, 2 };
		uint32_t c = cm_crc32c(0, h, 28);
		h[28] = (unsigned char)c;
		h[29] = (unsigned char)(c >> 8);
		h[30] = (unsigned char)(c >> 16);
		h[31] = (unsigned char)(c >> 24);
		spit(t.path, h, sizeof(h));
		assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, NULL, err, sizeof(err)),
				 CM_EVERSION);
		assert_non_null(strstr(err, "format version 2"));
		/* A header cut short at creation: started afresh, bytes kept. */
		spit(t.path, h, 5);
		jopen(&t.env, t.path, CM_SYNC_FULL);
		th_close(&t.env);
		assert_int_equal(file_size(t.path), 32);
	}
	assert_int_equal(jopen_io(&t.env, t.dir, CM_SYNC_FULL, NULL, err, sizeof(err)), CM_EIO);
	assert_non_null(strstr(err, t.dir));
	t.env.store = NULL;
	jt_done(&t);
}

/* ---- locking ------------------------------------------------------------- */

static void test_second_open_locked(void **state)
{
	struct jt t;
	struct th_env b;
	char err[256];
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	assert_int_equal(jopen_io(&b, t.path, CM_SYNC_FULL, NULL, err, sizeof(err)),
			 CM_ELOCKED);
	assert_non_null(strstr(err, "in use"));
	assert_non_null(strstr(err, t.path));
	assert_int_equal(b.alloc.live, 0);
	/* Still locked after a compaction (the lock moves to the new file). */
	fx_client(&t.env, "client-1", NULL, 0, CM_DATE_NONE);
	assert_int_equal(cm_store_compact(t.env.store), CM_OK);
	assert_int_equal(jopen_io(&b, t.path, CM_SYNC_FULL, NULL, err, sizeof(err)),
			 CM_ELOCKED);
	th_close(&t.env);
	jopen(&b, t.path, CM_SYNC_FULL);
	th_close(&b);
	jt_done(&t);
}

/* ---- torn tails ---------------------------------------------------------- */

static void torn_name(char *buf, size_t n, const struct jt *t, int k)
{
	snprintf(buf, n, "%s.torn-%d", t->path, k);
}

/* Write z[0..len) as t's journal, whose frames end at `end` and have all
 * of t's commits, with a torn tail after them; open it with sync: the
 * store has every commit, the file is cut at end, and the tail's copy
 * (.torn-1, removed after) is z[end..end + copied). */
static void check_torn_copy(struct jt *t, const unsigned char *z, size_t len,
			    off_t end, int32_t sync, size_t copied)
{
	struct th_env env;
	unsigned char *torn;
	size_t tn;
	char tp[400];

	spit(t->path, z, len);
	jopen(&env, t->path, sync);
	assert_true(cm__store_digest(env.store) == t->digest[t->ncommits]);
	th_close(&env);
	assert_int_equal(file_size(t->path), end);
	torn_name(tp, sizeof(tp), t, 1);
	torn = slurp(tp, &tn);
	assert_int_equal(tn, copied);
	assert_memory_equal(torn, z + end, tn);
	free(torn);
	assert_int_equal(unlink(tp), 0);
}

static void test_truncation_every_offset(void **state)
{
	struct jt t;
	unsigned char *orig, *torn;
	size_t n, tn;
	off_t off, end;
	char tp[400];
	int k, runs = 0;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	populate(&t);
	th_close(&t.env);
	orig = slurp(t.path, &n);
	end = t.size[t.ncommits];
	assert_true((off_t)n > end); /* space taken ahead */
	assert_true(all_zero(orig + end, n - (size_t)end));
	for (off = t.size[t.ncommits - 3]; off <= end; off++) {
		struct th_env env;
		spit(t.path, orig, (size_t)off);
		for (k = t.ncommits; t.size[k] > off; k--)
			;
		jopen(&env, t.path, CM_SYNC_FULL);
		assert_true(cm__store_digest(env.store) == t.digest[k]);
		th_close(&env);
		assert_int_equal(file_size(t.path), t.size[k]);
		torn_name(tp, sizeof(tp), &t, 1);
		if (off > t.size[k]) {
			torn = slurp(tp, &tn);
			assert_int_equal(tn, (size_t)(off - t.size[k]));
			assert_memory_equal(torn, orig + t.size[k], tn);
			free(torn);
			assert_int_equal(unlink(tp), 0);
		} else {
			assert_int_equal(access(tp, F_OK), -1);
		}
		runs++;
	}
	assert_true(runs > 100);
	/* Cut anywhere in the zeros after the frames (space taken ahead, or
	 * a file extended but never written, as after a power loss on some
	 * file systems), or with more zeros: nothing is lost or copied; the
	 * zeros are kept for the next frames (CM_SYNC_FULL) or cut away
	 * (CM_SYNC_NORMAL). */
	{
		const size_t cuts[] = { (size_t)end + 1, (size_t)end + 7, n - 1, n,
					n + 4096 };
		unsigned char *z = calloc(1, n + 4096);
		size_t i;
		assert_non_null(z);
		memcpy(z, orig, n);
		torn_name(tp, sizeof(tp), &t, 1);
		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			struct th_env env;
			spit(t.path, z, cuts[i]);
			assert_true(reopen_digest(&t) == t.digest[t.ncommits]);
			assert_int_equal(file_size(t.path), (off_t)cuts[i]);
			assert_int_equal(access(tp, F_OK), -1);
			jopen(&env, t.path, CM_SYNC_NORMAL);
			assert_true(cm__store_digest(env.store) == t.digest[t.ncommits]);
			th_close(&env);
			assert_int_equal(file_size(t.path), end);
			assert_int_equal(access(tp, F_OK), -1);
		}
		/* A byte that is not zero makes it a torn tail: copied, cut. */
		z[n + 4095] = 1;
		check_torn_copy(&t, z, n + 4096, end, CM_SYNC_FULL,
				n + 4096 - (size_t)end);
		/* A frame torn in that space (its header and part of its
		 * payload reached the disk): the copy keeps the frame, not
		 * the zeros after it. */
		z[n + 4095] = 0;
		cm__put32(z + end, 100);
		memset(z + end + 8, 'x', 50);
		check_torn_copy(&t, z, n + 4096, end, CM_SYNC_FULL, 108);
		/* The same frame, whose header did not reach the disk (the
		 * block holding it was lost) but whose last bytes did, the
		 * very last two zeros (as a record's checksum may end): its
		 * length is unknown, so nothing after it may be left out.
		 * Bytes the crash wrote are zeros too. */
		memset(z + end, 0, 108);
		memset(z + end + 60, 'y', 46);
		check_torn_copy(&t, z, n + 4096, end, CM_SYNC_FULL,
				n + 4096 - (size_t)end);
		/* Its header torn across two blocks, its length's low bytes
		 * kept (a smaller length), and its payload's end on disk. */
		memset(z + end, 0, 108);
		z[end] = 20;
		memset(z + end + 60, 'y', 46);
		check_torn_copy(&t, z, n + 4096, end, CM_SYNC_FULL,
				n + 4096 - (size_t)end);
		/* Under CM_SYNC_NORMAL (nothing taken ahead, no sync per
		 * frame) two frames were in flight: the first torn with its
		 * header whole, the second without its first block and ending
		 * in zeros where the file ends. All of it is the crash's. */
		memset(z + end, 0, 108);
		cm__put32(z + end, 100);
		memset(z + end + 8, 'x', 100);
		memset(z + end + 108 + 40, 'y', 30);
		check_torn_copy(&t, z, (size_t)end + 108 + 72, end, CM_SYNC_NORMAL,
				108 + 72);
		free(z);
	}
	/* The first free number is used. */
	spit(t.path, orig, (size_t)end - 1);
	torn_name(tp, sizeof(tp), &t, 1);
	spit(tp, "x", 1);
	assert_true(reopen_digest(&t) == t.digest[t.ncommits - 1]);
	torn_name(tp, sizeof(tp), &t, 2);
	assert_int_equal(access(tp, F_OK), 0);
	free(orig);
	jt_done(&t);
}

/* ---- bit flips ----------------------------------------------------------- */

static void test_every_bit_flip(void **state)
{
	struct jt t;
	unsigned char *orig;
	size_t n, i;
	char tp[400], err[256];
	int bit, ok = 0, corrupt = 0;
	(void)state;

	orig = small_journal(&t, 3, &n);
	torn_name(tp, sizeof(tp), &t, 1);
	/* Every byte of the frames; of the zeros after them (space taken
	 * ahead), the first 64 and the last. */
	for (i = 0; i < n; i = (off_t)i == t.size[3] + 63 ? n - 1 : i + 1) {
		for (bit = 0; bit < 8; bit++) {
			struct th_env env;
			int rc;
			/* Tiny reads are slow (a read per few bytes of the
			 * search for later frames): one bit per byte. */
			if (read_chunk && read_chunk < 1024 && bit != (int)(i % 8))
				continue;
			orig[i] ^= (unsigned char)(1u << bit);
			spit(t.path, orig, n);
			orig[i] ^= (unsigned char)(1u << bit);
			rc = jopen_io(&env, t.path, CM_SYNC_FULL, NULL, err, sizeof(err));
			if ((off_t)i >= t.size[2]) {
				/* In the last transaction: cut off as torn; in
				 * the zeros after it, they are cut off. */
				if (rc != CM_OK)
					fail_msg("flip at %zu.%d: %s", i, bit, err);
				assert_true(cm__store_digest(env.store) ==
					    t.digest[(off_t)i < t.size[3] ? 2 : 3]);
				th_close(&env);
				assert_int_equal(unlink(tp), 0);
				ok++;
			} else {
				/* Header or an earlier transaction: refused. */
				if (rc != CM_ECORRUPT)
					fail_msg("flip at %zu.%d: %d", i, bit, rc);
				if ((off_t)i >= t.size[0])
					assert_non_null(strstr(err, "valid transactions follow"));
				assert_int_equal(env.alloc.live, 0);
				corrupt++;
			}
		}
	}
	assert_true(ok > 0 && corrupt > 0);
	free(orig);
	jt_done(&t);
}

/* ---- reading in pieces ---------------------------------------------------- */

/* The journal is read through a window, a chunk at a time. With chunks of
 * 7 (or 64) bytes, frame headers, records and their length fields
 * straddle the window's ends at every offset: the truncations and bit
 * flips above end as with whole reads. */
static void test_truncation_tiny_reads(void **state)
{
	read_chunk = 7;
	test_truncation_every_offset(state);
}

static void test_bit_flip_tiny_reads(void **state)
{
	read_chunk = 64;
	test_every_bit_flip(state);
}

/* The text of note i: mostly 8 to 47 bytes, every 50th the longest
 * allowed (4000), so that records of both sizes straddle the window. */
static void note_text(char *buf, int i)
{
	size_t n = i % 50 ? 8 + (size_t)(i * 37) % 40 : 4000, k;

	for (k = 0; k < n; k++)
		buf[k] = (char)('a' + (i + (int)k) % 26);
	buf[n] = '\0';
}

/* Commit notes first..first + n - 1 to client in one transaction; their
 * ids to ids[0..n) unless NULL. */
static void commit_notes(struct jt *t, const char *client, int first, int n,
			 char (*ids)[CM_ID_BUFSIZE])
{
	char note[4001], id[CM_ID_BUFSIZE];
	cm_txn *txn;
	int i;

	assert_int_equal(cm_txn_begin(&txn, t->env.store, "bulk"), CM_OK);
	for (i = 0; i < n; i++) {
		note_text(note, first + i);
		assert_int_equal(cm_event_add(txn, ids ? ids[i] : id, CM_ID_BUFSIZE, client,
					      CM_EVENT_NOTE, TH_T0 - first - i,
					      CM_CONTACT_NONE, note), CM_OK);
	}
	commit_one(t, txn);
}

/* The largest frame payload and the largest record of the journal. */
static void largest(const char *path, size_t *frame, size_t *record)
{
	size_t n, off = CM__JHDR_SIZE, at, end;
	unsigned char *b = slurp(path, &n);

	*frame = *record = 0;
	while (off + CM__JFRAME_HDR <= n && cm__get32(b + off)) {
		end = off + CM__JFRAME_HDR + cm__get32(b + off);
		assert_true(end <= n);
		if (end - off - CM__JFRAME_HDR > *frame)
			*frame = end - off - CM__JFRAME_HDR;
		for (at = off + CM__JFRAME_HDR; at < end; at += 4 + cm__get32(b + at))
			if (cm__get32(b + at) > *record)
				*record = cm__get32(b + at);
		off = end;
	}
	free(b);
}

#define BULK 8000

/* A transaction of MBs is one frame, larger than the window; with reads
 * of 1000 bytes, its notes of 4000 bytes and its transaction-log record
 * (hundreds of KB) are longer than the window too. Opened with reads of
 * 1 MiB (the default) and of 1000 bytes, every note comes back as
 * written, and no allocation of the open is as large as the frame: the
 * file is not read whole. */
static void test_large_frame(void **state)
{
	const size_t chunks[] = { 0, 1000 };
	char (*ids)[CM_ID_BUFSIZE] = malloc(BULK * sizeof(*ids));
	char note[4001];
	size_t frame, record, c;
	struct jt t;
	int i;
	(void)state;

	assert_non_null(ids);
	jt_init(&t, CM_SYNC_FULL);
	fx_client(&t.env, "a", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	commit_notes(&t, "a", 0, BULK, ids);
	fx_client(&t.env, "b", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	th_close(&t.env);
	largest(t.path, &frame, &record);
	print_message("largest frame %zu bytes, largest record %zu bytes\n", frame, record);
	assert_true(frame > ((size_t)3 << 19));
	assert_true(record > 4000 * 50);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		read_chunk = chunks[c];
		jopen(&t.env, t.path, CM_SYNC_FULL);
		assert_true(t.env.alloc.largest < frame);
		assert_true(cm__store_digest(t.env.store) == t.digest[t.ncommits]);
		for (i = 0; i < BULK; i++) {
			cm_event *e;
			assert_int_equal(cm_event_get(&e, t.env.store, ids[i]), CM_OK);
			note_text(note, i);
			assert_string_equal(cm_event_text(e, CM_EVENT_TEXT), note);
			cm_event_free(e);
		}
		th_close(&t.env);
	}
	free(ids);
	jt_done(&t);
}

/* ---- injected I/O failures ------------------------------------------------ */

/* Which calls are counted and failed: writes; syncs (fdatasync, fsync,
 * directory); the rest that can fail (open, rename, ftruncate); or reads. */
enum { FAIL_WRITE, FAIL_SYNC, FAIL_META, FAIL_READ };

struct inject {
	int mode;
	int short_writes; /* write at most 7 bytes per call */
	int short_reads;  /* read at most 3 bytes per call, and fail every
			   * fourth call with EINTR before it reads */
	long reads;   /* pread calls seen */
	long calls;   /* counted calls of the failing kind */
	long fail_at; /* 0: never */
	int fired;
	long syncs;   /* fdatasync calls seen */
	long long bytes; /* bytes pread returned */
	/* Writes within the file's length, and past it (appends); appends
	 * while a write within the file was not yet synced. */
	long within, appends, unordered;
	int unsynced;
};

static int should_fail(struct inject *in, int mode)
{
	if (in->mode != mode)
		return 0;
	in->calls++;
	if (in->fail_at && in->calls == in->fail_at) {
		in->fired = 1;
		errno = mode == FAIL_WRITE ? ENOSPC : EIO;
		return 1;
	}
	return 0;
}

static ssize_t in_pwrite(void *ctx, int fd, const void *b, size_t n, off_t off)
{
	struct inject *in = ctx;

	struct stat st;

	if (in->short_writes && n > 7)
		n = 7;
	if (should_fail(ctx, FAIL_WRITE))
		return -1;
	assert_int_equal(fstat(fd, &st), 0);
	if (off + (off_t)n <= st.st_size) {
		in->within++;
		in->unsynced = 1;
	} else {
		in->appends++;
		in->unordered += in->unsynced;
	}
	return cm__jio_libc.pwrite(NULL, fd, b, n, off);
}

static ssize_t in_pread(void *ctx, int fd, void *b, size_t n, off_t off)
{
	struct inject *in = ctx;

	in->reads++;
	if (in->short_reads) {
		if (in->reads % 4 == 0) {
			errno = EINTR;
			return -1;
		}
		if (n > 3)
			n = 3;
	}
	if (should_fail(ctx, FAIL_READ))
		return -1;
	{
		ssize_t r = cm__jio_libc.pread(NULL, fd, b, n, off);
		if (r > 0)
			in->bytes += r;
		return r;
	}
}

static int in_open(void *ctx, const char *path, int flags, mode_t mode)
{
	return should_fail(ctx, FAIL_META) ? -1
		: cm__jio_libc.open(NULL, path, flags, mode);
}

static int in_rename(void *ctx, const char *from, const char *to)
{
	return should_fail(ctx, FAIL_META) ? -1 : cm__jio_libc.rename(NULL, from, to);
}

static int in_ftruncate(void *ctx, int fd, off_t len)
{
	return should_fail(ctx, FAIL_META) ? -1 : cm__jio_libc.ftruncate(NULL, fd, len);
}

static int in_fdatasync(void *ctx, int fd)
{
	struct inject *in = ctx;

	in->syncs++;
	if (should_fail(ctx, FAIL_SYNC))
		return -1;
	in->unsynced = 0;
	return cm__jio_libc.fdatasync(NULL, fd);
}

static int in_fsync(void *ctx, int fd)
{
	struct inject *in = ctx;

	if (should_fail(ctx, FAIL_SYNC))
		return -1;
	in->unsynced = 0;
	return cm__jio_libc.fsync(NULL, fd);
}

static int in_sync_dir(void *ctx, const char *path)
{
	return should_fail(ctx, FAIL_SYNC) ? -1 : cm__jio_libc.sync_dir(NULL, path);
}

static struct cm__jio inject_io(struct inject *in)
{
	struct cm__jio io = libc_io();

	io.ctx = in;
	io.pread = in_pread;
	io.pwrite = in_pwrite;
	io.fdatasync = in_fdatasync;
	io.fsync = in_fsync;
	io.sync_dir = in_sync_dir;
	io.open = in_open;
	io.rename = in_rename;
	io.ftruncate = in_ftruncate;
	return io;
}

/* Commit client `id` (new, or its tier changed); returns the commit's code. */
static int try_commit(struct jt *t, const char *id, int32_t tier)
{
	cm_client *c = NULL;
	cm_txn *txn;
	int rc;

	if (cm_client_get(&c, t->env.store, id) != CM_OK) {
		assert_int_equal(cm_client_new(&c, t->env.store), CM_OK);
		assert_int_equal(cm_client_set_id(c, id), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, id), CM_OK);
	}
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, tier), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, t->env.store, "worker"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	rc = cm_txn_commit(txn);
	cm_client_free(c);
	return rc;
}

/* One run: open, commit, compact, commit more, failing call fail_at of
 * the mode's kind. Returns 1 if a failure was injected. */
static int failure_run(int mode, long fail_at)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	int step, rc = CM_OK;

	memset(&in, 0, sizeof(in));
	in.mode = mode;
	io = inject_io(&in);
	jt_init_io(&t, CM_SYNC_FULL, &io);
	try_commit(&t, "seed", 0);
	t.digest[0] = cm__store_digest(t.env.store);
	in.calls = 0;
	in.fail_at = fail_at;
	for (step = 0; step < 6 && rc == CM_OK; step++) {
		uint64_t before = cm__store_digest(t.env.store);
		int compacting = step == 3;
		rc = compacting ? cm_store_compact(t.env.store)
			: try_commit(&t, step % 2 ? "seed" : (step ? "c2" : "c1"), step % 5);
		if (rc == CM_OK) {
			t.digest[0] = cm__store_digest(t.env.store);
			continue;
		}
		assert_int_equal(rc, CM_EIO);
		assert_true(in.fired);
		assert_non_null(strstr(cm_store_errmsg(t.env.store), t.path));
		/* A compaction's failed write names the file it wrote. */
		if (compacting && mode == FAIL_WRITE)
			assert_non_null(strstr(cm_store_errmsg(t.env.store), ".compact"));
		assert_true(cm__store_digest(t.env.store) == before);
		if (!compacting) {
			assert_int_equal(try_commit(&t, "c9", 1), CM_EPOISONED);
			assert_int_equal(cm_store_compact(t.env.store), CM_EPOISONED);
			assert_true(cm__store_digest(t.env.store) == before);
		}
	}
	th_close(&t.env);
	/* Exactly the committed prefix is on disk. */
	assert_true(reopen_digest(&t) == t.digest[0]);
	fx_rmdir(t.dir);
	return in.fired;
}

static void test_injected_failures(void **state)
{
	long n, runs = 0;
	int mode;
	(void)state;

	for (mode = FAIL_WRITE; mode <= FAIL_META; mode++)
		for (n = 1; failure_run(mode, n); n++)
			runs++;
	assert_true(runs >= 10);
}

/* Recovery itself failing (copying the torn bytes aside, cutting, syncing)
 * fails the open with CM_EIO and loses nothing: a later open recovers. */
static void test_recovery_failures(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	unsigned char *orig;
	size_t n;
	char err[256], tp[400];
	int mode, runs = 0;
	long k;
	(void)state;

	orig = small_journal(&t, 2, &n);
	for (mode = FAIL_WRITE; mode <= FAIL_META; mode++) {
		for (k = 1;; k++) {
			int rc, i;
			/* The last commit torn. */
			spit(t.path, orig, (size_t)t.size[2] - 3);
			memset(&in, 0, sizeof(in));
			in.mode = mode;
			in.fail_at = k;
			io = inject_io(&in);
			rc = jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, err, sizeof(err));
			if (!in.fired) {
				assert_int_equal(rc, CM_OK);
				th_close(&t.env);
				assert_true(reopen_digest(&t) == t.digest[1]);
			} else {
				assert_int_equal(rc, CM_EIO);
				assert_non_null(strstr(err, t.dir));
				assert_int_equal(t.env.alloc.live, 0);
				assert_true(reopen_digest(&t) == t.digest[1]);
				runs++;
			}
			for (i = 1; i <= 2; i++) {
				torn_name(tp, sizeof(tp), &t, i);
				unlink(tp);
			}
			if (!in.fired)
				break;
		}
	}
	assert_true(runs >= 5);
	t.env.store = NULL;
	free(orig);
	jt_done(&t);
}

/* Short writes are resumed. */
static void test_short_writes(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	(void)state;

	memset(&t, 0, sizeof(t));
	memset(&in, 0, sizeof(in));
	in.mode = -1;
	in.short_writes = 1;
	io = inject_io(&in);
	jt_init_io(&t, CM_SYNC_FULL, &io);
	assert_int_equal(try_commit(&t, "a", 1), CM_OK);
	assert_int_equal(try_commit(&t, "b", 2), CM_OK);
	assert_int_equal(cm_store_compact(t.env.store), CM_OK);
	assert_int_equal(try_commit(&t, "a", 3), CM_OK);
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	fx_rmdir(t.dir);
}

/* Reads that return 3 bytes at a time, and reads interrupted (EINTR), are
 * resumed: an open that recovers a torn tail loads as with whole reads. */
static void test_short_reads(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	unsigned char *orig, *torn;
	size_t n, tn;
	char tp[400];
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	populate(&t);
	th_close(&t.env);
	orig = slurp(t.path, &n);
	spit(t.path, orig, (size_t)t.size[t.ncommits] - 3);
	memset(&in, 0, sizeof(in));
	in.mode = -1;
	in.short_reads = 1;
	io = inject_io(&in);
	assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, NULL, 0), CM_OK);
	assert_true(cm__store_digest(t.env.store) == t.digest[t.ncommits - 1]);
	th_close(&t.env);
	assert_true(in.reads > (long)t.size[t.ncommits] / 3);
	assert_int_equal(file_size(t.path), t.size[t.ncommits - 1]);
	torn_name(tp, sizeof(tp), &t, 1);
	torn = slurp(tp, &tn);
	assert_int_equal(tn, (size_t)(t.size[t.ncommits] - 3 - t.size[t.ncommits - 1]));
	assert_memory_equal(torn, orig + t.size[t.ncommits - 1], tn);
	free(torn);
	free(orig);
	jt_done(&t);
}

/* Every read of an open failing in turn, on a journal of small frames,
 * one frame of many 4096-byte reads, and a torn last frame that takes
 * several to copy: each open fails with CM_EIO, naming the journal and
 * the error, and leaks nothing. The file is as it was, with no copy of
 * the tail; or, when the read failed while the store loaded, recovery
 * had already cut the torn tail, and its copy is whole. Then an open
 * that reads everything recovers. */
static void test_read_failures(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	unsigned char *orig, *now;
	size_t n, len, nn, end;
	char err[256], tp[400];
	int rc, cut = 0, uncut = 0;
	long k;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	fx_client(&t.env, "a", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	commit_notes(&t, "a", 0, 100, NULL);
	assert_true(t.size[2] - t.size[1] > 4 * 4096);
	fx_client(&t.env, "b", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	commit_notes(&t, "b", 100, 100, NULL);
	th_close(&t.env);
	orig = slurp(t.path, &n);
	end = (size_t)t.size[t.ncommits - 1];
	len = (size_t)t.size[t.ncommits] - 100;
	assert_true(len - end > 2 * 4096);
	for (k = 1;; k++) {
		spit(t.path, orig, len);
		memset(&in, 0, sizeof(in));
		in.mode = FAIL_READ;
		in.fail_at = k;
		io = inject_io(&in);
		io.read_chunk = 4096;
		rc = jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, err, sizeof(err));
		if (!in.fired)
			break;
		assert_int_equal(rc, CM_EIO);
		assert_null(t.env.store);
		assert_non_null(strstr(err, t.path));
		assert_non_null(strstr(err, strerror(EIO)));
		assert_int_equal(t.env.alloc.live, 0);
		torn_name(tp, sizeof(tp), &t, 2);
		assert_int_equal(access(tp, F_OK), -1);
		torn_name(tp, sizeof(tp), &t, 1);
		now = slurp(t.path, &nn);
		if (access(tp, F_OK) == 0) {
			unsigned char *torn;
			size_t tn;
			assert_int_equal(nn, end);
			assert_memory_equal(now, orig, end);
			torn = slurp(tp, &tn);
			assert_int_equal(tn, len - end);
			assert_memory_equal(torn, orig + end, tn);
			free(torn);
			assert_int_equal(unlink(tp), 0);
			cut++;
		} else {
			assert_int_equal(nn, len);
			assert_memory_equal(now, orig, len);
			uncut++;
		}
		free(now);
	}
	print_message("%ld reads: %d failed before the cut, %d after\n", k - 1,
		      uncut, cut);
	assert_int_equal(rc, CM_OK);
	assert_true(cut > 0 && uncut > 10);
	assert_true(cm__store_digest(t.env.store) == t.digest[t.ncommits - 1]);
	th_close(&t.env);
	assert_int_equal(file_size(t.path), (off_t)end);
	now = slurp(tp, &nn);
	assert_int_equal(nn, len - end);
	assert_memory_equal(now, orig + end, nn);
	free(now);
	free(orig);
	jt_done(&t);
}

/* Another program changing the journal under an open (it ignores the
 * lock): reads find the file ending before the length fstat gave, or,
 * once recovery is done (its fdatasync), a length field that no longer
 * fits where recovery found it. */
struct tamper {
	off_t eof_at;    /* reads end here (0: at the file's end) */
	off_t field;     /* after the sync, these 4 bytes read as 0xff */
	int synced;
};

static ssize_t tamper_pread(void *ctx, int fd, void *b, size_t n, off_t off)
{
	struct tamper *tm = ctx;
	unsigned char *u = b;
	ssize_t r, i;

	if (tm->eof_at && off >= tm->eof_at)
		return 0;
	if (tm->eof_at && (off_t)n > tm->eof_at - off)
		n = (size_t)(tm->eof_at - off);
	r = cm__jio_libc.pread(NULL, fd, b, n, off);
	for (i = 0; tm->synced && i < r; i++)
		if (off + i >= tm->field && off + i < tm->field + 4)
			u[i] = 0xff;
	return r;
}

static int tamper_fdatasync(void *ctx, int fd)
{
	((struct tamper *)ctx)->synced = 1;
	return cm__jio_libc.fdatasync(NULL, fd);
}

static void test_file_changed(void **state)
{
	struct cm__jio io = cm__jio_libc;
	struct tamper tm;
	struct jt t;
	unsigned char *orig, *now;
	size_t n, nn;
	char err[256];
	int i;
	(void)state;

	orig = small_journal(&t, 3, &n);
	io.ctx = &tm;
	io.pread = tamper_pread;
	io.fdatasync = tamper_fdatasync;
	io.read_chunk = 64;
	for (i = 0; i < 7; i++) {
		const off_t eof[] = { 20, 40, t.size[1] + 3, t.size[2] - 1, t.size[3],
				      0, 0 };
		const off_t field[] = { 0, 0, 0, 0, 0, t.size[1], t.size[1] + 8 };
		memset(&tm, 0, sizeof(tm));
		tm.eof_at = eof[i];
		tm.field = field[i];
		assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, err, sizeof(err)),
				 CM_EIO);
		assert_non_null(strstr(err, t.path));
		assert_non_null(strstr(err, "changed while it was being opened"));
		assert_int_equal(t.env.alloc.live, 0);
		now = slurp(t.path, &nn);
		assert_int_equal(nn, n);
		assert_memory_equal(now, orig, n);
		free(now);
	}
	assert_true(reopen_digest(&t) == t.digest[3]);
	t.env.store = NULL;
	free(orig);
	jt_done(&t);
}

/* ---- the search for a later frame ----------------------------------------- */

/* z: the frames of orig up to end, then a torn frame of len bytes (its
 * length runs past the file's end) in which every 16 bytes begin a
 * candidate frame (a plausible length, and 'C' 'R' where its first
 * record would start) whose payload runs to 3 bytes before the file's
 * end, then the tail (tlen bytes, may be 0). Searched by reading each
 * candidate, such a tail costs its length squared; read once, its
 * length. */
static unsigned char *candidates_journal(const unsigned char *orig, size_t end,
					 size_t len, const unsigned char *tail,
					 size_t tlen, size_t *out)
{
	size_t n = end + len + tlen, i;
	unsigned char *z = malloc(n);

	assert_non_null(z);
	memcpy(z, orig, end);
	memset(z + end, 0x5a, len);
	cm__put32(z + end, (uint32_t)(n - end + 100));
	for (i = end + 8; i + 16 <= end + len; i += 16) {
		cm__put32(z + i, (uint32_t)(n - i - 8 - 3));
		cm__put32(z + i + 4, (uint32_t)i * 2654435761u);
		cm__put32(z + i + 8, 4);
		z[i + 12] = 'C';
		z[i + 13] = 'R';
	}
	if (tlen)
		memcpy(z + end + len, tail, tlen);
	*out = n;
	return z;
}

/* Open z (n bytes) as t's journal reading 4096 bytes at once, with at
 * most later_max candidates waiting (0: the default); the open's code,
 * the bytes it read in *bytes. The store, if open, is in t->env. */
static int open_candidates(struct jt *t, const unsigned char *z, size_t n,
			   size_t later_max, long long *bytes, char *err,
			   size_t errsize)
{
	struct inject in;
	struct cm__jio io;
	char tp[400];
	int rc, k;

	for (k = 1; k <= 2; k++) {
		torn_name(tp, sizeof(tp), t, k);
		(void)unlink(tp);
	}
	spit(t->path, z, n);
	memset(&in, 0, sizeof(in));
	in.mode = -1;
	io = inject_io(&in);
	io.read_chunk = 4096;
	io.later_max = later_max;
	rc = jopen_io(&t->env, t->path, CM_SYNC_FULL, &io, err, errsize);
	*bytes = in.bytes;
	return rc;
}

/* A torn tail full of candidate frames: with none that verifies, it is
 * cut and copied; with a frame that verifies after it, or a frame that
 * verifies holding another, the open refuses, naming the first. The file
 * is read a few times over, not once per candidate. Then the same with
 * at most 1 or 5 candidates waiting (the others are read at once). */
static void test_later_frame_search(void **state)
{
	struct jt t;
	unsigned char *orig, *z, *torn, *big;
	size_t n, zn, tn, end, flen, i, blen;
	const size_t lmax[] = { 0, 1, 5 };
	const unsigned char *f;
	long long bytes;
	char err[256], want[64], tp[400];
	(void)state;

	orig = small_journal(&t, 3, &n);
	end = (size_t)t.size[3];
	f = orig + t.size[2]; /* the last frame: valid anywhere */
	flen = (size_t)(t.size[3] - t.size[2]);
	/* A frame that verifies (its records do not tile it) and holds f
	 * whole: both verify, the inner one ends first. */
	blen = 8 + 8 + flen + 40;
	big = calloc(1, blen);
	assert_non_null(big);
	cm__put32(big + 8, 4);
	big[12] = 'C';
	big[13] = 'R';
	memcpy(big + 16, f, flen);
	cm__journal_seal(big, (uint32_t)(blen - 8), cm__get32(orig + 16) |
			 (uint64_t)cm__get32(orig + 20) << 32);
	for (i = 0; i < sizeof(lmax) / sizeof(lmax[0]); i++) {
		size_t len = lmax[i] ? 4096 : 128 * 1024;

		z = candidates_journal(orig, end, len, NULL, 0, &zn);
		assert_int_equal(open_candidates(&t, z, zn, lmax[i], &bytes, err,
						 sizeof(err)), CM_OK);
		assert_true(cm__store_digest(t.env.store) == t.digest[3]);
		th_close(&t.env);
		assert_int_equal(file_size(t.path), (off_t)end);
		torn_name(tp, sizeof(tp), &t, 1);
		torn = slurp(tp, &tn);
		assert_int_equal(tn, len);
		assert_memory_equal(torn, z + end, len);
		free(torn);
		if (!lmax[i] && bytes > 4 * (long long)zn)
			fail_msg("%lld bytes read for a journal of %zu", bytes, zn);
		free(z);

		z = candidates_journal(orig, end, len, f, flen, &zn);
		assert_int_equal(open_candidates(&t, z, zn, lmax[i], &bytes, err,
						 sizeof(err)), CM_ECORRUPT);
		snprintf(want, sizeof(want), "(at offset %zu)", end + len);
		if (!strstr(err, want))
			fail_msg("%s: not %s", err, want);
		assert_int_equal(t.env.alloc.live, 0);
		assert_int_equal(access(tp, F_OK), -1);
		torn = slurp(t.path, &tn);
		assert_int_equal(tn, zn);
		assert_memory_equal(torn, z, zn);
		free(torn);
		if (!lmax[i] && bytes > 4 * (long long)zn)
			fail_msg("%lld bytes read for a journal of %zu", bytes, zn);
		free(z);

		z = candidates_journal(orig, end, len, big, blen, &zn);
		assert_int_equal(open_candidates(&t, z, zn, lmax[i], &bytes, err,
						 sizeof(err)), CM_ECORRUPT);
		if (!strstr(err, want))
			fail_msg("%s: not %s", err, want);
		assert_int_equal(t.env.alloc.live, 0);
		free(z);
	}
	t.env.store = NULL;
	free(big);
	free(orig);
	jt_done(&t);
}

/* At most later_max candidates wait, however much room the heap has: 8
 * candidates whose payloads run over the same 64 KiB to the file's end
 * are read once when 8 may wait, 7 times over when 1 may. */
static void test_later_frame_limit(void **state)
{
	struct jt t;
	unsigned char *orig, *z, *tail;
	size_t n, zn, end;
	const size_t tlen = 64 * 1024;
	long long bytes;
	char err[256];
	(void)state;

	orig = small_journal(&t, 3, &n);
	end = (size_t)t.size[3];
	tail = malloc(tlen);
	assert_non_null(tail);
	memset(tail, 0x5a, tlen);
	z = candidates_journal(orig, end, 8 + 8 * 16, tail, tlen, &zn);
	assert_int_equal(open_candidates(&t, z, zn, 8, &bytes, err, sizeof(err)), CM_OK);
	th_close(&t.env);
	if (bytes > 4 * (long long)zn)
		fail_msg("%lld bytes read for a journal of %zu, 8 waiting", bytes, zn);
	assert_int_equal(open_candidates(&t, z, zn, 1, &bytes, err, sizeof(err)), CM_OK);
	th_close(&t.env);
	if (bytes < 7 * (long long)tlen)
		fail_msg("%lld bytes read for a journal of %zu, 1 waiting", bytes, zn);
	t.env.store = NULL;
	free(z);
	free(tail);
	free(orig);
	jt_done(&t);
}

/* 1 if the frame at f (its payload within the n bytes from f) verifies
 * under salt: sealed again, its checksum is the same. */
static int frame_verifies(const unsigned char *f, size_t n, uint64_t salt)
{
	uint32_t len = cm__get32(f);
	unsigned char *c;
	int ok;

	if (n < 8 || len > n - 8)
		return 0;
	c = malloc(8 + (size_t)len);
	assert_non_null(c);
	memcpy(c, f, 8 + (size_t)len);
	cm__journal_seal(c, len, salt);
	ok = cm__get32(c + 4) == cm__get32(f + 4);
	free(c);
	return ok;
}

static uint64_t lcg(uint64_t *r)
{
	*r = *r * 6364136223846793005u + 1442695040888963407u;
	return *r >> 33;
}

/* Random torn tails, full of candidate frames, some of which verify
 * (nested, overlapping, several ending at one offset or at the file's
 * end): the open names the first offset where a frame verifies, as
 * checking every candidate by reading it finds, or cuts the tail when
 * none does; with reads of a few bytes to 1 MiB, and at most 1, 2, 3
 * or the default number of candidates waiting. */
static void test_later_frame_random(void **state)
{
	const unsigned char alphabet[] = { 'C', 'R', 0, 1, 6, 0x10, 0x5a };
	const size_t chunks[] = { 7, 64, 4096, 0 };
	struct jt t;
	unsigned char *orig, *z;
	size_t n, end, zn, i, p, want, len;
	uint64_t salt, r = 7;
	char err[256], tp[400], w[64];
	int round, k, found = 0;
	(void)state;

	orig = small_journal(&t, 3, &n);
	end = (size_t)t.size[3];
	salt = cm__get32(orig + 16) | (uint64_t)cm__get32(orig + 20) << 32;
	for (round = 0; round < 400; round++) {
		size_t starts[24], ns = 0;
		struct cm__jio io;
		struct inject in;

		len = 14 + lcg(&r) % (round % 4 ? 600 : 6000);
		zn = end + len;
		z = malloc(zn);
		assert_non_null(z);
		memcpy(z, orig, end);
		for (i = end; i < zn; i++)
			z[i] = lcg(&r) % 3 ? alphabet[lcg(&r) % sizeof(alphabet)]
					   : (unsigned char)lcg(&r);
		cm__put32(z + end, (uint32_t)(len + 100)); /* torn: runs past */
		/* Candidates: a plausible length (some reaching the file's
		 * end, some a common end), 'C' 'R'; in two rounds of three,
		 * a third of them sealed. */
		for (k = (int)(lcg(&r) % 24); k > 0; k--) {
			uint32_t m;
			p = end + 1 + lcg(&r) % (len - 1);
			if (zn - p < 14)
				continue;
			switch (lcg(&r) % 3) {
			case 0: m = (uint32_t)(zn - p - 8); break;
			case 1: m = (uint32_t)((end + len / 2 > p + 14 ? end + len / 2 : zn) - p - 8); break;
			default: m = (uint32_t)(6 + lcg(&r) % (zn - p - 13)); break;
			}
			cm__put32(z + p, m);
			cm__put32(z + p + 4, (uint32_t)lcg(&r));
			z[p + 12] = 'C';
			z[p + 13] = 'R';
			if (round % 3 && lcg(&r) % 3 == 0)
				starts[ns++] = p;
		}
		/* Sealed from the last start back: a frame's payload holds
		 * only the headers of frames that start after it. */
		for (i = 0; i < ns; i++)
			for (p = i + 1; p < ns; p++)
				if (starts[p] > starts[i]) {
					size_t s = starts[i];
					starts[i] = starts[p];
					starts[p] = s;
				}
		for (i = 0; i < ns; i++) {
			uint32_t m = cm__get32(z + starts[i]);
			if (m >= 6 && m <= zn - starts[i] - 8)
				cm__journal_seal(z + starts[i], m, salt);
		}
		/* Every candidate read, from the first. */
		for (want = 0, p = end + 1; !want && zn - p >= 14; p++) {
			uint32_t m = cm__get32(z + p);
			if (m >= 6 && m <= zn - p - 8 && z[p + 12] == 'C' && z[p + 13] == 'R' &&
			    frame_verifies(z + p, zn - p, salt))
				want = p;
		}
		for (k = 1; k <= 2; k++) {
			torn_name(tp, sizeof(tp), &t, k);
			(void)unlink(tp);
		}
		spit(t.path, z, zn);
		memset(&in, 0, sizeof(in));
		in.mode = -1;
		io = inject_io(&in);
		io.read_chunk = chunks[round % 4];
		io.later_max = (size_t)(round / 4 % 4);
		if (want) {
			assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, err,
						  sizeof(err)), CM_ECORRUPT);
			snprintf(w, sizeof(w), "(at offset %zu)", want);
			if (!strstr(err, w))
				fail_msg("round %d: %s: not %s", round, err, w);
			found++;
		} else {
			if (jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, err, sizeof(err)) != CM_OK)
				fail_msg("round %d: %s", round, err);
			assert_true(cm__store_digest(t.env.store) == t.digest[3]);
			th_close(&t.env);
			assert_int_equal(file_size(t.path), (off_t)end);
		}
		free(z);
	}
	/* Both outcomes, often. */
	assert_true(found > 100 && found < 300);
	t.env.store = NULL;
	free(orig);
	jt_done(&t);
}

/* The candidates' heap cannot grow: those candidates are read at once,
 * and the open ends as with room (or fails with CM_ENOMEM elsewhere). */
static void test_later_frame_search_no_memory(void **state)
{
	struct jt t;
	unsigned char *orig, *z;
	size_t n, zn, end;
	long absorbed = 0, k;
	char err[256], tp[400];
	(void)state;

	orig = small_journal(&t, 3, &n);
	end = (size_t)t.size[3];
	z = candidates_journal(orig, end, 16 * 1024, NULL, 0, &zn);
	for (k = 1;; k++) {
		struct cm__jio io = cm__jio_libc;
		cm_store_options o;
		int rc, j;
		for (j = 1; j <= 2; j++) {
			torn_name(tp, sizeof(tp), &t, j);
			(void)unlink(tp);
		}
		spit(t.path, z, zn);
		io.read_chunk = 4096;
		memset(&t.env, 0, sizeof(t.env));
		t.env.clock.now = TH_T0;
		th_options(&o, &t.env);
		o.errbuf = err;
		o.errbuf_size = sizeof(err);
		t.env.alloc.fail_at = k;
		rc = cm__store_open_journal_io(&t.env.store, t.path, CM_SYNC_FULL, &o, &io);
		if (rc != CM_OK) {
			assert_int_equal(rc, CM_ENOMEM);
			assert_int_equal(t.env.alloc.live, 0);
			continue;
		}
		assert_true(cm__store_digest(t.env.store) == t.digest[3]);
		th_close(&t.env);
		assert_int_equal(file_size(t.path), (off_t)end);
		if (!t.env.alloc.failures)
			break;
		absorbed++;
	}
	/* The heap's growths, each absorbed. */
	assert_true(absorbed >= 3);
	t.env.store = NULL;
	free(z);
	free(orig);
	jt_done(&t);
}

/* ---- compaction ------------------------------------------------------------ */

static void test_compaction(void **state)
{
	struct jt t;
	off_t before;
	int i;
	(void)state;

	jt_init(&t, CM_SYNC_NORMAL);
	populate(&t);
	for (i = 0; i < 100; i++)
		assert_int_equal(try_commit(&t, "client-2", i % 5), CM_OK);
	before = file_size(t.path);
	t.digest[0] = cm__store_digest(t.env.store);
	assert_int_equal(cm_store_compact(t.env.store), CM_OK);
	fprintf(stderr, "compaction: %lld -> %lld bytes\n", (long long)before,
		(long long)file_size(t.path));
	assert_true(file_size(t.path) < before);
	assert_true(cm__store_digest(t.env.store) == t.digest[0]);
	/* Commits after compaction go to the new file. */
	assert_int_equal(try_commit(&t, "client-9", 3), CM_OK);
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	{
		char tmp[400];
		snprintf(tmp, sizeof(tmp), "%s.compact", t.path);
		assert_int_equal(access(tmp, F_OK), -1);
	}
	/* Compacting an empty store leaves a header only. */
	jopen(&t.env, t.path, CM_SYNC_FULL);
	th_close(&t.env);
	assert_int_equal(unlink(t.path), 0);
	jopen(&t.env, t.path, CM_SYNC_FULL);
	assert_int_equal(cm_store_compact(t.env.store), CM_OK);
	assert_int_equal(file_size(t.path), 32);
	jt_done(&t);
}

static void test_compact_busy(void **state)
{
	struct jt t;
	cm_txn *txn;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	assert_int_equal(cm_txn_begin(&txn, t.env.store, "me"), CM_OK);
	assert_int_equal(cm_store_compact(t.env.store), CM_EBUSY);
	cm_txn_rollback(txn);
	jt_done(&t);
}

/* Compaction while another thread commits and a third reads: writers wait
 * for it, readers go on, and nothing is lost. Libc allocator (the harness
 * allocator is not thread-safe). */
struct busy {
	cm_store *s;
	int commits;
	int failed;
};

static void *committer(void *arg)
{
	struct busy *b = arg;
	int i;

	for (i = 0; i < 200; i++) {
		cm_client *c = NULL;
		cm_txn *txn;
		char id[16];
		snprintf(id, sizeof(id), "w%d", i % 7);
		if (cm_client_get(&c, b->s, id) != CM_OK &&
		    (cm_client_new(&c, b->s) || cm_client_set_id(c, id) ||
		     cm_client_set_text(c, CM_CLIENT_FAMILY, id))) {
			b->failed++;
			cm_client_free(c);
			continue;
		}
		if (cm_client_set_int(c, CM_CLIENT_RISK_TIER, i % 5) ||
		    cm_txn_begin(&txn, b->s, "writer") || cm_client_save(txn, c) ||
		    cm_txn_commit(txn))
			b->failed++;
		else
			b->commits++;
		cm_client_free(c);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct busy *b = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		cm_client *c;
		if (cm_client_get(&c, b->s, "w0") == CM_OK)
			cm_client_free(c);
	}
	return NULL;
}

static void test_compact_concurrent(void **state)
{
	struct busy b;
	pthread_t w, r;
	char dir[256], path[300];
	uint64_t d;
	int i;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cases.journal", dir);
	memset(&b, 0, sizeof(b));
	assert_int_equal(cm_store_open_journal(&b.s, path, CM_SYNC_NORMAL, NULL), CM_OK);
	assert_int_equal(pthread_create(&w, NULL, committer, &b), 0);
	assert_int_equal(pthread_create(&r, NULL, reader, &b), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(cm_store_compact(b.s), CM_OK);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	assert_int_equal(b.failed, 0);
	assert_int_equal(b.commits, 200);
	d = cm__store_digest(b.s);
	cm_store_close(b.s);
	assert_int_equal(cm_store_open_journal(&b.s, path, CM_SYNC_FULL, NULL), CM_OK);
	assert_true(cm__store_digest(b.s) == d);
	cm_store_close(b.s);
	fx_rmdir(dir);
}

/* ---- sync modes ------------------------------------------------------------ */

static void test_sync_modes(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	int32_t sync;
	(void)state;

	for (sync = CM_SYNC_FULL; sync <= CM_SYNC_NORMAL; sync++) {
		memset(&in, 0, sizeof(in));
		in.mode = -1;
		io = inject_io(&in);
		jt_init_io(&t, sync, &io);
		assert_int_equal(try_commit(&t, "a", 1), CM_OK);
		assert_int_equal(try_commit(&t, "a", 2), CM_OK);
		assert_int_equal(in.syncs, sync == CM_SYNC_FULL ? 2 : 0);
		t.digest[0] = cm__store_digest(t.env.store);
		th_close(&t.env);
		assert_true(reopen_digest(&t) == t.digest[0]);
		fx_rmdir(t.dir);
	}
}

/* fallocate that always fails for lack of space; counts its calls. */
static long nospace_calls;

static int nospace_fallocate(void *ctx, int fd, off_t off, off_t len)
{
	(void)ctx;
	(void)fd;
	(void)off;
	(void)len;
	nospace_calls++;
	errno = ENOSPC;
	return -1;
}

/* Zeros after the frames are space taken ahead whatever the salt: also
 * with a salt for which an all-zero frame header (payload length 0, CRC
 * 0) passes the checksum, where the zeros read as a whole frame with no
 * records (one salt in 2^32). */
static void test_zero_tail_any_salt(void **state)
{
	/* CRC-32C of its 8 bytes (little-endian) then 4 zero bytes is 0. */
	const uint64_t salt = 0x69047360u;
	unsigned char s8[8], z[4] = { 0 }, *b;
	size_t n = CM__JHDR_SIZE + 4096;
	struct jt t;
	int i;
	(void)state;

	for (i = 0; i < 8; i++)
		s8[i] = (unsigned char)(salt >> (8 * i));
	assert_int_equal(cm_crc32c(cm_crc32c(0, s8, 8), z, 4), 0);
	jt_init(&t, CM_SYNC_FULL);
	th_close(&t.env);
	b = calloc(1, n);
	assert_non_null(b);
	cm__journal_header(b, salt);
	spit(t.path, b, n);
	jopen(&t.env, t.path, CM_SYNC_FULL);
	th_close(&t.env);
	assert_int_equal(file_size(t.path), (off_t)n);
	jopen(&t.env, t.path, CM_SYNC_NORMAL);
	th_close(&t.env);
	assert_int_equal(file_size(t.path), CM__JHDR_SIZE);
	free(b);
	jt_done(&t);
}

/* The journal's calls in order: W a write, F taking space, S a sync. */
static char seq[64];
static size_t nseq;

static void note(char c)
{
	if (nseq < sizeof(seq) - 1)
		seq[nseq++] = c;
}

static ssize_t rec_pwrite(void *ctx, int fd, const void *b, size_t n, off_t off)
{
	note('W');
	return cm__jio_libc.pwrite(ctx, fd, b, n, off);
}

static int rec_fdatasync(void *ctx, int fd)
{
	note('S');
	return cm__jio_libc.fdatasync(ctx, fd);
}

static int rec_fsync(void *ctx, int fd)
{
	note('S');
	return cm__jio_libc.fsync(ctx, fd);
}

static int rec_fallocate(void *ctx, int fd, off_t off, off_t len)
{
	note('F');
	return cm__jio_libc.fallocate(ctx, fd, off, len);
}

/* Frames a CM_SYNC_FULL open finds may not be on disk yet (written under
 * CM_SYNC_NORMAL, or by a process killed between its write and its sync).
 * The first frame of the session goes into zeros (space taken ahead, or
 * kept at open): without a sync first, a crash could keep that frame and
 * lose an earlier one, and recovery would then refuse the file. So they
 * are synced before anything is written. */
static void test_full_open_syncs_first(void **state)
{
	struct cm__jio io = cm__jio_libc;
	struct jt t;
	int kept;
	(void)state;

	io.pwrite = rec_pwrite;
	io.fdatasync = rec_fdatasync;
	io.fsync = rec_fsync;
	io.fallocate = rec_fallocate;
	for (kept = 0; kept < 2; kept++) {
		/* The frames, then (kept) the zeros of space taken ahead. */
		jt_init(&t, kept ? CM_SYNC_FULL : CM_SYNC_NORMAL);
		assert_int_equal(try_commit(&t, "a", 1), CM_OK);
		assert_int_equal(try_commit(&t, "b", 2), CM_OK);
		t.digest[0] = cm__store_digest(t.env.store);
		th_close(&t.env);
		assert_true(kept ? file_size(t.path) > frames_end(t.path)
				 : file_size(t.path) == frames_end(t.path));
		nseq = 0;
		memset(seq, 0, sizeof(seq));
		assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, NULL, 0),
				 CM_OK);
		assert_int_equal(try_commit(&t, "c", 3), CM_OK);
		if (strcspn(seq, "S") > strcspn(seq, "WF"))
			fail_msg("%s: a write before any sync (%s)",
				 kept ? "zeros kept" : "after CM_SYNC_NORMAL", seq);
		th_close(&t.env);
		jt_done(&t);
	}
}

/* Space taken ahead: under CM_SYNC_FULL the file grows by whole 64 KiB
 * steps, ahead of the frames, not at every commit; a large transaction
 * gets the room it needs; when taking space fails, frames are appended
 * and nothing else changes; under CM_SYNC_NORMAL the file is its frames;
 * a zero tail that a NORMAL open cannot cut fails the open (CM_EIO),
 * losing nothing. */
static void test_space_ahead(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	cm_txn *txn;
	off_t size;
	char id[16], err[256];
	int i;
	long k;
	(void)state;

	jt_init(&t, CM_SYNC_FULL);
	assert_int_equal(try_commit(&t, "a", 1), CM_OK);
	size = file_size(t.path);
	assert_true(size > frames_end(t.path));
	assert_int_equal(size % 65536, 0);
	for (i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(try_commit(&t, id, 1), CM_OK);
	}
	assert_int_equal(file_size(t.path), size);
	/* A transaction larger than the space left. */
	assert_int_equal(cm_txn_begin(&txn, t.env.store, "bulk"), CM_OK);
	for (i = 0; i < 1500; i++)
		assert_int_equal(cm_event_add(txn, NULL, 0, "a", CM_EVENT_NOTE, TH_T0 - i,
					      CM_CONTACT_NONE,
					      "a note long enough to fill the space taken ahead"),
				 CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_true(frames_end(t.path) > size);
	assert_true(file_size(t.path) > frames_end(t.path));
	assert_int_equal(file_size(t.path) % 65536, 0);
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	fx_rmdir(t.dir);

	/* No space to take: appended, as without it. */
	memset(&in, 0, sizeof(in));
	in.mode = -1;
	io = inject_io(&in);
	io.fallocate = nospace_fallocate;
	nospace_calls = 0;
	jt_init_io(&t, CM_SYNC_FULL, &io);
	for (i = 0; i < 3; i++) {
		assert_int_equal(try_commit(&t, "a", i), CM_OK);
		assert_int_equal(file_size(t.path), frames_end(t.path));
	}
	assert_int_equal(nospace_calls, 3);
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[0]);
	fx_rmdir(t.dir);

	/* CM_SYNC_NORMAL: the file is its frames. */
	jt_init(&t, CM_SYNC_NORMAL);
	for (i = 0; i < 3; i++) {
		assert_int_equal(try_commit(&t, "a", i), CM_OK);
		assert_int_equal(file_size(t.path), frames_end(t.path));
	}
	th_close(&t.env);
	fx_rmdir(t.dir);

	/* A NORMAL open that cannot cut the zeros fails, and a later open
	 * has everything. */
	jt_init(&t, CM_SYNC_FULL);
	assert_int_equal(try_commit(&t, "a", 1), CM_OK);
	t.digest[0] = cm__store_digest(t.env.store);
	th_close(&t.env);
	size = file_size(t.path);
	for (k = 1;; k++) {
		memset(&in, 0, sizeof(in));
		in.mode = FAIL_META;
		in.fail_at = k;
		io = inject_io(&in);
		if (jopen_io(&t.env, t.path, CM_SYNC_NORMAL, &io, err, sizeof(err)) == CM_OK) {
			assert_false(in.fired);
			break;
		}
		assert_true(in.fired);
		assert_int_equal(t.env.alloc.live, 0);
		assert_int_equal(file_size(t.path), size);
		assert_true(reopen_digest(&t) == t.digest[0]);
	}
	assert_true(k > 2); /* the open, then the cut failed */
	assert_true(cm__store_digest(t.env.store) == t.digest[0]);
	th_close(&t.env);
	assert_int_equal(file_size(t.path), frames_end(t.path));
	t.env.store = NULL;
	jt_done(&t);
}

/* CRC-32C: the standard check values, and the instruction path (where the
 * CPU has it) agreeing with the software one at every length and
 * alignment, in one call and chained over two. */
static void test_crc32c(void **state)
{
	static const char check[] = "123456789";
	unsigned char buf[300];
	uint64_t r = 42;
	size_t i, off, len;
	(void)state;

	for (i = 0; i < sizeof(buf); i++) {
		r = r * 6364136223846793005u + 1442695040888963407u;
		buf[i] = (unsigned char)(r >> 56);
	}
	assert_int_equal(cm_crc32c(0, check, 9), 0xE3069283u);
	assert_int_equal(cm__crc32c_soft(0, check, 9), 0xE3069283u);
	assert_int_equal(cm_crc32c(0, NULL, 0), 0);
	memset(buf + 200, 0, 32);
	assert_int_equal(cm_crc32c(0, buf + 200, 32), 0x8A9136AAu);
	assert_int_equal(cm__crc32c_soft(0, buf + 200, 32), 0x8A9136AAu);
	for (off = 0; off < 8; off++) {
		for (len = 0; len + off <= 200; len++) {
			uint32_t want = cm__crc32c_soft(0, buf + off, len);
			assert_int_equal(cm_crc32c(0, buf + off, len), want);
			assert_int_equal(cm_crc32c(cm_crc32c(0, buf + off, len / 3),
						   buf + off + len / 3,
						   len - len / 3), want);
			assert_int_equal(cm__crc32c_soft(cm__crc32c_soft(0, buf + off,
									 len / 2),
							 buf + off + len / 2,
							 len - len / 2), want);
		}
	}
	/* Checksums joined without reading again (cm__crc32c_shift): at
	 * every split of every length up to 200, of 1 MiB, and shifts over
	 * 2^32 bytes and more composing. */
	for (len = 0; len <= 200; len++)
		for (off = 0; off <= len; off++)
			assert_int_equal(cm__crc32c_shift(cm_crc32c(0, buf, off),
							  len - off) ^
					 cm_crc32c(0, buf + off, len - off),
					 cm_crc32c(0, buf, len));
	{
		size_t mb = (size_t)1 << 20;
		unsigned char *big = malloc(mb);
		uint32_t c = cm_crc32c(0, buf, 100);
		const uint64_t a = ((uint64_t)1 << 32) + 12345, b = ((uint64_t)3 << 40) + 7;
		assert_non_null(big);
		for (i = 0; i < mb; i++)
			big[i] = (unsigned char)(i * 7 + (i >> 9));
		assert_int_equal(cm__crc32c_shift(cm_crc32c(0, big, 1000), mb - 1000) ^
				 cm_crc32c(0, big + 1000, mb - 1000),
				 cm_crc32c(0, big, mb));
		free(big);
		assert_int_equal(cm__crc32c_shift(c, 0), c);
		assert_int_equal(cm__crc32c_shift(cm__crc32c_shift(c, a), b),
				 cm__crc32c_shift(c, a + b));
		assert_int_equal(cm__crc32c_shift(cm__crc32c_shift(c, b), b),
				 cm__crc32c_shift(c, 2 * b));
		assert_true(cm__crc32c_shift(c, a) != cm__crc32c_shift(c, a + 1));
		/* Every bit of a 64-bit length, the highest included: two
		 * shifts by 2^k bytes make one by 2^(k + 1). */
		for (i = 0; i < 63; i++) {
			uint64_t k = (uint64_t)1 << i;
			assert_int_equal(cm__crc32c_shift(cm__crc32c_shift(c, k), k),
					 cm__crc32c_shift(c, 2 * k));
		}
		assert_int_equal(cm__crc32c_shift(cm__crc32c_shift(c, (uint64_t)1 << 63),
						  ((uint64_t)1 << 63) - 1),
				 cm__crc32c_shift(c, UINT64_MAX));
	}
	print_message("CRC-32C by %s\n",
		      cm__crc32c_hardware() ? "the CPU's instruction" : "tables");
}

/* ---- frames written in pieces ------------------------------------------------ */

/* A transaction's frame is written a chunk at a time (here 64 bytes: every
 * frame of more than one record), its header last; so is a compaction's.
 * The scenarios above end the same. */
static void test_round_trip_small_writes(void **state)
{
	write_chunk = 64;
	test_round_trip(state);
}

static void test_out_of_memory_small_writes(void **state)
{
	write_chunk = 64;
	test_out_of_memory(state);
}

static void test_injected_failures_small_writes(void **state)
{
	write_chunk = 64;
	test_injected_failures(state);
}

static void test_compaction_small_writes(void **state)
{
	write_chunk = 64;
	test_compaction(state);
}

/* Commit `events` events of client "seed", then client id and an event
 * of its with a note of len bytes (at most 4000), the
 * commit's allocation number `fail` (0: none) failing; the commit's
 * code. */
static int commit_with_events(struct jt *t, const char *id, size_t len, int events,
			      long fail)
{
	char *note = malloc(len + 1);
	cm_client *c;
	cm_txn *txn;
	int i, rc;

	assert_non_null(note);
	memset(note, 'n', len);
	note[len] = '\0';
	assert_int_equal(cm_client_new(&c, t->env.store), CM_OK);
	assert_int_equal(cm_client_set_id(c, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, id), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, t->env.store, "worker"), CM_OK);
	for (i = 0; i < events; i++)
		assert_int_equal(cm_event_add(txn, NULL, 0, "seed", CM_EVENT_NOTE,
					      TH_T0 - 3600 + i, CM_CONTACT_NONE,
					      "a note of some length, to fill chunks"),
				 CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_event_add(txn, NULL, 0, id, CM_EVENT_NOTE, TH_T0 - 60,
				      CM_CONTACT_NONE, note), CM_OK);
	t->env.alloc.fail_at = fail ? t->env.alloc.count + fail : 0;
	rc = cm_txn_commit(txn);
	t->env.alloc.fail_at = 0;
	cm_client_free(c);
	free(note);
	return rc;
}

/* 1 if the journal's bytes past its frames (end) are zeros. */
static int zeros_after(struct jt *t, off_t end)
{
	size_t n;
	unsigned char *b = slurp(t->path, &n);
	int z = (off_t)n >= end && all_zero(b + end, n - (size_t)end);

	free(b);
	return z;
}

/* A transaction failing after some of its frame was written: what was
 * written is taken back (only zeros, or nothing, follow the frames), the
 * store is unchanged and commits go on; if taking it back fails too, the
 * journal refuses writes, and the next open finds the bytes a torn tail.
 * The frame buffer stays a chunk and a record long, however large the
 * transaction. */
static void test_streamed_rollback(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	struct cm__journal *j;
	uint64_t before;
	long n, rolled = 0;
	int rc;
	char tp[400];
	(void)state;

	memset(&in, 0, sizeof(in));
	in.mode = -1;
	write_chunk = 256;
	io = inject_io(&in);
	jt_init_io(&t, CM_SYNC_FULL, &io);
	in.appends = 0;
	fx_client(&t.env, "seed", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	j = t.env.store->storage_ctx;
	/* 100 events (written in pieces), then a client whose record is
	 * longer than any before: the frame's buffer grows for it, and
	 * each allocation of the commit fails in turn. */
	for (n = 1;; n++) {
		char id[32];
		snprintf(id, sizeof(id), "big-%ld", n);
		before = cm__store_digest(t.env.store);
		rc = commit_with_events(&t, id, 3000, 100, n);
		if (rc == CM_OK)
			break;
		assert_int_equal(rc, CM_ENOMEM);
		assert_true(cm__store_digest(t.env.store) == before);
		assert_true(frames_end(t.path) == t.size[t.ncommits]);
		assert_true(zeros_after(&t, t.size[t.ncommits]));
		if (file_size(t.path) == t.size[t.ncommits])
			rolled++; /* written, then cut back */
	}
	jt_mark(&t);
	assert_true(rolled >= 1);
	/* Every piece went into space taken ahead, also after a cut took
	 * that space back: no write made the file longer. */
	assert_int_equal(in.appends, 0);
	assert_true(j->fcap <= 8192); /* the frame: over 16 KiB */
	assert_true(t.size[t.ncommits] - t.size[t.ncommits - 1] > 16384);
	/* The same in a store opened again (its buffer small again), the
	 * cut failing: refused from then on. */
	th_close(&t.env);
	assert_int_equal(jopen_io(&t.env, t.path, CM_SYNC_FULL, &io, NULL, 0), CM_OK);
	j = t.env.store->storage_ctx;
	before = cm__store_digest(t.env.store);
	for (n = 1;; n++) {
		in.mode = FAIL_META;
		in.calls = 0;
		in.fail_at = 1;
		in.fired = 0;
		rc = commit_with_events(&t, "big-x", 3000, 100, n);
		in.mode = -1;
		assert_int_equal(rc, CM_ENOMEM);
		assert_true(cm__store_digest(t.env.store) == before);
		if (in.fired)
			break;
	}
	assert_true(j->poisoned);
	assert_int_equal(try_commit(&t, "seed", 2), CM_EPOISONED);
	th_close(&t.env);
	assert_false(zeros_after(&t, t.size[t.ncommits]));
	assert_true(reopen_digest(&t) == t.digest[t.ncommits]);
	torn_name(tp, sizeof(tp), &t, 1);
	assert_int_equal(access(tp, F_OK), 0);
	write_chunk = 0;
	jt_done(&t);
}

/* The frames of the journal at path (its whole frames, from the header). */
static int frame_count(const char *path)
{
	size_t n, off = 32;
	unsigned char *b = slurp(path, &n);
	int k = 0;

	while (off + 8 <= n && cm__get32(b + off) != 0) {
		off += 8 + cm__get32(b + off);
		k++;
	}
	free(b);
	assert_true(off <= n);
	return k;
}

/* A frame holds at most 4 GiB of records (here 1,500 bytes): a larger
 * transaction fails with CM_ESTORAGE and changes nothing; a compaction of
 * more live records than that writes several frames, which load back.
 * Each write of such a compaction failing in turn: CM_EIO, the journal
 * as it was. */
static void test_frame_limit(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	uint64_t before;
	unsigned char *orig, *now;
	size_t n, nn;
	char tmp[400];
	int i;
	(void)state;

	memset(&in, 0, sizeof(in));
	in.mode = -1;
	io = inject_io(&in);
	io.frame_max = 1500;
	jt_init_io(&t, CM_SYNC_FULL, &io);
	fx_client(&t.env, "seed", NULL, 0, CM_DATE_NONE);
	jt_mark(&t);
	for (i = 0; i < 30; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(try_commit(&t, id, i % 5), CM_OK);
		jt_mark(&t);
	}
	before = cm__store_digest(t.env.store);
	assert_int_equal(commit_with_events(&t, "big", 100, 20, 0), CM_ESTORAGE);
	assert_non_null(strstr(cm_store_errmsg(t.env.store), "limited to 1500 bytes"));
	assert_true(cm__store_digest(t.env.store) == before);
	assert_true(frames_end(t.path) == t.size[t.ncommits]);
	orig = slurp(t.path, &n);
	snprintf(tmp, sizeof(tmp), "%s.compact", t.path);
	for (in.fail_at = 1;; in.fail_at++) {
		in.mode = FAIL_WRITE;
		in.calls = 0;
		in.fired = 0;
		i = cm_store_compact(t.env.store);
		in.mode = -1;
		if (!in.fired)
			break;
		assert_int_equal(i, CM_EIO);
		assert_true(cm__store_digest(t.env.store) == before);
		now = slurp(t.path, &nn);
		assert_int_equal(nn, n);
		assert_memory_equal(now, orig, n);
		free(now);
		assert_int_equal(access(tmp, F_OK), -1);
	}
	free(orig);
	assert_int_equal(i, CM_OK);
	assert_true(in.fail_at >= 4); /* the header, then 3 frames or more */
	assert_true(frame_count(t.path) >= 3);
	assert_true(cm__store_digest(t.env.store) == before);
	assert_int_equal(try_commit(&t, "after", 1), CM_OK);
	before = cm__store_digest(t.env.store);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == before);
	jt_done(&t);
}

/* Under CM_SYNC_NORMAL frames are appended, so that a crash keeps an
 * earlier frame whenever it keeps a later one (see journal.c). A frame
 * written in pieces has its header written last, within the file: its
 * commit syncs it before any later frame is appended. Frames of one piece
 * are not synced. */
static void test_streamed_normal_order(void **state)
{
	struct inject in;
	struct cm__jio io;
	struct jt t;
	long syncs;
	int i;
	(void)state;

	memset(&in, 0, sizeof(in));
	in.mode = -1;
	write_chunk = 256;
	io = inject_io(&in);
	jt_init_io(&t, CM_SYNC_NORMAL, &io);
	assert_int_equal(try_commit(&t, "seed", 0), CM_OK);
	jt_mark(&t);
	for (i = 0; i < 2; i++) {
		char id[32];
		snprintf(id, sizeof(id), "big-%d", i);
		assert_int_equal(commit_with_events(&t, id, 300, 20, 0), CM_OK);
		jt_mark(&t);
		syncs = in.syncs;
		assert_int_equal(try_commit(&t, "seed", i + 1), CM_OK);
		jt_mark(&t);
		assert_int_equal(in.syncs, syncs);
	}
	assert_true(in.within >= 2);
	assert_int_equal(in.unordered, 0);
	th_close(&t.env);
	assert_true(reopen_digest(&t) == t.digest[t.ncommits]);
	jt_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_open_arguments),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_second_open_locked),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test_teardown(test_truncation_tiny_reads, default_chunks),
		cmocka_unit_test_teardown(test_bit_flip_tiny_reads, default_chunks),
		cmocka_unit_test_teardown(test_large_frame, default_chunks),
		cmocka_unit_test(test_injected_failures),
		cmocka_unit_test(test_recovery_failures),
		cmocka_unit_test(test_short_writes),
		cmocka_unit_test(test_short_reads),
		cmocka_unit_test(test_read_failures),
		cmocka_unit_test(test_file_changed),
		cmocka_unit_test(test_later_frame_search),
		cmocka_unit_test_teardown(test_round_trip_small_writes, default_chunks),
		cmocka_unit_test_teardown(test_out_of_memory_small_writes, default_chunks),
		cmocka_unit_test_teardown(test_injected_failures_small_writes, default_chunks),
		cmocka_unit_test_teardown(test_compaction_small_writes, default_chunks),
		cmocka_unit_test_teardown(test_streamed_rollback, default_chunks),
		cmocka_unit_test(test_frame_limit),
		cmocka_unit_test_teardown(test_streamed_normal_order, default_chunks),
		cmocka_unit_test(test_later_frame_search_no_memory),
		cmocka_unit_test(test_later_frame_limit),
		cmocka_unit_test(test_later_frame_random),
		cmocka_unit_test(test_compaction),
		cmocka_unit_test(test_compact_busy),
		cmocka_unit_test(test_compact_concurrent),
		cmocka_unit_test(test_sync_modes),
		cmocka_unit_test(test_space_ahead),
		cmocka_unit_test(test_full_open_syncs_first),
		cmocka_unit_test(test_zero_tail_any_salt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
