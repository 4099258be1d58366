/*
 * The threading model: many reader threads run against one store while
 * writers commit. Readers must always see committed, consistent records:
 * the writer keeps a client's family and given names equal, and readers
 * check that on every read. Two writer threads contend for the store's one
 * transaction. Run under ThreadSanitizer and valgrind in CI.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/rwlock.h"
#include "harness.h"

#define NCLIENTS 50
#define WRITES 400
#define READERS 3

static cm_store *store;
static char ids[NCLIENTS][40];
static atomic_int stop;

struct reader_result {
	long reads;
	long bad;
};

static void *reader(void *arg)
{
	struct reader_result *r = arg;
	unsigned seed = (unsigned)(uintptr_t)arg;
	char buf[256];

	/* At least 200 reads each, however the threads are scheduled. */
	while (!atomic_load(&stop) || r->reads < 200) {
		cm_client *c;
		cm_client_iter *it;
		int i = (int)(rand_r(&seed) % NCLIENTS);
		if (cm_client_get(&c, store, ids[i]) != CM_OK) {
			r->bad++;
			continue;
		}
		if (strcmp(cm_client_text(c, CM_CLIENT_FAMILY),
			   cm_client_text(c, CM_CLIENT_GIVEN)) != 0)
			r->bad++;
		cm_client_free(c);
		if (cm_client_find(&c, store, "MRN", ids[i]) != CM_OK)
			r->bad++;
		else
			cm_client_free(c);
		if ((r->reads & 7) == 0) {
			/* Timeline rows while writers add events: a
			 * consistent page, newest first. */
			cm_event_row rows[8];
			size_t n, total, j;
			if (cm_event_timeline_rows(&n, &total, rows, sizeof(rows[0]), 8,
						   store, ids[i], CM_TIME_NONE,
						   CM_TIME_NONE, 1, 0) != CM_OK ||
			    n > total)
				r->bad++;
			for (j = 0; j < n; j++)
				if (rows[j].text_len != strlen(rows[j].text) ||
				    (j > 0 && rows[j].time > rows[j - 1].time))
					r->bad++;
		}
		if ((r->reads & 7) == 4) {
			/* A timeline iterator holds a reference to each
			 * event (changing its count) while other readers
			 * read the same events. */
			cm_event_iter *ti;
			cm_event *e;
			if (cm_event_timeline(&ti, store, ids[i], CM_TIME_NONE,
					      CM_TIME_NONE, 1) != CM_OK) {
				r->bad++;
			} else {
				while (cm_event_iter_next(&e, ti) == CM_OK)
					cm_event_free(e);
				cm_event_iter_free(ti);
			}
		}
		if ((r->reads & 63) == 0) {
			if (cm_client_list(&it, store, 0, NULL, "v") != CM_OK)
				r->bad++;
			else
				cm_client_iter_free(it);
			cm_store_errmsg_copy(store, buf, sizeof(buf));
		}
		r->reads++;
	}
	return NULL;
}

struct writer_arg {
	int id;
	int commits;
	int conflicts;
};

static void *writer(void *p)
{
	struct writer_arg *w = p;
	int n;

	for (n = 0; n < WRITES; n++) {
		cm_client *c;
		cm_txn *t;
		char v[32];
		int rc;
		snprintf(v, sizeof(v), "v%d-%d", w->id, n);
		/* Read, change, save: conflicts are possible between writers
		 * only if a read happens outside the transaction; here the
		 * read is inside it, so none are expected. */
		assert_int_equal(cm_txn_begin(&t, store, w->id ? "w1" : "w0"), CM_OK);
		assert_int_equal(cm_client_get(&c, store, ids[n % NCLIENTS]), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, v), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, v), CM_OK);
		rc = cm_client_save(t, c);
		if (rc == CM_OK && n % 4 == 0) {
			/* An event in the same commit, for the timeline
			 * readers. */
			cm_event *e;
			assert_int_equal(cm_event_new(&e, store, ids[n % NCLIENTS],
						      CM_EVENT_NOTE,
						      INT64_C(1795424400) + n), CM_OK);
			assert_int_equal(cm_event_set_text(e, CM_EVENT_TEXT, v), CM_OK);
			assert_int_equal(cm_event_save(t, e), CM_OK);
			cm_event_free(e);
		}
		if (rc == CM_ECONFLICT) {
			w->conflicts++;
			cm_txn_rollback(t);
		} else {
			assert_int_equal(rc, CM_OK);
			assert_int_equal(cm_txn_commit(t), CM_OK);
			w->commits++;
		}
		cm_client_free(c);
	}
	return NULL;
}

static void test_readers_and_writers(void **state)
{
	pthread_t rt[READERS], wt[2];
	struct reader_result rr[READERS];
	struct writer_arg wa[2] = { { 0, 0, 0 }, { 1, 0, 0 } };
	cm_audit_iter *ai;
	cm_txn *t;
	long audit = 0;
	int i;
	(void)state;

	assert_int_equal(cm_store_open(&store, NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&t, store, "setup"), CM_OK);
	for (i = 0; i < NCLIENTS; i++) {
		cm_client *c;
		assert_int_equal(cm_client_new(&c, store), CM_OK);
		strcpy(ids[i], cm_client_id(c));
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "v"), CM_OK);
		assert_int_equal(cm_client_set_text(c, CM_CLIENT_GIVEN, "v"), CM_OK);
		assert_int_equal(cm_client_set_identifier(c, "MRN", ids[i]), CM_OK);
		assert_int_equal(cm_client_save(t, c), CM_OK);
		cm_client_free(c);
	}
	assert_int_equal(cm_txn_commit(t), CM_OK);

	atomic_store(&stop, 0);
	memset(rr, 0, sizeof(rr));
	for (i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, reader, &rr[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&wt[i], NULL, writer, &wa[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(wt[i], NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < READERS; i++) {
		pthread_join(rt[i], NULL);
		assert_int_equal(rr[i].bad, 0);
		assert_true(rr[i].reads >= 200);
	}
	assert_int_equal(wa[0].conflicts + wa[1].conflicts, 0);
	assert_int_equal(wa[0].commits + wa[1].commits, 2 * WRITES);

	/* Every commit is in the audit trail, with revisions in order. */
	assert_int_equal(cm_audit_query(&ai, store, NULL, NULL, CM_TIME_NONE,
					CM_TIME_NONE), CM_OK);
	while (cm_audit_iter_next(ai) == CM_OK)
		audit++;
	cm_audit_iter_free(ai);
	/* One entry per client and per event saved (every fourth write). */
	assert_int_equal(audit, NCLIENTS + 2 * WRITES + 2 * (WRITES / 4));
	cm_store_close(store);
}

/* ---- listing a client's services while another thread adds some ------- */

#define LIST_ADDS 300

static void *service_adder(void *arg)
{
	const char *client = arg;
	int i;

	for (i = 0; i < LIST_ADDS; i++) {
		cm_txn *t;
		cm_service *sv;
		if (cm_txn_begin(&t, store, "adder") != CM_OK)
			return (void *)1;
		if (cm_service_new(&sv, store, client, "home-health") != CM_OK ||
		    cm_service_save(t, sv) != CM_OK || cm_txn_commit(t) != CM_OK)
			return (void *)1;
		cm_service_free(sv);
	}
	atomic_store(&stop, 1);
	return NULL;
}

/* An iterator lists exactly the services it counted (each a handle),
 * however many commit while it is being made. Under TSan this also checks
 * that the count is read under the lock. */
static void test_list_while_adding(void **state)
{
	pthread_t th;
	cm_txn *t;
	cm_client *c;
	char client[40];
	void *res;
	long lists = 0;

	(void)state;
	assert_int_equal(cm_store_open(&store, NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&t, store, "setup"), CM_OK);
	assert_int_equal(cm_client_new(&c, store), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "List"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	snprintf(client, sizeof(client), "%s", cm_client_id(c));
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	atomic_store(&stop, 0);
	assert_int_equal(pthread_create(&th, NULL, service_adder, client), 0);
	while (!atomic_load(&stop) || lists < 50) {
		cm_service_iter *it;
		cm_service *sv;
		size_t n = 0;
		assert_int_equal(cm_service_list(&it, store, client), CM_OK);
		while (cm_service_iter_next(&sv, it) == CM_OK) {
			assert_string_equal(cm_service_client_id(sv), client);
			cm_service_free(sv);
			n++;
		}
		assert_int_equal(n, cm_service_iter_count(it));
		cm_service_iter_free(it);
		lists++;
	}
	pthread_join(th, &res);
	assert_null(res);
	cm_store_close(store);
}

/* Open `store` and begin a transaction that saves a new client (family
 * name `family`); its id into id (40 bytes). The open transaction. */
static cm_txn *open_with_client(char *id, const char *family)
{
	cm_txn *t;
	cm_client *c;

	assert_int_equal(cm_store_open(&store, NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&t, store, "setup"), CM_OK);
	assert_int_equal(cm_client_new(&c, store), CM_OK);
	snprintf(id, 40, "%s", cm_client_id(c));
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, family), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	return t;
}

/* ---- look-ups while a transaction stages new records ------------------ */

/* Enough events that the event id map grows several times while readers
 * probe it: a staged record is put into the map without the write lock
 * (only growing the map takes it). */
#define STAGE_EVENTS 6000
#define STAGE_KNOWN 64

static char stage_client[40];
static char known[STAGE_KNOWN][CM_ID_BUFSIZE];
static char (*staged_ids)[CM_ID_BUFSIZE];
static atomic_int staged_n;
static atomic_int committing; /* set just before the staging commit */

static void *stage_reader(void *arg)
{
	long *bad = arg, reads = 0;
	char fake[40];

	while (!atomic_load(&stop) || reads < 200) {
		int n = atomic_load(&staged_n);
		cm_event *e;
		/* A committed event is always found... */
		if (cm_event_get(&e, store, known[reads % STAGE_KNOWN]) != CM_OK)
			(*bad)++;
		else if (strcmp(cm_event_id(e), known[reads % STAGE_KNOWN]))
			(*bad)++;
		else
			cm_event_free(e);
		/* ...and a staged one never, while its commit has not
		 * begun even after the look-up returned. */
		if (n) {
			int rc = cm_event_get(&e, store, staged_ids[reads % n]);
			if (rc == CM_OK)
				cm_event_free(e);
			if (!atomic_load(&committing) && rc != CM_ENOTFOUND)
				(*bad)++;
		}
		/* An id no event has, probing anywhere in the map, where
		 * the stager is putting entries. */
		snprintf(fake, sizeof(fake), "no-such-event-%ld", reads);
		if (cm_event_get(&e, store, fake) != CM_ENOTFOUND)
			(*bad)++;
		reads++;
	}
	return NULL;
}

static void test_lookups_while_staging(void **state)
{
	pthread_t rt[2];
	long bad[2] = { 0, 0 };
	cm_txn *t;
	cm_event *e;
	int i;

	(void)state;
	staged_ids = calloc(STAGE_EVENTS, sizeof(*staged_ids));
	assert_non_null(staged_ids);
	atomic_store(&staged_n, 0);
	atomic_store(&committing, 0);
	t = open_with_client(stage_client, "Stage");
	for (i = 0; i < STAGE_KNOWN; i++)
		assert_int_equal(cm_event_add(t, known[i], sizeof(known[i]),
					      stage_client, CM_EVENT_NOTE,
					      INT64_C(1795424400) + i,
					      CM_CONTACT_NONE, "known"), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	atomic_store(&stop, 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, stage_reader,
						&bad[i]), 0);
	assert_int_equal(cm_txn_begin(&t, store, "stager"), CM_OK);
	for (i = 0; i < STAGE_EVENTS; i++) {
		assert_int_equal(cm_event_add(t, staged_ids[i],
					      sizeof(staged_ids[i]), stage_client,
					      CM_EVENT_NOTE,
					      INT64_C(1795500000) + i,
					      CM_CONTACT_NONE, "staged"), CM_OK);
		atomic_store(&staged_n, i + 1);
	}
	atomic_store(&committing, 1);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	atomic_store(&stop, 1);
	for (i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		assert_int_equal(bad[i], 0);
	}
	/* Every staged event is found after the commit. */
	for (i = 0; i < STAGE_EVENTS; i++) {
		assert_int_equal(cm_event_get(&e, store, staged_ids[i]), CM_OK);
		assert_string_equal(cm_event_id(e), staged_ids[i]);
		cm_event_free(e);
	}
	cm_store_close(store);
	free(staged_ids);
}

/* ---- look-ups of ids made before they are staged ------------------------ */

/* The readers know every id before it is staged (the events are made
 * first), so nothing but the id map's own entry orders a look-up after the
 * put it finds: a put without release order, or a look-up without acquire
 * order, leaves the reader's reads of the slot racing with its making
 * (TSan). Three rounds: ids A staged and committed, B staged and rolled
 * back (their slots freed; three times over), C staged (into B's freed
 * slots) and committed.
 * The map last grows at A's 6,144th put (and A's slots take the slab
 * directory past its first 8 blocks, swapped under the write lock); no
 * write lock orders A's later puts, nor B's and C's, with the readers. */
#define SEEN_A 10000
#define SEEN_B 2000
#define SEEN_C 2000
#define SEEN_B_ROUNDS 3
#define SEEN_ALL (SEEN_A + SEEN_B + SEEN_C)

enum seen_phase {
	SEEN_STAGE_A,
	SEEN_COMMIT_A, /* A's commit has begun */
	SEEN_STAGE_B,  /* A committed */
	SEEN_STAGE_C,  /* B rolled back */
	SEEN_COMMIT_C, /* C's commit has begun */
	SEEN_DONE      /* C committed */
};

static char (*seen_ids)[CM_ID_BUFSIZE];
static atomic_int seen_phase;

static void *seen_reader(void *arg)
{
	long *bad = arg, reads = 0;
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (atomic_load(&seen_phase) != SEEN_DONE || reads < 2000) {
		int p0 = atomic_load(&seen_phase), p1, rc, i;
		cm_event *e;
		/* Every other look-up among the ids of the round under way
		 * (B's while B is staged), the others among them all. */
		i = (int)(rand_r(&seed) % SEEN_ALL);
		if (reads & 1 && p0 == SEEN_STAGE_B)
			i = SEEN_A + i % SEEN_B;
		else if (reads & 1 && p0 >= SEEN_STAGE_C)
			i = SEEN_A + SEEN_B + i % SEEN_C;
		else if (reads & 1)
			i %= SEEN_A;
		rc = cm_event_get(&e, store, seen_ids[i]);
		p1 = atomic_load(&seen_phase);
		if (rc == CM_OK) {
			if (strcmp(cm_event_id(e), seen_ids[i]))
				(*bad)++;
			cm_event_free(e);
		} else if (rc != CM_ENOTFOUND) {
			(*bad)++;
		}
		if (i < SEEN_A) {
			/* Absent until its commit begins, there once done. */
			if ((p1 < SEEN_COMMIT_A && rc != CM_ENOTFOUND) ||
			    (p0 >= SEEN_STAGE_B && rc != CM_OK))
				(*bad)++;
		} else if (i < SEEN_A + SEEN_B) {
			if (rc != CM_ENOTFOUND) /* never committed */
				(*bad)++;
		} else if ((p1 < SEEN_COMMIT_C && rc != CM_ENOTFOUND) ||
			   (p0 >= SEEN_DONE && rc != CM_OK)) {
			(*bad)++;
		}
		reads++;
	}
	return NULL;
}

/* Stage events [from, to) of evs, each under the id made with it. */
static void seen_stage(cm_txn *t, cm_event **evs, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		assert_int_equal(cm_event_save(t, evs[i]), CM_OK);
}

static void test_lookups_of_ids_being_staged(void **state)
{
	pthread_t rt[2];
	long bad[2] = { 0, 0 };
	cm_event **evs;
	cm_client *c;
	cm_txn *t;
	char client[40];
	int i;

	(void)state;
	seen_ids = calloc(SEEN_ALL, sizeof(*seen_ids));
	evs = calloc(SEEN_ALL, sizeof(*evs));
	assert_non_null(seen_ids);
	assert_non_null(evs);
	assert_int_equal(cm_store_open(&store, NULL), CM_OK);
	assert_int_equal(cm_txn_begin(&t, store, "setup"), CM_OK);
	assert_int_equal(cm_client_new(&c, store), CM_OK);
	snprintf(client, sizeof(client), "%s", cm_client_id(c));
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, "Seen"), CM_OK);
	assert_int_equal(cm_client_save(t, c), CM_OK);
	cm_client_free(c);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	for (i = 0; i < SEEN_ALL; i++) {
		assert_int_equal(cm_event_new(&evs[i], store, client, CM_EVENT_NOTE,
					      INT64_C(1795424400) + i), CM_OK);
		snprintf(seen_ids[i], sizeof(seen_ids[i]), "%s",
			 cm_event_id(evs[i]));
	}

	atomic_store(&seen_phase, SEEN_STAGE_A);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, seen_reader,
						&bad[i]), 0);
	assert_int_equal(cm_txn_begin(&t, store, "A"), CM_OK);
	seen_stage(t, evs, 0, SEEN_A);
	atomic_store(&seen_phase, SEEN_COMMIT_A);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	atomic_store(&seen_phase, SEEN_STAGE_B);
	for (i = 0; i < SEEN_B_ROUNDS; i++) {
		/* (The same events each time: a rolled-back save can be
		 * saved again.) */
		assert_int_equal(cm_txn_begin(&t, store, "B"), CM_OK);
		seen_stage(t, evs, SEEN_A, SEEN_A + SEEN_B);
		cm_txn_rollback(t);
	}
	atomic_store(&seen_phase, SEEN_STAGE_C);
	assert_int_equal(cm_txn_begin(&t, store, "C"), CM_OK);
	seen_stage(t, evs, SEEN_A + SEEN_B, SEEN_ALL);
	atomic_store(&seen_phase, SEEN_COMMIT_C);
	assert_int_equal(cm_txn_commit(t), CM_OK);
	atomic_store(&seen_phase, SEEN_DONE);
	for (i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		assert_int_equal(bad[i], 0);
	}
	for (i = 0; i < SEEN_ALL; i++) {
		cm_event *e;
		int in_b = i >= SEEN_A && i < SEEN_A + SEEN_B;
		assert_int_equal(cm_event_get(&e, store, seen_ids[i]),
				 in_b ? CM_ENOTFOUND : CM_OK);
		if (!in_b)
			cm_event_free(e);
		cm_event_free(evs[i]);
	}
	cm_store_close(store);
	free(evs);
	free(seen_ids);
}

/* ---- ids made on several threads at once ------------------------------ */

#define ID_THREADS 4
#define IDS_EACH 3000

static char (*made)[CM_ID_BUFSIZE];

static void *id_maker(void *arg)
{
	char(*mine)[CM_ID_BUFSIZE] = made + (size_t)(uintptr_t)arg * IDS_EACH;
	int i;

	for (i = 0; i < IDS_EACH; i++) {
		cm_client *c;
		if (cm_client_new(&c, store) != CM_OK)
			return (void *)1;
		snprintf(mine[i], sizeof(mine[i]), "%s", cm_client_id(c));
		cm_client_free(c);
	}
	return NULL;
}

static int idcmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The id generator takes no lock: ids made at once on several threads
 * are all distinct, and each thread's sort in the order it made them.
 * Distinct in their first 18 characters too (milliseconds, version and
 * counter): each id takes its own step of the id clock. The random bits
 * alone would keep ids distinct if two threads took the same step, which
 * a clock advanced by a load and a store instead of a compare-and-swap
 * does. */
static void test_ids_on_many_threads(void **state)
{
	pthread_t th[ID_THREADS];
	void *res[ID_THREADS];
	size_t i, k;

	(void)state;
	made = calloc((size_t)ID_THREADS * IDS_EACH, sizeof(*made));
	assert_non_null(made);
	assert_int_equal(cm_store_open(&store, NULL), CM_OK);
	for (i = 0; i < ID_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, id_maker,
						(void *)(uintptr_t)i), 0);
	/* Every thread joined before any check, so that a failed one
	 * leaves no thread running. */
	for (i = 0; i < ID_THREADS; i++)
		pthread_join(th[i], &res[i]);
	for (i = 0; i < ID_THREADS; i++) {
		assert_null(res[i]);
		for (k = 1; k < IDS_EACH; k++)
			assert_true(strcmp(made[i * IDS_EACH + k - 1],
					   made[i * IDS_EACH + k]) < 0);
	}
	qsort(made, (size_t)ID_THREADS * IDS_EACH, sizeof(*made), idcmp);
	/* (Sorted, ids with the same first 18 characters are adjacent.) */
	for (i = 1; i < (size_t)ID_THREADS * IDS_EACH; i++)
		assert_true(strncmp(made[i - 1], made[i], 18) < 0);
	cm_store_close(store);
	free(made);
}

/* ---- audit queries over a long trail while commits go on -------------- */

/* More entries than an audit query reads between two turns of the lock
 * (65,536), so that commits land while a query is under way. */
#define TRAIL_EVENTS 70000
#define TRAIL_UPDATES 60

static char trail_client[40];
static atomic_int trail_done;

/* The updates; 0, or 1 if one failed. */
static int trail_updates(void)
{
	int i;

	for (i = 0; i < TRAIL_UPDATES; i++) {
		cm_txn *t;
		cm_client *c;
		char v[16];
		snprintf(v, sizeof(v), "v%d", i);
		if (cm_txn_begin(&t, store, "updater") != CM_OK)
			return 1;
		if (cm_client_get(&c, store, trail_client) != CM_OK ||
		    cm_client_set_text(c, CM_CLIENT_GIVEN, v) != CM_OK ||
		    cm_client_save(t, c) != CM_OK || cm_txn_commit(t) != CM_OK)
			return 1;
		cm_client_free(c);
	}
	return 0;
}

static void *trail_writer(void *arg)
{
	int bad = trail_updates();

	(void)arg;
	atomic_store(&trail_done, 1);
	return bad ? (void *)1 : NULL;
}

/* The client's revisions, as a query lists them: 1, 2, ... in order,
 * none missing (a query sees the trail as it was when it began). */
static int64_t check_client_trail(void)
{
	cm_audit_iter *it;
	int64_t rev = 0;

	assert_int_equal(cm_audit_query(&it, store, trail_client, NULL,
					CM_TIME_NONE, CM_TIME_NONE), CM_OK);
	while (cm_audit_iter_next(it) == CM_OK)
		assert_int_equal(cm_audit_iter_revision(it), ++rev);
	cm_audit_iter_free(it);
	return rev;
}

static void test_audit_while_committing(void **state)
{
	pthread_t th;
	cm_txn *t;
	void *res;
	int64_t last = 0, rev;
	size_t prev_all = 0;
	int i, done = 0;

	(void)state;
	atomic_store(&trail_done, 0);
	t = open_with_client(trail_client, "Trail");
	for (i = 0; i < TRAIL_EVENTS; i++)
		assert_int_equal(cm_event_add(t, NULL, 0, trail_client,
					      CM_EVENT_NOTE,
					      INT64_C(1795424400) + i,
					      CM_CONTACT_NONE, NULL), CM_OK);
	assert_int_equal(cm_txn_commit(t), CM_OK);

	assert_int_equal(pthread_create(&th, NULL, trail_writer, NULL), 0);
	while (!done) {
		cm_audit_iter *it;
		size_t n = 0;
		/* Read the writer's progress first: once it has ended, this
		 * round sees all of it. */
		done = atomic_load(&trail_done);
		rev = check_client_trail();
		assert_true(rev >= last);
		last = rev;
		/* The whole trail: the events' entries, then the client's
		 * revisions in commit order; never fewer than last time. */
		assert_int_equal(cm_audit_query(&it, store, NULL, NULL,
						CM_TIME_NONE, CM_TIME_NONE), CM_OK);
		while (cm_audit_iter_next(it) == CM_OK) {
			n++;
			if (n > 1 && n <= TRAIL_EVENTS + 1)
				assert_int_equal(cm_audit_iter_kind(it),
						 CM_KIND_EVENT);
		}
		assert_true(n >= prev_all && n >= TRAIL_EVENTS + 1);
		prev_all = n;
		cm_audit_iter_free(it);
	}
	pthread_join(th, &res);
	assert_null(res);
	assert_int_equal(check_client_trail(), 1 + TRAIL_UPDATES);
	assert_int_equal(prev_all, TRAIL_EVENTS + 1 + TRAIL_UPDATES);
	cm_store_close(store);
}

/* ---- the store's lock itself ------------------------------------------ */

/* More threads than the lock has reader slots, so slots are shared. */
#define LOCK_READERS (CM__RW_SLOTS + 4)
#define LOCK_WRITES 2000

static struct cm__rwlock rw;
/* Written only under the write lock, always as a pair summing to 0. Plain
 * (not atomic) on purpose: the lock alone orders them, which TSan checks. */
static long pair_a, pair_b;
static long in_write;
static atomic_int lock_stop;

static void *lock_reader(void *arg)
{
	long *bad = arg, reads = 0;

	while (!atomic_load(&lock_stop) || reads < 100) {
		long a;
		volatile int spin;
		cm__rw_rdlock(&rw);
		a = pair_a;
		/* A window for a writer the lock failed to hold off. */
		for (spin = 0; spin < 100; spin++)
			;
		if (a + pair_b != 0 || in_write)
			(*bad)++;
		cm__rw_rdunlock(&rw);
		reads++;
	}
	return NULL;
}

static void *lock_writer(void *arg)
{
	long i, *bad = arg;

	for (i = 0; i < LOCK_WRITES; i++) {
		cm__rw_wrlock(&rw);
		if (in_write)
			(*bad)++; /* two writers at once */
		in_write = 1;
		pair_a++;
		pair_b--;
		in_write = 0;
		cm__rw_wrunlock(&rw);
	}
	return NULL;
}

static void test_lock_excludes(void **state)
{
	pthread_t rt[LOCK_READERS], wt[2];
	long rbad[LOCK_READERS] = { 0 }, wbad[2] = { 0 };
	int i;

	(void)state;
	assert_int_equal(cm__rw_init(&rw), 0);
	atomic_store(&lock_stop, 0);
	for (i = 0; i < LOCK_READERS; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, lock_reader, &rbad[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&wt[i], NULL, lock_writer, &wbad[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(wt[i], NULL);
	atomic_store(&lock_stop, 1);
	for (i = 0; i < LOCK_READERS; i++) {
		pthread_join(rt[i], NULL);
		assert_int_equal(rbad[i], 0);
	}
	assert_int_equal(wbad[0] + wbad[1], 0);
	assert_int_equal(pair_a, 2 * LOCK_WRITES);
	assert_int_equal(pair_b, -2 * LOCK_WRITES);
	/* Every reader left: a writer gets the lock at once. */
	cm__rw_wrlock(&rw);
	for (i = 0; i < CM__RW_SLOTS; i++)
		assert_int_equal(atomic_load(&rw.slot[i].readers), 0);
	cm__rw_wrunlock(&rw);
	cm__rw_destroy(&rw);
}

/* A writer waiting for a long read sleeps instead of spinning: a reader
 * holds the lock for 300 ms; the writer's own CPU time while it waits
 * stays far below that (CPU time, not wall time: a slow machine only
 * makes the wait longer). */
static atomic_int slow_holding;

static void *slow_reader(void *arg)
{
	(void)arg;
	cm__rw_rdlock(&rw);
	atomic_store(&slow_holding, 1);
	usleep(300000);
	cm__rw_rdunlock(&rw);
	return NULL;
}

static double thread_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_writer_sleeps_while_waiting(void **state)
{
	pthread_t th;
	double cpu;

	(void)state;
	assert_int_equal(cm__rw_init(&rw), 0);
	atomic_store(&slow_holding, 0);
	assert_int_equal(pthread_create(&th, NULL, slow_reader, NULL), 0);
	while (!atomic_load(&slow_holding))
		usleep(1000);
	cpu = thread_cpu();
	cm__rw_wrlock(&rw);
	cm__rw_wrunlock(&rw);
	cpu = thread_cpu() - cpu;
	pthread_join(th, NULL);
	cm__rw_destroy(&rw);
	assert_true(cpu < 0.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_and_writers),
		cmocka_unit_test(test_list_while_adding),
		cmocka_unit_test(test_lookups_while_staging),
		cmocka_unit_test(test_lookups_of_ids_being_staged),
		cmocka_unit_test(test_ids_on_many_threads),
		cmocka_unit_test(test_audit_while_committing),
		cmocka_unit_test(test_lock_excludes),
		cmocka_unit_test(test_writer_sleeps_while_waiting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
