/*
 * read_scaling.c - client look-ups from several threads at once, against
 * the same look-ups from one thread, measured in the same run.
 *
 *   read_scaling [N [T]]    N clients (default 100000), 1..T threads
 *                           (default: the number of online CPUs, at least 2)
 *
 * Each thread runs cm_client_get_summary on random ids of a store holding N
 * clients for a fixed number of look-ups; the program prints the total
 * look-ups per second for every thread count from 1 to T and its speedup
 * over one thread. Look-ups only read, so on T free cores the ideal is T
 * times one thread; a lock whose readers all write one cache line gives
 * less than one thread (the line moves between the cores on every call).
 * Wall-clock time: run it on a quiet machine. Every look-up's answer is
 * checked, so the program fails, rather than reports a figure, when one
 * goes wrong; the meson test runs it small for exactly that.
 *
 * Then look-ups during a bulk load: one thread stages a transaction of
 * 5 events per client (cm_event_add) and commits it while another looks
 * clients up, against each of them alone: the look-ups per second and
 * the events staged per second, both ways, and their ratios (1.0: neither
 * slows the other down).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <casemgr.h>

#define THREADS_MAX 64

static cm_store *store;
static char (*ids)[40];
static long nclients, per_thread;

struct worker {
	pthread_t th;
	unsigned long seed;
	long bad;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Look up a random client (the generator's next, from *x); 1 if the
 * answer was wrong. */
static int look_one(unsigned long *x)
{
	cm_client_summary sm;
	long i;

	*x = *x * 6364136223846793005UL + 1442695040888963407UL;
	i = (long)((*x >> 33) % (unsigned long)nclients);
	sm.version = CM_CLIENT_SUMMARY_VERSION;
	/* Client i's risk tier is i % 5 (see load). */
	return cm_client_get_summary(&sm, store, ids[i]) != CM_OK ||
	       sm.risk_tier != i % 5 || strcmp(sm.id, ids[i]) != 0;
}

static void *lookups(void *arg)
{
	struct worker *w = arg;
	unsigned long x = w->seed;
	long k;

	for (k = 0; k < per_thread; k++)
		w->bad += look_one(&x);
	return NULL;
}

/* Look-ups per second with t threads; -1 if one failed. */
static double run(int t)
{
	struct worker w[THREADS_MAX];
	double start;
	long bad = 0;
	int i;

	memset(w, 0, sizeof(w));
	start = now_s();
	for (i = 0; i < t; i++) {
		w[i].seed = 7919UL * (unsigned long)(i + 1);
		if (pthread_create(&w[i].th, NULL, lookups, &w[i]) != 0)
			return -1;
	}
	for (i = 0; i < t; i++) {
		pthread_join(w[i].th, NULL);
		bad += w[i].bad;
	}
	if (bad)
		return -1;
	return (double)t * (double)per_thread / (now_s() - start);
}

/* ---- look-ups during a bulk load -------------------------------------- */

static atomic_int loading;

struct looker {
	pthread_t th;
	long n, bad;
};

/* Look-ups until loading drops to 0. */
static void *look_while(void *arg)
{
	struct looker *w = arg;
	unsigned long x = 104729;

	while (atomic_load_explicit(&loading, memory_order_relaxed)) {
		w->bad += look_one(&x);
		w->n++;
	}
	return NULL;
}

/* Stage n events (round the clients) in one transaction and commit it,
 * with a looking-up thread alongside if w; the seconds staging took, or
 * -1. w->n and w->bad: its look-ups during the staging. */
static double bulk(long n, struct looker *w)
{
	cm_txn *txn;
	double start, staged;
	long i;
	int rc = 0;

	if (w) {
		memset(w, 0, sizeof(*w));
		atomic_store(&loading, 1);
		if (pthread_create(&w->th, NULL, look_while, w) != 0)
			return -1;
	}
	start = now_s();
	if (cm_txn_begin(&txn, store, "bulk") != CM_OK)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (cm_event_add(txn, NULL, 0, ids[i % nclients], CM_EVENT_NOTE,
				 INT64_C(1767225600) + i, CM_CONTACT_PHONE,
				 "Called; the client is managing and will "
				 "come on Tuesday.") != CM_OK)
			rc = -1;
	staged = now_s() - start;
	if (w) {
		atomic_store(&loading, 0);
		pthread_join(w->th, NULL);
	}
	if (rc == 0 && cm_txn_commit(txn) != CM_OK)
		rc = -1;
	else if (rc)
		cm_txn_rollback(txn);
	return rc || (w && w->bad) ? -1 : staged;
}

/* Look-ups alone (one thread, rate `one`), staging alone, then both at
 * once; 0, or 1 if anything failed. */
static int during_load(double one)
{
	long n = nclients * 5;
	struct looker w;
	double alone, both;

	if ((alone = bulk(n, NULL)) < 0 || (both = bulk(n, &w)) < 0) {
		printf("FAILED: the bulk load or a look-up during it went wrong: "
		       "%s\n", cm_store_errmsg(store));
		return 1;
	}
	printf("\nlook-ups during a bulk load (%ld events in one transaction)\n",
	       n);
	printf("%-10s %16s %16s\n", "", "look-ups/s", "events staged/s");
	printf("%-10s %16.0f %16.0f\n", "alone", one, (double)n / alone);
	printf("%-10s %16.0f %16.0f\n", "together", (double)w.n / both,
	       (double)n / both);
	printf("%-10s %15.2fx %15.2fx\n", "ratio", (double)w.n / both / one,
	       alone / both);
	return 0;
}

static int load(void)
{
	cm_txn *txn;
	long i;

	if (cm_store_open(&store, NULL) != CM_OK ||
	    cm_txn_begin(&txn, store, "bench") != CM_OK)
		return -1;
	for (i = 0; i < nclients; i++) {
		cm_client *c;
		if (cm_client_new(&c, store) != CM_OK ||
		    cm_client_set_text(c, CM_CLIENT_FAMILY, "Okafor") != CM_OK ||
		    cm_client_set_text(c, CM_CLIENT_GIVEN, "Ada") != CM_OK ||
		    cm_client_set_int(c, CM_CLIENT_RISK_TIER, i % 5) != CM_OK ||
		    cm_client_save(txn, c) != CM_OK)
			return -1;
		snprintf(ids[i], sizeof(ids[i]), "%s", cm_client_id(c));
		cm_client_free(c);
	}
	return cm_txn_commit(txn) == CM_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int tmax = cpus < 2 ? 2 : cpus > THREADS_MAX ? THREADS_MAX : (int)cpus;
	double one = 0;
	int t;

	nclients = argc > 1 ? atol(argv[1]) : 100000;
	if (argc > 2)
		tmax = atoi(argv[2]);
	if (nclients < 1 || tmax < 1 || tmax > THREADS_MAX) {
		fprintf(stderr, "usage: read_scaling [clients [threads 1..%d]]\n",
			THREADS_MAX);
		return 2;
	}
	per_thread = nclients * 20 < 2000000 ? nclients * 20 : 2000000;
	if (!(ids = malloc((size_t)nclients * sizeof(*ids))) || load()) {
		fprintf(stderr, "read_scaling: load failed: %s\n",
			store ? cm_store_errmsg(store) : "out of memory");
		return 1;
	}
	printf("read scaling: %ld clients, %ld look-ups per thread, %ld CPUs\n",
	       nclients, per_thread, cpus);
	printf("%-8s %16s %8s\n", "threads", "look-ups/s", "speedup");
	for (t = 1; t <= tmax; t++) {
		double r = run(t);
		if (r < 0) {
			printf("FAILED: a look-up with %d threads went wrong\n", t);
			return 1;
		}
		if (t == 1)
			one = r;
		printf("%-8d %16.0f %7.2fx\n", t, r, r / one);
	}
	if (during_load(one))
		return 1;
	cm_store_close(store);
	free(ids);
	return 0;
}
