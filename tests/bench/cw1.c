/*
 * cw1 - the caseload workload (CW-1, /work/shared/bench/caseload-workload.md)
 * run through casemgr's in-memory store and through SQLite in memory, in one
 * run, each system in its own child process.
 *
 *   build/tests/bench/cw1 --clients 100000
 *
 * For every phase it prints both throughputs (operations per second), their
 * ratio (casemgr / SQLite) and both checksums, which must agree (the run
 * fails otherwise), then each system's peak memory (max RSS of its child).
 * Phases are timed in CPU time (user + system) of the child, not wall-clock
 * time, so that other load on a shared machine does not count. With
 * --runs N both systems run N times, alternately, and the table gives each
 * phase's median throughputs, the median of the N ratios and their range
 * (these machines vary 5-45% between runs: the median of alternated runs
 * is the figure to quote).
 *
 * Data are generated deterministically from the seed (splitmix64): every
 * client's data come from a generator seeded by (seed, client index), so
 * both systems see identical data without either holding a copy of all of
 * it. Generation happens in chunks with the phase clock stopped.
 *
 * The casemgr side uses only the public API, as an EHR vendor would.
 * SQLite is a benchmark dependency only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "casemgr.h"
#include "casemgr/assessment.h"
#include "casemgr/client.h"
#include "casemgr/event.h"
#include "casemgr/plan.h"
#include "casemgr/query.h"
#include "casemgr/service.h"

/* ---- parameters -------------------------------------------------------- */

struct params {
	long clients;
	uint64_t seed;
	long lookups;       /* phases 2 and 3 */
	long min_worklists; /* phase 4 repeats until at least this many */
	long contacts;      /* phase 5 */
	long timelines;     /* phase 6 */
	const char *only;   /* run one system only (debugging, profiling) */
	long load_batch;    /* casemgr: commit every N clients (0: one txn) */
	long handles;       /* casemgr: handles, not summaries and rows */
	long runs;          /* alternated runs of both systems (medians) */
	long managers;      /* case managers (0: one per 50 clients) */
};

#define RUNS_MAX 15

static struct params P = { 100000, 42, 1000000, 20000, 200000, 10000, NULL, 0, 0,
			   1, 0 };

#define NCATALOG 500
#define NEVENTS 10
#define CHUNK 8192
/* Timeline rows per call (a client with more is read a page at a time). */
#define TL_PAGE 64

enum { PH_LOAD, PH_BYID, PH_BYMRN, PH_WORKLIST, PH_CONTACT, PH_TIMELINE, NPH };
/* The number of case managers: client i belongs to manager i % M. */
static long managers(void)
{
	if (P.managers)
		return P.managers;
	return P.clients / 50 ? P.clients / 50 : 1;
}

static const char *const phase_name[NPH] = {
	"load", "get-by-id", "get-by-mrn", "worklist", "record-contact", "timeline"
};

struct result {
	double secs[NPH];
	long ops[NPH];
	uint64_t sum[NPH];
	int failed;
	char msg[256];
};

/* ---- deterministic data ------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t x = a * UINT64_C(0x100000001B3) ^ b;
	return splitmix(&x);
}

static uint32_t below(uint64_t *r, uint32_t n)
{
	return (uint32_t)(splitmix(r) % n);
}

/* The checksum of what a phase reads: every byte counts, in order, a word
 * at a time with independent multiplies (they overlap in the pipeline),
 * so that it costs the two systems the same few cycles and the phases
 * measure the stores, not the hash. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	static const uint64_t K[4] = {
		UINT64_C(0x9E3779B97F4A7C15), UINT64_C(0xBF58476D1CE4E5B9),
		UINT64_C(0x94D049BB133111EB), UINT64_C(0xD6E8FEB86659FD93)
	};
	const unsigned char *b = p;
	uint64_t w, v = (uint64_t)n * K[3];
	size_t i;

	for (i = 0; n >= 8; b += 8, n -= 8, i++) {
		memcpy(&w, b, 8);
		v += (w ^ K[i & 3]) * K[(i + 1) & 3];
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		v += (w ^ K[i & 3]) * K[(i + 1) & 3];
	}
	return (h << 17 | h >> 47) ^ v ^ (v >> 29);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	return hash_bytes(h, s, strlen(s));
}

static uint64_t hash_i64(uint64_t h, int64_t v)
{
	return hash_bytes(h, &v, sizeof(v));
}

static int32_t D0; /* the "today" of the workload: 2026-01-05 */

static void uuid_of(char out[37], long i)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = mix(P.seed ^ UINT64_C(0x5555), (uint64_t)i);
	uint64_t b = mix(P.seed ^ UINT64_C(0xAAAA), (uint64_t)i);
	unsigned char v[16];
	int k, o = 0;

	for (k = 0; k < 8; k++) {
		v[k] = (unsigned char)(a >> (8 * k));
		v[8 + k] = (unsigned char)(b >> (8 * k));
	}
	v[6] = (unsigned char)((v[6] & 0x0f) | 0x40);
	v[8] = (unsigned char)((v[8] & 0x3f) | 0x80);
	for (k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			out[o++] = '-';
		out[o++] = hex[v[k] >> 4];
		out[o++] = hex[v[k] & 15];
	}
	out[o] = 0;
}

static void mrn_of(char out[13], long i)
{
	/* A bijection of 0..1e9-1: 3^18 is prime to 10^9. */
	uint64_t m = ((uint64_t)i * UINT64_C(387420489) + 12345) % 1000000000u;
	snprintf(out, 13, "MRN%09u", (unsigned)m);
}

static void manager_of(char out[16], long m)
{
	snprintf(out, 16, "cm-%06d", (int)(m % 1000000));
}

static const char *const words[16] = {
	"care", "plan", "visit", "home", "client", "follow", "call", "review",
	"nurse", "meds", "needs", "team", "goal", "safety", "support", "notes"
};

/* ~len characters of words. */
static void text_of(char *out, size_t len, uint64_t *r)
{
	size_t n = 0;
	while (n < len) {
		const char *w = words[below(r, 16)];
		size_t wl = strlen(w);
		if (n)
			out[n++] = ' ';
		memcpy(out + n, w, wl);
		n += wl;
	}
	out[n] = 0;
}

static void name_of(char *out, uint64_t *r)
{
	static const char cons[] = "bcdfghjklmnprstvwz", vow[] = "aeiou";
	int n = 6 + (int)below(r, 5), k;
	for (k = 0; k < n; k++)
		out[k] = (k & 1) ? vow[below(r, 5)] : cons[below(r, 18)];
	out[0] = (char)(out[0] - 'a' + 'A');
	out[n] = 0;
}

struct gevent {
	int32_t type;
	int64_t time;
	char note[80];
};

struct gclient {
	char id[37], mrn[13], family[16], given[16], manager[16];
	int32_t birth, risk, active, next_fu;
	int32_t scores[8], total;
	int64_t assessed;
	char goal[3][64];
	int32_t goal_target[3], goal_active[3];
	int32_t svc[2], svc_requested[2];
	int64_t svc_cost[2];
	struct gevent ev[NEVENTS];
};

/* The first draws of client i: names, birth, risk, status. */
static uint64_t gen_head(struct gclient *c, long i)
{
	uint64_t r = mix(P.seed, (uint64_t)i + 1);

	name_of(c->family, &r);
	name_of(c->given, &r);
	c->birth = D0 - 6570 - (int32_t)below(&r, 25000);
	c->risk = 1 + (int32_t)below(&r, 4);
	c->active = below(&r, 10) != 0;
	return r;
}

static void gen_client(struct gclient *c, long i)
{
	uint64_t r = gen_head(c, i);
	int k, j;

	uuid_of(c->id, i);
	mrn_of(c->mrn, i);
	manager_of(c->manager, i % managers());
	c->next_fu = D0 + 1 + (int32_t)below(&r, 60);
	c->total = 0;
	for (k = 0; k < 8; k++) {
		c->scores[k] = (int32_t)below(&r, 5);
		c->total += c->scores[k];
	}
	c->assessed = (int64_t)D0 * 86400 - below(&r, 365 * 86400);
	for (k = 0; k < 3; k++) {
		text_of(c->goal[k], 36, &r);
		c->goal_target[k] = D0 + 30 + (int32_t)below(&r, 335);
		c->goal_active[k] = (int32_t)below(&r, 2);
	}
	for (k = 0; k < 2; k++) {
		c->svc[k] = (int32_t)below(&r, NCATALOG);
		c->svc_requested[k] = (int32_t)below(&r, 2);
		c->svc_cost[k] = 1000 + below(&r, 500000);
	}
	for (k = 0; k < NEVENTS; k++) {
		struct gevent *e = &c->ev[k];
	again:
		e->time = (int64_t)D0 * 86400 - 1 - below(&r, 365 * 86400);
		for (j = 0; j < k; j++)
			if (c->ev[j].time == e->time)
				goto again;
		e->type = 1 + (int32_t)below(&r, 8);
		text_of(e->note, 56, &r);
	}
}

struct gsvc {
	char name[40], category[24];
	int32_t in_network;
};

static void gen_catalog(struct gsvc *c, int i)
{
	uint64_t r = mix(P.seed ^ 0xCA7A, (uint64_t)i);
	static const char *const cats[8] = {
		"home health", "transportation", "food assistance", "housing",
		"behavioral health", "primary care", "equipment", "pharmacy"
	};
	char w[32];
	text_of(w, 18, &r);
	w[24] = 0;
	snprintf(c->name, sizeof(c->name), "%s %03d", w, i % 1000);
	snprintf(c->category, sizeof(c->category), "%s", cats[below(&r, 8)]);
	c->in_network = below(&r, 4) != 0;
}

/* Operation lists. */
static long *gen_indexes(uint64_t salt, long n, int active_only)
{
	long *v = malloc((size_t)n * sizeof(*v));
	uint64_t r = mix(P.seed, salt);
	long k;

	if (!v)
		abort();
	for (k = 0; k < n; k++) {
		long i;
		for (;;) {
			struct gclient tmp;
			i = (long)(splitmix(&r) % (uint64_t)P.clients);
			if (!active_only)
				break;
			(void)gen_head(&tmp, i);
			if (tmp.active)
				break;
		}
		v[k] = i;
	}
	return v;
}

/* ---- timing ------------------------------------------------------------ */

/* CPU time of this (single-threaded) process, user and system: the
 * machines this runs on are shared and often overloaded, and wall-clock
 * time would then measure the other tenants. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define FAIL(res, ...)                                                   \
	do {                                                             \
		snprintf((res)->msg, sizeof((res)->msg), __VA_ARGS__);   \
		(res)->failed = 1;                                       \
		return;                                                  \
	} while (0)

/* ---- casemgr ----------------------------------------------------------- */

#define CK(res, s, call)                                                       \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_ != CM_OK)                                              \
			FAIL(res, "%s:%d %s: %s (%s)", __FILE__, __LINE__, #call, \
			     cm_error_name(rc_), cm_store_errmsg(s));           \
	} while (0)

static void cm_load_client(struct result *res, cm_store *s, cm_txn *txn,
			   const struct gclient *g, char (*prov)[40])
{
	cm_client *c = NULL;
	cm_assessment *a = NULL;
	cm_plan *p = NULL;
	int k;

	CK(res, s, cm_client_new(&c, s));
	CK(res, s, cm_client_set_id(c, g->id));
	CK(res, s, cm_client_set_identifier(c, "MRN", g->mrn));
	CK(res, s, cm_client_set_text(c, CM_CLIENT_FAMILY, g->family));
	CK(res, s, cm_client_set_text(c, CM_CLIENT_GIVEN, g->given));
	CK(res, s, cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, g->birth));
	CK(res, s, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, g->manager));
	CK(res, s, cm_client_set_int(c, CM_CLIENT_RISK_TIER, g->risk));
	CK(res, s, cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, g->next_fu));
	CK(res, s, cm_client_set_status(c, CM_CASE_ACTIVE, "intake"));
	if (!g->active)
		CK(res, s, cm_client_set_status(c, CM_CASE_FINISHED, "closed"));
	CK(res, s, cm_client_save(txn, c));
	cm_client_free(c);

	CK(res, s, cm_assessment_new(&a, s, g->id, "cw1-needs"));
	for (k = 0; k < 8; k++) {
		static const char *const items[8] = { "d1", "d2", "d3", "d4",
						      "d5", "d6", "d7", "d8" };
		CK(res, s, cm_assessment_set_answer(a, items[k], g->scores[k]));
	}
	CK(res, s, cm_assessment_set_int(a, CM_ASSESSMENT_TIME, g->assessed));
	CK(res, s, cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, g->manager));
	CK(res, s, cm_assessment_save(txn, a));
	cm_assessment_free(a);

	CK(res, s, cm_plan_new(&p, s, g->id));
	CK(res, s, cm_plan_set_text(p, CM_PLAN_AUTHOR, g->manager));
	for (k = 0; k < 3; k++) {
		const char *gid;
		CK(res, s, cm_plan_add_goal(&gid, p, g->goal[k]));
		CK(res, s, cm_plan_element_set_int(p, gid, CM_ELEMENT_TARGET_DATE,
						   g->goal_target[k]));
		if (g->goal_active[k])
			CK(res, s, cm_plan_element_set_status(p, gid, CM_GOAL_ACTIVE,
							      "start"));
	}
	CK(res, s, cm_plan_save(txn, p));
	cm_plan_free(p);

	for (k = 0; k < 2; k++) {
		cm_service *v = NULL;
		CK(res, s, cm_service_new(&v, s, g->id, "referral"));
		CK(res, s, cm_service_set_text(v, CM_SERVICE_PROVIDER, prov[g->svc[k]]));
		CK(res, s, cm_service_set_int(v, CM_SERVICE_TOTAL_COST, g->svc_cost[k]));
		if (g->svc_requested[k])
			CK(res, s, cm_service_set_status(v, CM_SIDE_REQUESTER,
							 CM_TASK_REQUESTED, "sent"));
		CK(res, s, cm_service_save(txn, v));
		cm_service_free(v);
	}
	/* An event in one call, without a handle (--handles: through one). */
	for (k = 0; k < NEVENTS && !P.handles; k++)
		CK(res, s, cm_event_add(txn, NULL, 0, g->id, g->ev[k].type,
					g->ev[k].time, CM_CONTACT_NONE,
					g->ev[k].note));
	for (k = 0; k < NEVENTS && P.handles; k++) {
		cm_event *e = NULL;
		CK(res, s, cm_event_new(&e, s, g->id, g->ev[k].type, g->ev[k].time));
		CK(res, s, cm_event_set_text(e, CM_EVENT_TEXT, g->ev[k].note));
		CK(res, s, cm_event_save(txn, e));
		cm_event_free(e);
	}
}

/* One record-contact operation, its own transaction: the contact event
 * (in one call; --handles: through a handle) and the client's next
 * follow-up moved by delta days, which *out_due receives. A function of
 * its own so that a profiler can single the phase out (callgrind
 * --toggle-collect=record_contact). */
static __attribute__((noinline)) int record_contact(cm_store *s,
		const char *client_id, int64_t when, const char *note,
		int32_t delta, int64_t *out_due)
{
	cm_client *c = NULL;
	cm_event *e = NULL;
	cm_txn *txn = NULL;
	int64_t due;
	int rc;

	if ((rc = cm_txn_begin(&txn, s, "bench")) ||
	    (rc = cm_client_get(&c, s, client_id)))
		goto out;
	if (!P.handles)
		rc = cm_event_add(txn, NULL, 0, client_id, CM_EVENT_CONTACT, when,
				  CM_CONTACT_NONE, note);
	else if (!(rc = cm_event_new(&e, s, client_id, CM_EVENT_CONTACT, when)) &&
		 !(rc = cm_event_set_text(e, CM_EVENT_TEXT, note)))
		rc = cm_event_save(txn, e);
	if (rc || (rc = cm_client_get_int(&due, c, CM_CLIENT_NEXT_FOLLOWUP)) ||
	    (rc = cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, due + delta)) ||
	    (rc = cm_client_save(txn, c)))
		goto out;
	rc = cm_txn_commit(txn);
	txn = NULL;
	*out_due = due + delta;
out:
	cm_txn_rollback(txn);
	cm_event_free(e);
	cm_client_free(c);
	return rc;
}

static uint64_t read_sum(uint64_t h, const char *family, int64_t risk,
			 int64_t due)
{
	/* sum of tiers and dates, hash of the names, kept in one value */
	return h + (uint64_t)risk * 1000003u + (uint64_t)due +
	       (hash_str(0, family) & 0xffff);
}

static void run_casemgr(struct result *res)
{
	cm_store_options o = CM_STORE_OPTIONS_INIT;
	cm_store *s = NULL;
	cm_txn *txn = NULL;
	struct gclient *g = malloc(CHUNK * sizeof(*g));
	char (*prov)[40] = malloc(NCATALOG * sizeof(*prov));
	long i, k, n, m, M = managers();
	double t, acc;
	uint64_t h;
	long *ix;
	char (*keys)[37];

	o.id_seed = P.seed;
	if (!g || !prov)
		FAIL(res, "out of memory");
	CK(res, s, cm_store_open(&s, &o));
	{
		cm_instrument *def = NULL;
		static const char *const items[8] = { "d1", "d2", "d3", "d4",
						      "d5", "d6", "d7", "d8" };
		CK(res, s, cm_instrument_new(&def, s, "cw1-needs", "needs"));
		for (k = 0; k < 8; k++)
			CK(res, s, cm_instrument_add_item(def, items[k], 0, 4, 1));
		CK(res, s, cm_instrument_add_band(def, 0, "low", 1));
		CK(res, s, cm_instrument_add_band(def, 12, "moderate", 2));
		CK(res, s, cm_instrument_add_band(def, 22, "high", 3));
		CK(res, s, cm_store_register_instrument(s, def));
		cm_instrument_free(def);
	}

	/* 1. load: the catalog, then every client, in one transaction */
	acc = 0;
	t = now_s();
	CK(res, s, cm_txn_begin(&txn, s, "loader"));
	for (k = 0; k < NCATALOG; k++) {
		struct gsvc c;
		cm_provider *pv = NULL;
		gen_catalog(&c, (int)k);
		CK(res, s, cm_provider_new(&pv, s, c.name, CM_PROVIDER_OTHER));
		CK(res, s, cm_provider_set_text(pv, CM_PROVIDER_CONTACT, c.category));
		CK(res, s, cm_provider_set_network(pv, "default", c.in_network ?
						   CM_NETWORK_IN : CM_NETWORK_OUT));
		snprintf(prov[k], sizeof(prov[k]), "%s", cm_provider_id(pv));
		CK(res, s, cm_provider_save(txn, pv));
		cm_provider_free(pv);
	}
	acc += now_s() - t;
	for (i = 0; i < P.clients; i += n) {
		n = P.clients - i < CHUNK ? P.clients - i : CHUNK;
		for (k = 0; k < n; k++)
			gen_client(&g[k], i + k);
		t = now_s();
		for (k = 0; k < n; k++) {
			cm_load_client(res, s, txn, &g[k], prov);
			if (res->failed)
				return;
			if (P.load_batch && (i + k + 1) % P.load_batch == 0) {
				CK(res, s, cm_txn_commit(txn));
				CK(res, s, cm_txn_begin(&txn, s, "loader"));
			}
		}
		acc += now_s() - t;
	}
	t = now_s();
	CK(res, s, cm_txn_commit(txn));
	acc += now_s() - t;
	res->secs[PH_LOAD] = acc;
	res->ops[PH_LOAD] = P.clients;
	res->sum[PH_LOAD] = (uint64_t)P.clients * (3 + 8 + 2 + NEVENTS);

	/* 2. get-by-id */
	ix = gen_indexes(2, P.lookups, 0);
	keys = malloc((size_t)P.lookups * sizeof(*keys));
	if (!keys)
		FAIL(res, "out of memory");
	for (k = 0; k < P.lookups; k++)
		uuid_of(keys[k], ix[k]);
	h = 0;
	t = now_s();
	/* A look-up that needs a few fields and no handle: the summary read
	 * (cm_client_get / cm_client_find give the same answers; see
	 * --handles). */
	for (k = 0; k < P.lookups && !P.handles; k++) {
		cm_client_summary sm;
		sm.version = CM_CLIENT_SUMMARY_VERSION;
		CK(res, s, cm_client_get_summary(&sm, s, keys[k]));
		h = read_sum(h, sm.family, sm.risk_tier, sm.next_followup);
	}
	for (k = 0; k < P.lookups && P.handles; k++) {
		cm_client *c = NULL;
		int64_t risk, due;
		CK(res, s, cm_client_get(&c, s, keys[k]));
		CK(res, s, cm_client_get_int(&risk, c, CM_CLIENT_RISK_TIER));
		CK(res, s, cm_client_get_int(&due, c, CM_CLIENT_NEXT_FOLLOWUP));
		h = read_sum(h, cm_client_text(c, CM_CLIENT_FAMILY), risk, due);
		cm_client_free(c);
	}
	res->secs[PH_BYID] = now_s() - t;
	res->ops[PH_BYID] = P.lookups;
	res->sum[PH_BYID] = h;
	free(ix);

	/* 3. get-by-mrn */
	ix = gen_indexes(3, P.lookups, 0);
	for (k = 0; k < P.lookups; k++)
		mrn_of(keys[k], ix[k]);
	h = 0;
	t = now_s();
	for (k = 0; k < P.lookups && !P.handles; k++) {
		cm_client_summary sm;
		sm.version = CM_CLIENT_SUMMARY_VERSION;
		CK(res, s, cm_client_find_summary(&sm, s, "MRN", keys[k]));
		h = read_sum(h, sm.family, sm.risk_tier, sm.next_followup);
	}
	for (k = 0; k < P.lookups && P.handles; k++) {
		cm_client *c = NULL;
		int64_t risk, due;
		CK(res, s, cm_client_find(&c, s, "MRN", keys[k]));
		CK(res, s, cm_client_get_int(&risk, c, CM_CLIENT_RISK_TIER));
		CK(res, s, cm_client_get_int(&due, c, CM_CLIENT_NEXT_FOLLOWUP));
		h = read_sum(h, cm_client_text(c, CM_CLIENT_FAMILY), risk, due);
		cm_client_free(c);
	}
	res->secs[PH_BYMRN] = now_s() - t;
	res->ops[PH_BYMRN] = P.lookups;
	res->sum[PH_BYMRN] = h;
	free(ix);
	free(keys);

	/* 4. worklists: every manager, in passes */
	{
		char (*mk)[16] = malloc((size_t)M * sizeof(*mk));
		long passes = (P.min_worklists + M - 1) / M, p;
		uint64_t rows = 0;
		if (!mk)
			FAIL(res, "out of memory");
		for (m = 0; m < M; m++)
			manager_of(mk[m], m);
		h = 0;
		t = now_s();
		for (p = 0; p < passes; p++) {
			for (m = 0; m < M && !P.handles; m++) {
				/* The contact worklist's own call: rows into
				 * the caller's array (cm_worklist_query gives
				 * the same rows; see --handles). */
				cm_contact_row wr[50];
				size_t nr, j;
				CK(res, s, cm_worklist_contacts(&nr, NULL, wr,
					sizeof(wr[0]), 50, s, mk[m], D0, 14, 0));
				for (j = 0; j < nr; j++) {
					rows++;
					h = hash_str(h, wr[j].client_id);
					h = hash_i64(h, wr[j].due);
				}
			}
			for (m = 0; m < M && P.handles; m++) {
				cm_worklist *wl = NULL;
				CK(res, s, cm_worklist_query(&wl, s, mk[m], D0, 14,
					CM_WORK_BIT(CM_WORK_CONTACT_DUE) |
					CM_WORK_BIT(CM_WORK_CONTACT_OVERDUE), 0, 50));
				while (cm_worklist_next(wl) == CM_OK) {
					rows++;
					h = hash_str(h, cm_worklist_client_id(wl));
					h = hash_i64(h, cm_worklist_due(wl));
				}
				cm_worklist_free(wl);
			}
		}
		res->secs[PH_WORKLIST] = now_s() - t;
		res->ops[PH_WORKLIST] = passes * M;
		res->sum[PH_WORKLIST] = h ^ rows;
		free(mk);
	}

	/* 5. record-contact */
	{
		long *ops = gen_indexes(5, P.contacts, 1);
		uint64_t r = mix(P.seed, 55);
		int32_t *delta = malloc((size_t)P.contacts * sizeof(*delta));
		char (*ck)[37] = malloc((size_t)P.contacts * sizeof(*ck));
		char note[80];
		if (!delta || !ck)
			FAIL(res, "out of memory");
		for (k = 0; k < P.contacts; k++) {
			delta[k] = 7 + (int32_t)below(&r, 24);
			uuid_of(ck[k], ops[k]);
		}
		snprintf(note, sizeof(note), "%s", "contact made by phone; "
			 "client doing well, next visit scheduled");
		h = 0;
		t = now_s();
		for (k = 0; k < P.contacts; k++) {
			int64_t due;
			CK(res, s, record_contact(s, ck[k], (int64_t)D0 * 86400 + k,
						  note, delta[k], &due));
			h += (uint64_t)due;
		}
		res->secs[PH_CONTACT] = now_s() - t;
		res->ops[PH_CONTACT] = P.contacts;
		res->sum[PH_CONTACT] = h;
		free(ops);
		free(delta);
		free(ck);
	}

	/* 6. timeline */
	{
		long *ops = gen_indexes(6, P.timelines, 0);
		char (*tk)[37] = malloc((size_t)P.timelines * sizeof(*tk));
		cm_event_row tr[TL_PAGE];
		uint64_t rows = 0;
		if (!tk)
			FAIL(res, "out of memory");
		for (k = 0; k < P.timelines; k++)
			uuid_of(tk[k], ops[k]);
		h = 0;
		t = now_s();
		for (k = 0; k < P.timelines && !P.handles; k++) {
			/* The timeline's own call: rows into the caller's
			 * array, a page at a time (cm_event_timeline gives the
			 * same rows; see --handles). text_len is the note's
			 * length, as strlen(note) below. */
			size_t nr, total, off = 0, j;
			do {
				CK(res, s, cm_event_timeline_rows(&nr, &total, tr,
					sizeof(tr[0]), TL_PAGE, s, tk[k],
					CM_TIME_NONE, CM_TIME_NONE, 1, off));
				for (j = 0; j < nr; j++) {
					rows++;
					h = hash_i64(h, tr[j].time * 16 + tr[j].type);
					h += tr[j].text_len;
				}
				off += nr;
			} while (off < total);
		}
		for (k = 0; k < P.timelines && P.handles; k++) {
			cm_event_iter *it = NULL;
			cm_event *e;
			CK(res, s, cm_event_timeline(&it, s, tk[k], CM_TIME_NONE,
						     CM_TIME_NONE, 1));
			while (cm_event_iter_next(&e, it) == CM_OK) {
				int64_t tm;
				const char *note = cm_event_text(e, CM_EVENT_TEXT);
				cm_event_get_int(&tm, e, CM_EVENT_TIME);
				rows++;
				h = hash_i64(h, tm * 16 + cm_event_type(e));
				h += note ? strlen(note) : 0;
				cm_event_free(e);
			}
			cm_event_iter_free(it);
		}
		res->secs[PH_TIMELINE] = now_s() - t;
		res->ops[PH_TIMELINE] = P.timelines;
		res->sum[PH_TIMELINE] = h ^ rows;
		free(ops);
		free(tk);
	}
	cm_store_close(s);
	free(g);
	free(prov);
}

/* ---- SQLite ------------------------------------------------------------ */

#define SQ(res, db, call)                                                      \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_ != SQLITE_OK && rc_ != SQLITE_DONE && rc_ != SQLITE_ROW) \
			FAIL(res, "%s:%d %s: %s", __FILE__, __LINE__, #call,     \
			     sqlite3_errmsg(db));                               \
	} while (0)

static const char schema_sql[] =
	"PRAGMA journal_mode=MEMORY;"
	"PRAGMA temp_store=MEMORY;"
	"CREATE TABLE managers(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);"
	"CREATE TABLE catalog(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" category TEXT NOT NULL, in_network INTEGER NOT NULL);"
	"CREATE TABLE clients(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" mrn TEXT NOT NULL UNIQUE, family TEXT NOT NULL, given TEXT NOT NULL,"
	" birth INTEGER, manager INTEGER NOT NULL REFERENCES managers(id),"
	" risk INTEGER NOT NULL, status INTEGER NOT NULL, next_fu INTEGER);"
	"CREATE TABLE assessments(id INTEGER PRIMARY KEY,"
	" client INTEGER NOT NULL REFERENCES clients(id),"
	" d1 INTEGER, d2 INTEGER, d3 INTEGER, d4 INTEGER, d5 INTEGER,"
	" d6 INTEGER, d7 INTEGER, d8 INTEGER, total INTEGER, time INTEGER);"
	"CREATE TABLE plans(id INTEGER PRIMARY KEY,"
	" client INTEGER NOT NULL REFERENCES clients(id));"
	"CREATE TABLE goals(id INTEGER PRIMARY KEY,"
	" plan INTEGER NOT NULL REFERENCES plans(id), text TEXT NOT NULL,"
	" target INTEGER, status INTEGER NOT NULL);"
	"CREATE TABLE referrals(id INTEGER PRIMARY KEY,"
	" client INTEGER NOT NULL REFERENCES clients(id),"
	" service INTEGER NOT NULL REFERENCES catalog(id),"
	" status INTEGER NOT NULL, cost INTEGER NOT NULL);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY,"
	" client INTEGER NOT NULL REFERENCES clients(id), type INTEGER NOT NULL,"
	" time INTEGER NOT NULL, note TEXT);"
	"CREATE INDEX clients_worklist ON clients(manager, status, next_fu, uuid);"
	"CREATE INDEX assessments_client ON assessments(client);"
	"CREATE INDEX plans_client ON plans(client);"
	"CREATE INDEX goals_plan ON goals(plan);"
	"CREATE INDEX referrals_client ON referrals(client);"
	"CREATE INDEX events_client_time ON events(client, time);";

enum {
	S_MANAGER, S_CATALOG, S_CLIENT, S_ASSESS, S_PLAN, S_GOAL, S_REF, S_EVENT,
	S_BYID, S_BYMRN, S_WORKLIST, S_CID, S_UPDFU, S_TIMELINE, S_BEGIN,
	S_COMMIT, NSTMT
};

static const char *const stmt_sql[NSTMT] = {
	"INSERT INTO managers(id, code) VALUES(?, ?)",
	"INSERT INTO catalog(id, name, category, in_network) VALUES(?, ?, ?, ?)",
	"INSERT INTO clients(id, uuid, mrn, family, given, birth, manager, risk,"
	" status, next_fu) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO assessments(client, d1, d2, d3, d4, d5, d6, d7, d8, total,"
	" time) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO plans(client) VALUES(?)",
	"INSERT INTO goals(plan, text, target, status) VALUES(?, ?, ?, ?)",
	"INSERT INTO referrals(client, service, status, cost) VALUES(?, ?, ?, ?)",
	"INSERT INTO events(client, type, time, note) VALUES(?, ?, ?, ?)",
	"SELECT family, risk, next_fu FROM clients WHERE uuid = ?",
	"SELECT family, risk, next_fu FROM clients WHERE mrn = ?",
	"SELECT uuid, next_fu FROM clients WHERE manager = ? AND status = 1"
	" AND next_fu <= ? ORDER BY next_fu, uuid LIMIT 50",
	"SELECT id, next_fu FROM clients WHERE uuid = ?",
	"UPDATE clients SET next_fu = ? WHERE id = ?",
	"SELECT e.time, e.type, e.note FROM events e JOIN clients c"
	" ON e.client = c.id WHERE c.uuid = ? ORDER BY e.time DESC",
	"BEGIN",
	"COMMIT",
};

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void run_sqlite(struct result *res)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st[NSTMT];
	struct gclient *g = malloc(CHUNK * sizeof(*g));
	long i, k, n, m, M = managers();
	double t, acc;
	uint64_t h;
	long *ix;
	char (*keys)[37];

	if (!g)
		FAIL(res, "out of memory");
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		FAIL(res, "sqlite3_open failed");
	SQ(res, db, sqlite3_exec(db, schema_sql, NULL, NULL, NULL));
	for (k = 0; k < NSTMT; k++)
		SQ(res, db, sqlite3_prepare_v3(db, stmt_sql[k], -1,
					       SQLITE_PREPARE_PERSISTENT, &st[k], NULL));

	/* 1. load */
	acc = 0;
	t = now_s();
	SQ(res, db, step_done(st[S_BEGIN]));
	for (m = 0; m < M; m++) {
		char code[16];
		manager_of(code, m);
		sqlite3_bind_int64(st[S_MANAGER], 1, m + 1);
		sqlite3_bind_text(st[S_MANAGER], 2, code, -1, SQLITE_TRANSIENT);
		SQ(res, db, step_done(st[S_MANAGER]));
	}
	for (k = 0; k < NCATALOG; k++) {
		struct gsvc c;
		gen_catalog(&c, (int)k);
		sqlite3_bind_int64(st[S_CATALOG], 1, k + 1);
		sqlite3_bind_text(st[S_CATALOG], 2, c.name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[S_CATALOG], 3, c.category, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st[S_CATALOG], 4, c.in_network);
		SQ(res, db, step_done(st[S_CATALOG]));
	}
	acc += now_s() - t;
	for (i = 0; i < P.clients; i += n) {
		n = P.clients - i < CHUNK ? P.clients - i : CHUNK;
		for (k = 0; k < n; k++)
			gen_client(&g[k], i + k);
		t = now_s();
		for (k = 0; k < n; k++) {
			const struct gclient *c = &g[k];
			sqlite3_stmt *q = st[S_CLIENT];
			sqlite3_int64 cid = i + k + 1, pid;
			int j;
			sqlite3_bind_int64(q, 1, cid);
			sqlite3_bind_text(q, 2, c->id, 36, SQLITE_STATIC);
			sqlite3_bind_text(q, 3, c->mrn, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 4, c->family, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 5, c->given, -1, SQLITE_STATIC);
			sqlite3_bind_int(q, 6, c->birth);
			sqlite3_bind_int64(q, 7, (i + k) % M + 1);
			sqlite3_bind_int(q, 8, c->risk);
			sqlite3_bind_int(q, 9, c->active ? 1 : 2);
			sqlite3_bind_int(q, 10, c->next_fu);
			SQ(res, db, step_done(q));
			q = st[S_ASSESS];
			sqlite3_bind_int64(q, 1, cid);
			for (j = 0; j < 8; j++)
				sqlite3_bind_int(q, 2 + j, c->scores[j]);
			sqlite3_bind_int(q, 10, c->total);
			sqlite3_bind_int64(q, 11, c->assessed);
			SQ(res, db, step_done(q));
			sqlite3_bind_int64(st[S_PLAN], 1, cid);
			SQ(res, db, step_done(st[S_PLAN]));
			pid = sqlite3_last_insert_rowid(db);
			for (j = 0; j < 3; j++) {
				q = st[S_GOAL];
				sqlite3_bind_int64(q, 1, pid);
				sqlite3_bind_text(q, 2, c->goal[j], -1, SQLITE_STATIC);
				sqlite3_bind_int(q, 3, c->goal_target[j]);
				sqlite3_bind_int(q, 4, c->goal_active[j] ? 4 : 1);
				SQ(res, db, step_done(q));
			}
			for (j = 0; j < 2; j++) {
				q = st[S_REF];
				sqlite3_bind_int64(q, 1, cid);
				sqlite3_bind_int(q, 2, c->svc[j] + 1);
				sqlite3_bind_int(q, 3, c->svc_requested[j] ? 2 : 1);
				sqlite3_bind_int64(q, 4, c->svc_cost[j]);
				SQ(res, db, step_done(q));
			}
			for (j = 0; j < NEVENTS; j++) {
				q = st[S_EVENT];
				sqlite3_bind_int64(q, 1, cid);
				sqlite3_bind_int(q, 2, c->ev[j].type);
				sqlite3_bind_int64(q, 3, c->ev[j].time);
				sqlite3_bind_text(q, 4, c->ev[j].note, -1, SQLITE_STATIC);
				SQ(res, db, step_done(q));
			}
		}
		acc += now_s() - t;
	}
	t = now_s();
	SQ(res, db, step_done(st[S_COMMIT]));
	acc += now_s() - t;
	res->secs[PH_LOAD] = acc;
	res->ops[PH_LOAD] = P.clients;
	res->sum[PH_LOAD] = (uint64_t)P.clients * (3 + 8 + 2 + NEVENTS);

	/* 2./3. look-ups */
	keys = malloc((size_t)P.lookups * sizeof(*keys));
	if (!keys)
		FAIL(res, "out of memory");
	for (int ph = PH_BYID; ph <= PH_BYMRN; ph++) {
		sqlite3_stmt *q = st[ph == PH_BYID ? S_BYID : S_BYMRN];
		ix = gen_indexes(ph == PH_BYID ? 2 : 3, P.lookups, 0);
		for (k = 0; k < P.lookups; k++) {
			if (ph == PH_BYID)
				uuid_of(keys[k], ix[k]);
			else
				mrn_of(keys[k], ix[k]);
		}
		h = 0;
		t = now_s();
		for (k = 0; k < P.lookups; k++) {
			sqlite3_bind_text(q, 1, keys[k], -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_ROW)
				FAIL(res, "look-up %ld: no row", k);
			h = read_sum(h, (const char *)sqlite3_column_text(q, 0),
				     sqlite3_column_int64(q, 1),
				     sqlite3_column_int64(q, 2));
			sqlite3_reset(q);
		}
		res->secs[ph] = now_s() - t;
		res->ops[ph] = P.lookups;
		res->sum[ph] = h;
		free(ix);
	}
	free(keys);

	/* 4. worklists */
	{
		long passes = (P.min_worklists + M - 1) / M, p;
		uint64_t rows = 0;
		sqlite3_stmt *q = st[S_WORKLIST];
		h = 0;
		t = now_s();
		for (p = 0; p < passes; p++) {
			for (m = 0; m < M; m++) {
				sqlite3_bind_int64(q, 1, m + 1);
				sqlite3_bind_int(q, 2, D0 + 14);
				while (sqlite3_step(q) == SQLITE_ROW) {
					rows++;
					h = hash_str(h, (const char *)sqlite3_column_text(q, 0));
					h = hash_i64(h, sqlite3_column_int64(q, 1));
				}
				sqlite3_reset(q);
			}
		}
		res->secs[PH_WORKLIST] = now_s() - t;
		res->ops[PH_WORKLIST] = passes * M;
		res->sum[PH_WORKLIST] = h ^ rows;
	}

	/* 5. record-contact: each its own transaction */
	{
		long *ops = gen_indexes(5, P.contacts, 1);
		uint64_t r = mix(P.seed, 55);
		int32_t *delta = malloc((size_t)P.contacts * sizeof(*delta));
		char (*ck)[37] = malloc((size_t)P.contacts * sizeof(*ck));
		char note[80];
		if (!delta || !ck)
			FAIL(res, "out of memory");
		for (k = 0; k < P.contacts; k++) {
			delta[k] = 7 + (int32_t)below(&r, 24);
			uuid_of(ck[k], ops[k]);
		}
		snprintf(note, sizeof(note), "%s", "contact made by phone; "
			 "client doing well, next visit scheduled");
		h = 0;
		t = now_s();
		for (k = 0; k < P.contacts; k++) {
			sqlite3_stmt *q = st[S_CID];
			sqlite3_int64 cid, due;
			SQ(res, db, step_done(st[S_BEGIN]));
			sqlite3_bind_text(q, 1, ck[k], 36, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_ROW)
				FAIL(res, "contact %ld: no client", k);
			cid = sqlite3_column_int64(q, 0);
			due = sqlite3_column_int64(q, 1) + delta[k];
			sqlite3_reset(q);
			q = st[S_EVENT];
			sqlite3_bind_int64(q, 1, cid);
			sqlite3_bind_int(q, 2, CM_EVENT_CONTACT);
			sqlite3_bind_int64(q, 3, (int64_t)D0 * 86400 + k);
			sqlite3_bind_text(q, 4, note, -1, SQLITE_STATIC);
			SQ(res, db, step_done(q));
			q = st[S_UPDFU];
			sqlite3_bind_int64(q, 1, due);
			sqlite3_bind_int64(q, 2, cid);
			SQ(res, db, step_done(q));
			SQ(res, db, step_done(st[S_COMMIT]));
			h += (uint64_t)due;
		}
		res->secs[PH_CONTACT] = now_s() - t;
		res->ops[PH_CONTACT] = P.contacts;
		res->sum[PH_CONTACT] = h;
		free(ops);
		free(delta);
		free(ck);
	}

	/* 6. timeline */
	{
		long *ops = gen_indexes(6, P.timelines, 0);
		char (*tk)[37] = malloc((size_t)P.timelines * sizeof(*tk));
		uint64_t rows = 0;
		sqlite3_stmt *q = st[S_TIMELINE];
		if (!tk)
			FAIL(res, "out of memory");
		for (k = 0; k < P.timelines; k++)
			uuid_of(tk[k], ops[k]);
		h = 0;
		t = now_s();
		for (k = 0; k < P.timelines; k++) {
			sqlite3_bind_text(q, 1, tk[k], 36, SQLITE_STATIC);
			while (sqlite3_step(q) == SQLITE_ROW) {
				const char *note = (const char *)sqlite3_column_text(q, 2);
				rows++;
				h = hash_i64(h, sqlite3_column_int64(q, 0) * 16 +
					       sqlite3_column_int64(q, 1));
				h += note ? strlen(note) : 0;
			}
			sqlite3_reset(q);
		}
		res->secs[PH_TIMELINE] = now_s() - t;
		res->ops[PH_TIMELINE] = P.timelines;
		res->sum[PH_TIMELINE] = h ^ rows;
		free(ops);
		free(tk);
	}
	for (k = 0; k < NSTMT; k++)
		sqlite3_finalize(st[k]);
	sqlite3_close(db);
	free(g);
}

/* ---- driver ------------------------------------------------------------ */

/* Run fn in a child; its result comes back through a pipe, its peak
 * memory from wait4. */
static int run_child(void (*fn)(struct result *), struct result *out,
		     long *maxrss_kb)
{
	int fd[2];
	pid_t pid;
	int status;
	struct rusage ru;
	size_t got = 0;

	memset(out, 0, sizeof(*out));
	if (pipe(fd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r;
		memset(&r, 0, sizeof(r));
		close(fd[0]);
		fn(&r);
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(3);
		_exit(r.failed ? 2 : 0);
	}
	close(fd[1]);
	while (got < sizeof(*out)) {
		ssize_t k = read(fd[0], (char *)out + got, sizeof(*out) - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*maxrss_kb = ru.ru_maxrss;
	if (got != sizeof(*out)) {
		snprintf(out->msg, sizeof(out->msg), "child died (status %d)", status);
		out->failed = 1;
	}
	return 0;
}

static long arg_long(const char *s)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1) {
		fprintf(stderr, "cw1: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: cw1 [--clients N] [--seed S] [--lookups N] [--worklists N]\n"
		"           [--contacts N] [--timelines N] [--only casemgr|sqlite]\n"
		"           [--load-batch N (casemgr: commit every N clients)]\n"
		"           [--managers M (case managers; default one per 50\n"
		"            clients; 1: every client on one caseload)]\n"
		"           [--handles 1 (casemgr: look-ups through cm_client_get/find\n"
		"            handles instead of cm_client_get/find_summary, worklists\n"
		"            through cm_worklist_query instead of\n"
		"            cm_worklist_contacts, timelines through\n"
		"            cm_event_timeline instead of cm_event_timeline_rows,\n"
		"            events through cm_event_new/_save instead of\n"
		"            cm_event_add)]\n"
		"           [--runs N (1..15: both systems N times, alternately;\n"
		"            medians and the range of the ratios)]\n");
	exit(2);
}

/* The phases of one system's run (--only); its exit status. */
static int print_one(const struct result *r, long maxrss_kb)
{
	int ph;

	for (ph = 0; ph < NPH; ph++)
		printf("%-15s %12.0f/s  checksum %016" PRIx64 "\n", phase_name[ph],
		       r->secs[ph] > 0 ? r->ops[ph] / r->secs[ph] : 0, r->sum[ph]);
	printf("peak memory %.1f MiB\n", maxrss_kb / 1024.0);
	if (r->failed)
		printf("FAILED: %s\n", r->msg);
	return r->failed;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorted in place; n >= 1). */
static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static struct result rc[RUNS_MAX], rs[RUNS_MAX];
	long mc[RUNS_MAX], ms[RUNS_MAX];
	int i, bad = 0, ph, r;

	for (i = 1; i < argc; i += 2) { /* --name value */
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		if (!strcmp(a, "--clients"))
			P.clients = arg_long(v);
		else if (!strcmp(a, "--seed"))
			P.seed = (uint64_t)arg_long(v);
		else if (!strcmp(a, "--lookups"))
			P.lookups = arg_long(v);
		else if (!strcmp(a, "--worklists"))
			P.min_worklists = arg_long(v);
		else if (!strcmp(a, "--contacts"))
			P.contacts = arg_long(v);
		else if (!strcmp(a, "--timelines"))
			P.timelines = arg_long(v);
		else if (!strcmp(a, "--load-batch"))
			P.load_batch = arg_long(v);
		else if (!strcmp(a, "--managers"))
			P.managers = arg_long(v);
		else if (!strcmp(a, "--handles"))
			P.handles = arg_long(v);
		else if (!strcmp(a, "--runs"))
			P.runs = arg_long(v);
		else if (!strcmp(a, "--only"))
			P.only = v;
		else
			usage();
	}
	if (P.managers > P.clients || P.managers > 1000000) {
		fprintf(stderr, "cw1: --managers must be 1..clients, at most "
			"1,000,000 (their codes are cm-000000..cm-999999)\n");
		return 2;
	}
	if (cm_date_from_ymd(&D0, 2026, 1, 5) != CM_OK)
		return 1;
	printf("CW-1: %ld clients, %ld managers, seed %" PRIu64 ", casemgr %s, "
	       "SQLite %s\n", P.clients, managers(),
	       P.seed, cm_version_string(), sqlite3_libversion());

	if (P.only && !strcmp(P.only, "casemgr")) {
		run_child(run_casemgr, &rc[0], &mc[0]);
		return print_one(&rc[0], mc[0]);
	}
	if (P.only && !strcmp(P.only, "sqlite")) {
		run_child(run_sqlite, &rs[0], &ms[0]);
		return print_one(&rs[0], ms[0]);
	}
	if (P.only || P.runs > RUNS_MAX)
		usage();

	for (r = 0; r < P.runs; r++) {
		if (run_child(run_casemgr, &rc[r], &mc[r]) ||
		    run_child(run_sqlite, &rs[r], &ms[r])) {
			perror("cw1: fork");
			return 1;
		}
		if (rc[r].failed)
			printf("casemgr FAILED: %s\n", rc[r].msg);
		if (rs[r].failed)
			printf("SQLite FAILED: %s\n", rs[r].msg);
		if (rc[r].failed || rs[r].failed)
			return 1;
	}
	if (P.runs > 1)
		printf("median of %ld alternated runs; ratio range in brackets\n",
		       P.runs);
	printf("%-15s %14s %14s %8s  %-16s %s\n", "phase", "casemgr ops/s",
	       "SQLite ops/s", "ratio", "checksum", "");
	for (ph = 0; ph < NPH; ph++) {
		double a[RUNS_MAX], b[RUNS_MAX], q[RUNS_MAX];
		int same = 1;
		for (r = 0; r < P.runs; r++) {
			a[r] = rc[r].ops[ph] / rc[r].secs[ph];
			b[r] = rs[r].ops[ph] / rs[r].secs[ph];
			q[r] = a[r] / b[r];
			same &= rc[r].sum[ph] == rs[r].sum[ph] &&
				rc[r].sum[ph] == rc[0].sum[ph];
		}
		printf("%-15s %14.0f %14.0f %7.2fx  %016" PRIx64 " %s", phase_name[ph],
		       median(a, P.runs), median(b, P.runs), median(q, P.runs),
		       rc[0].sum[ph], same ? "ok" : "MISMATCH");
		if (P.runs > 1)
			printf("  [%.2f-%.2f]", q[0], q[P.runs - 1]);
		printf("\n");
		for (r = 0; !same && r < P.runs; r++)
			printf("  run %d: casemgr %016" PRIx64 ", SQLite %016" PRIx64 "\n",
			       r + 1, rc[r].sum[ph], rs[r].sum[ph]);
		bad |= !same;
	}
	{
		double a[RUNS_MAX], b[RUNS_MAX];
		for (r = 0; r < P.runs; r++) {
			a[r] = mc[r] / 1024.0;
			b[r] = ms[r] / 1024.0;
		}
		printf("%-15s %12.1f MiB %12.1f MiB %7.2fx\n", "peak memory",
		       median(a, P.runs), median(b, P.runs),
		       median(a, P.runs) / median(b, P.runs));
	}
	if (bad)
		printf("FAILED: the checksums disagree\n");
	return bad;
}
