/*
 * Seed corpora for the fuzz targets, made from real library output:
 *
 *   record_decode  every record a scripted case history puts to storage
 *                  (clients, assessments, plans, events, providers,
 *                  services, transaction logs)
 *   load           that storage after each commit, as fuzz_load input
 *   date_time      cm_date_format / cm_time_format output, with the zone
 *                  and fraction forms cm_time_parse accepts
 *   utf8           record texts and messages the library produced
 *   instrument     builder sequences that rebuild the built-in sum-scored
 *                  instruments from their definitions, register and score
 *
 * Usage: fuzz_gen_corpus CORPUS-DIR (writes CORPUS-DIR/<target>/...).
 * Files named regress-* are inputs that once crashed a target (kept by
 * hand as regression tests; the generator leaves them alone).
 * Run through `meson compile -C build fuzz-corpus`; commit the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casemgr.h"
#include "assessment/assessment_impl.h"

#define OK(call)                                                               \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_ != CM_OK) {                                            \
			fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__,      \
				__LINE__, #call, cm_error_name(rc_),           \
				cm_store_errmsg(store));                       \
			exit(1);                                               \
		}                                                              \
	} while (0)

static const char *root;

/* ---- output ------------------------------------------------------------- */

static void write_file(const char *target, const char *name,
		       const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(1);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put1(struct bytes *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	put(b, &c, 1);
}

/* ---- a capturing storage -------------------------------------------------- */

#define MAXRECS 256
struct rec {
	int32_t kind;
	unsigned char *bytes;
	size_t len;
};
static struct rec recs[MAXRECS];
static size_t nrecs;

static int cap_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		   int64_t prev, const void *bytes, size_t len)
{
	(void)ctx, (void)id, (void)revision, (void)prev;
	if (nrecs == MAXRECS)
		return -1;
	recs[nrecs].kind = kind;
	recs[nrecs].bytes = malloc(len);
	memcpy(recs[nrecs].bytes, bytes, len);
	recs[nrecs++].len = len;
	return 0;
}

static const cm_storage capture = {
	.version = CM_STORAGE_VERSION,
	.put = cap_put,
};

static int64_t clock_now = INT64_C(1795424400);
static int gen_clock(void *ctx, int64_t *out)
{
	(void)ctx;
	*out = clock_now;
	return 0;
}

/* Snapshot of the storage as fuzz_load input: flags, then len16 + bytes. */
static int nload;
static void snapshot(unsigned flags)
{
	struct bytes b = { 0 };
	char name[64];
	size_t i;

	put1(&b, flags);
	for (i = 0; i < nrecs; i++) {
		put1(&b, (unsigned)(recs[i].len & 0xFF));
		put1(&b, (unsigned)(recs[i].len >> 8));
		put(&b, recs[i].bytes, recs[i].len);
	}
	snprintf(name, sizeof(name), "store-%02d", nload++);
	write_file("load", name, b.p, b.n);
	free(b.p);
	if (flags)
		return; /* no reversed copy */
	/* The same records in reverse order (hosts feed them in any order). */
	memset(&b, 0, sizeof(b));
	put1(&b, 0);
	for (i = nrecs; i-- > 0;) {
		put1(&b, (unsigned)(recs[i].len & 0xFF));
		put1(&b, (unsigned)(recs[i].len >> 8));
		put(&b, recs[i].bytes, recs[i].len);
	}
	snprintf(name, sizeof(name), "store-%02d-reversed", nload - 1);
	write_file("load", name, b.p, b.n);
	free(b.p);
}

static void utf8_seed(const char *text)
{
	static int n;
	struct bytes b = { 0 };
	char name[32];

	if (!text || n >= 40)
		return;
	put1(&b, n % 3 == 0 ? 255 : (unsigned)strlen(text) + (unsigned)(n % 2));
	put(&b, text, strlen(text));
	snprintf(name, sizeof(name), "text-%02d", n++);
	write_file("utf8", name, b.p, b.n);
	free(b.p);
}

static void commit(cm_store *store, cm_txn *txn)
{
	OK(cm_txn_commit(txn));
	clock_now += 3600;
	snapshot(0);
}

static void history(void)
{
	cm_store_options o;
	cm_store *store = NULL;
	cm_client *c, *c2;
	cm_assessment *a;
	cm_plan *p;
	cm_event *e;
	cm_provider *pr;
	cm_service *sv;
	cm_txn *txn;
	char cid[80], aid[80], pid[80];
	static const int phq9[9] = { 2, 2, 1, 2, 1, 1, 2, 1, 0 };
	char item[8];
	int i;

	cm_store_options_init(&o, CM_STORE_OPTIONS_VERSION);
	o.clock_fn = gen_clock;
	o.id_seed = 7;
	o.storage = &capture;
	OK(cm_store_open(&store, &o));

	/* Two clients, one with every list filled. */
	OK(cm_client_new(&c, store));
	OK(cm_client_set_text(c, CM_CLIENT_FAMILY, "Okonkwo-Müller"));
	OK(cm_client_set_text(c, CM_CLIENT_GIVEN, "Zoë Ἀλέξανδρος"));
	OK(cm_client_set_text(c, CM_CLIENT_LANGUAGE, "de-CH"));
	OK(cm_client_set_text(c, CM_CLIENT_ADDRESS, "Bahnhofstraße 1, 8001 Zürich"));
	OK(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-lee"));
	OK(cm_client_set_int(c, CM_CLIENT_BIRTH_DATE, -3650));
	OK(cm_client_set_int(c, CM_CLIENT_RISK_TIER, 2));
	OK(cm_client_set_identifier(c, "MRN", "MRN000000001"));
	OK(cm_client_set_identifier(c, "urn:payer:acme", "M-77"));
	OK(cm_client_add_coverage(c, "Medicaid", "M1", "HMO"));
	OK(cm_client_add_care_team_member(c, "primary care physician", "Dr. Дмитрий Осипов", "555-0100"));
	OK(cm_client_set_status(c, CM_CASE_ACTIVE, "enrolled"));
	OK(cm_client_new(&c2, store));
	OK(cm_client_set_text(c2, CM_CLIENT_FAMILY, "Ng"));
	OK(cm_txn_begin(&txn, store, "intake"));
	OK(cm_client_save(txn, c));
	OK(cm_client_save(txn, c2));
	commit(store, txn);
	snprintf(cid, sizeof(cid), "%s", cm_client_id(c));
	utf8_seed(cm_client_text(c, CM_CLIENT_FAMILY));
	utf8_seed(cm_client_text(c, CM_CLIENT_GIVEN));
	utf8_seed(cm_client_text(c, CM_CLIENT_ADDRESS));
	utf8_seed(cm_client_id(c));

	/* An assessment that sets the risk tier. */
	OK(cm_assessment_new(&a, store, cid, "phq-9"));
	OK(cm_assessment_set_text(a, CM_ASSESSMENT_ASSESSOR, "nurse-ng"));
	for (i = 0; i < 9; i++) {
		snprintf(item, sizeof(item), "q%d", i + 1);
		OK(cm_assessment_set_answer(a, item, phq9[i]));
	}
	OK(cm_assessment_set_status(a, CM_ASSESSMENT_COMPLETED, "interview done"));
	OK(cm_txn_begin(&txn, store, "nurse-ng"));
	OK(cm_assessment_save(txn, a));
	OK(cm_assessment_apply_risk_tier(txn, a, c));
	commit(store, txn);
	snprintf(aid, sizeof(aid), "%s", cm_assessment_id(a));

	/* A plan, then a second revision of it. */
	OK(cm_plan_new(&p, store, cid));
	OK(cm_plan_set_text(p, CM_PLAN_AUTHOR, "cm-lee"));
	OK(cm_plan_set_text(p, CM_PLAN_TITLE, "Depression — and access to food"));
	OK(cm_plan_set_int(p, CM_PLAN_PERIOD_START, 20780));
	OK(cm_plan_set_int(p, CM_PLAN_NEXT_REVIEW, 20810));
	OK(cm_plan_add_problem(NULL, p, "Moderate depression", aid, "depression"));
	OK(cm_plan_add_goal(NULL, p, "PHQ-9 below 10"));
	OK(cm_plan_link(p, "g2", "p1"));
	OK(cm_plan_add_intervention(NULL, p, "Refer to behavioural health",
				    CM_RESPONSIBLE_CARE_TEAM, "cm-lee"));
	OK(cm_plan_link(p, "i3", "g2"));
	OK(cm_plan_set_status(p, CM_PLAN_ACTIVE, "start"));
	OK(cm_txn_begin(&txn, store, "cm-lee"));
	OK(cm_plan_save(txn, p));
	commit(store, txn);
	OK(cm_plan_goal_add_note(p, "g2", "Good progress; ½ way there"));
	OK(cm_txn_begin(&txn, store, "cm-lee"));
	OK(cm_plan_save(txn, p));
	commit(store, txn);
	snprintf(pid, sizeof(pid), "%s", cm_plan_id(p));
	utf8_seed(cm_plan_text(p, CM_PLAN_TITLE));
	(void)pid;

	/* Events, a provider and a service. */
	OK(cm_event_new(&e, store, cid, 1, clock_now));
	OK(cm_txn_begin(&txn, store, "cm-lee"));
	OK(cm_event_save(txn, e));
	commit(store, txn);
	cm_event_free(e);
	OK(cm_provider_new(&pr, store, "Sunrise Infusion Ελλάς", 1));
	OK(cm_provider_set_network(pr, "Acme Health", CM_NETWORK_IN));
	OK(cm_txn_begin(&txn, store, "admin"));
	OK(cm_provider_save(txn, pr));
	commit(store, txn);
	utf8_seed(cm_provider_text(pr, CM_PROVIDER_NAME));
	OK(cm_service_new(&sv, store, cid, "home infusion 🏠"));
	OK(cm_txn_begin(&txn, store, "cm-lee"));
	OK(cm_service_save(txn, sv));
	commit(store, txn);
	utf8_seed(cm_service_text(sv, CM_SERVICE_CATEGORY));

	/* A case closed: a status history of two entries. */
	OK(cm_client_set_status(c2, CM_CASE_ACTIVE, "enrolled"));
	OK(cm_txn_begin(&txn, store, "cm-lee"));
	OK(cm_client_save(txn, c2));
	commit(store, txn);

	/* More clients and screens: every instrument, several statuses. */
	for (i = 0; i < 6; i++) {
		static const char *const instr[] = { "phq-2", "gad-7", "sdoh", "phq-9", "phq-2", "gad-7" };
		static const char *const fam[] = { "Ødegård", "Ng", "Σπύρου", "Иванова", "O'Brien", "Nguyễn" };
		cm_client *x;
		cm_assessment *y;
		const char *ic;
		int32_t mn, mx, rq;
		size_t k;
		OK(cm_client_new(&x, store));
		OK(cm_client_set_text(x, CM_CLIENT_FAMILY, fam[i]));
		if (i % 2)
			OK(cm_client_set_text(x, CM_CLIENT_PHONE, "+41 44 000 00 00"));
		OK(cm_client_set_int(x, CM_CLIENT_NEXT_FOLLOWUP, 20790 + i));
		OK(cm_client_set_status(x, CM_CASE_ACTIVE, "referred"));
		OK(cm_assessment_new(&y, store, cm_client_id(x), instr[i]));
		OK(cm_assessment_set_text(y, CM_ASSESSMENT_ASSESSOR, fam[5 - i]));
		for (k = 0; cm_instrument_item_at(&ic, &mn, &mx, &rq, store, instr[i], k) == CM_OK; k++)
			if (rq || k % 2)
				OK(cm_assessment_set_answer(y, ic, (int32_t)(mn + (int32_t)(k + (size_t)i) % (mx - mn + 1))));
		if (i % 3 == 0)
			OK(cm_assessment_set_status(y, CM_ASSESSMENT_COMPLETED, "done"));
		OK(cm_txn_begin(&txn, store, i % 2 ? "nurse-ng" : "sw-kim"));
		OK(cm_client_save(txn, x));
		OK(cm_assessment_save(txn, y));
		commit(store, txn);
		utf8_seed(cm_client_text(x, CM_CLIENT_FAMILY));
		cm_assessment_free(y);
		cm_client_free(x);
	}

	/* Stores the host failed to load; one whose host fixes checksums. */
	snapshot(1);
	snapshot(2);
	for (i = 0; i < 40; i++)
		utf8_seed(cm_strerror(-i));

	cm_service_free(sv);
	cm_provider_free(pr);
	cm_plan_free(p);
	cm_assessment_free(a);
	cm_client_free(c);
	cm_client_free(c2);
	cm_store_close(store);
}

static void records(void)
{
	char name[64];
	size_t i;

	for (i = 0; i < nrecs; i++) {
		snprintf(name, sizeof(name), "rec-%02zu-%s", i,
			 cm_kind_name(recs[i].kind) ? cm_kind_name(recs[i].kind) : "log");
		write_file("record_decode", name, recs[i].bytes, recs[i].len);
	}
}

static void dates(void)
{
	static const int64_t times[] = {
		0, -1, 86399, 86400, INT64_C(1795424400), INT64_C(951782400),
		INT64_C(951868799), CM_TIME_MIN, CM_TIME_MAX, INT64_C(-2208988800),
		INT64_C(4107542400), INT64_C(1709164800)
	};
	static const char *const zones[] = { "Z", "+05:30", "-23:59", "z" };
	char buf[CM_TIME_BUFSIZE + 16], text[64], name[32];
	size_t i, j;
	int n = 0;

	for (i = 0; i < sizeof(times) / sizeof(*times); i++) {
		int32_t day;
		if (cm_time_to_date(&day, times[i]) != CM_OK ||
		    cm_date_format(buf, sizeof(buf), day) != CM_OK)
			exit(1);
		snprintf(name, sizeof(name), "date-%02d", n++);
		write_file("date_time", name, buf, strlen(buf));
		if (cm_time_format(buf, sizeof(buf), times[i]) != CM_OK)
			exit(1);
		for (j = 0; j < sizeof(zones) / sizeof(*zones); j++) {
			/* Replace the formatted "Z" by other zones, add fractions. */
			snprintf(text, sizeof(text), "%.19s%s%s", buf,
				 j % 2 ? ".125" : "", zones[(i + j) % 4]);
			snprintf(name, sizeof(name), "time-%02d", n++);
			write_file("date_time", name, text, strlen(text));
			if (j)
				break;
		}
	}
	/* Binary numbers for the format round trips. */
	for (i = 0; i < sizeof(times) / sizeof(*times); i++) {
		unsigned char le[8];
		for (j = 0; j < 8; j++)
			le[j] = (unsigned char)((uint64_t)times[i] >> (8 * j));
		snprintf(name, sizeof(name), "num-%02zu", i);
		write_file("date_time", name, le, 8);
	}
}

/* Builder programs (see fuzz_instrument.c for the byte format). */
static void code_bytes(struct bytes *b, const char *code)
{
	put1(b, 200);
	put1(b, (unsigned)strlen(code));
	put(b, code, strlen(code));
}

static void num_bytes(struct bytes *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	put1(b, 192);
	put1(b, u & 0xFF);
	put1(b, (u >> 8) & 0xFF);
	put1(b, (u >> 16) & 0xFF);
	put1(b, u >> 24);
}

static void instruments(void)
{
	static const char *const builtin[] = { "phq-9", "phq-2", "gad-7", "sdoh", "lace" };
	char name[64], code[80];
	size_t i, j, variant;
	int n = 0;

	for (i = 0; i < sizeof(builtin) / sizeof(*builtin); i++) {
		const struct cm__instrument *in = cm__instrument_builtin(builtin[i]);
		if (!in)
			exit(1);
		for (variant = 0; variant < 7; variant++) {
			struct bytes b = { 0 };
			snprintf(code, sizeof(code), "host-%s", in->code);
			put1(&b, 0);
			code_bytes(&b, code);
			code_bytes(&b, in->domain);
			for (j = 0; j < in->nitems; j++) {
				put1(&b, 1);
				code_bytes(&b, in->items[j].code);
				num_bytes(&b, in->items[j].min);
				num_bytes(&b, in->items[j].max);
				put1(&b, (unsigned)in->items[j].required);
			}
			for (j = 0; j < in->nbands; j++) {
				put1(&b, 2);
				num_bytes(&b, in->bands[j].min);
				put1(&b, (unsigned)in->bands[j].severity + 1);
				code_bytes(&b, in->bands[j].code);
			}
			if (variant == 1) { /* a duplicate item: refused */
				put1(&b, 1);
				code_bytes(&b, in->items[0].code);
				num_bytes(&b, 0);
				num_bytes(&b, 1);
				put1(&b, 0);
			}
			if (variant == 3) { /* a band out of order: refused */
				put1(&b, 2);
				num_bytes(&b, -5);
				put1(&b, 1);
				code_bytes(&b, "late");
			}
			if (variant == 4) { /* a required flag that is not 0/1 */
				put1(&b, 1);
				code_bytes(&b, "extra");
				num_bytes(&b, 0);
				num_bytes(&b, 4);
				put1(&b, 2);
			}
			if (variant == 5) { /* a severity out of range */
				put1(&b, 2);
				num_bytes(&b, 1000000);
				put1(&b, 5);
				code_bytes(&b, "severe-plus");
			}
			if (variant == 6) /* freed: nothing to register */
				put1(&b, 5);
			put1(&b, 3); /* register */
			if (variant == 2)
				put1(&b, 3); /* twice: CM_EEXIST */
			for (j = 0; j < 3; j++) { /* score, answers from the bytes */
				size_t k;
				put1(&b, 4);
				put1(&b, 0);
				for (k = 0; k < in->nitems; k++) {
					put1(&b, (unsigned)(j == 2 && k % 2));
					put1(&b, (unsigned)(k * 7 + j));
					put1(&b, 0);
					put1(&b, 0);
					put1(&b, 0);
				}
			}
			put1(&b, 5);
			snprintf(name, sizeof(name), "%s-%zu", in->code, variant);
			write_file("instrument", name, b.p, b.n);
			free(b.p);
			n++;
		}
	}
	(void)n;
}

/* ---- journals ------------------------------------------------------------ */

/* Real journal files: whole, cut inside the last frame, and the bare
 * header, so that recovery's every path starts from real bytes. */
static void journals(void)
{
	static const int commits[] = { 1, 3 };
	char dirbuf[] = "/tmp/cm-gen-journal-XXXXXX", path[128], name[64];
	size_t k;

	if (!mkdtemp(dirbuf)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/j", dirbuf);
	for (k = 0; k < sizeof(commits) / sizeof(commits[0]); k++) {
		cm_store_options o;
		cm_store *store;
		struct bytes b = { NULL, 0, 0 };
		FILE *f;
		char buf[4096];
		size_t n;
		int i;

		unlink(path);
		cm_store_options_init(&o, CM_STORE_OPTIONS_VERSION);
		o.clock_fn = gen_clock;
		o.id_seed = 7;
		OK(cm_store_open_journal(&store, path, CM_SYNC_NORMAL, &o));
		for (i = 0; i < commits[k]; i++) {
			cm_client *c;
			cm_txn *t;
			char mrn[16];
			OK(cm_client_new(&c, store));
			OK(cm_client_set_text(c, CM_CLIENT_FAMILY, "Journal"));
			snprintf(mrn, sizeof(mrn), "J%d", i);
			OK(cm_client_set_identifier(c, "MRN", mrn));
			if (i == 1)
				OK(cm_client_set_status(c, CM_CASE_ACTIVE, "enrolled"));
			OK(cm_txn_begin(&t, store, "gen"));
			OK(cm_client_save(t, c));
			OK(cm_txn_commit(t));
			cm_client_free(c);
		}
		cm_store_close(store);
		f = fopen(path, "rb");
		if (!f) {
			perror(path);
			exit(1);
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			put(&b, buf, n);
		fclose(f);
		snprintf(name, sizeof(name), "journal-%d", commits[k]);
		write_file("journal", name, b.p, b.n);
		snprintf(name, sizeof(name), "journal-%d-torn", commits[k]);
		write_file("journal", name, b.p, b.n - 7);
		if (k == 0)
			write_file("journal", "header-only", b.p, 32);
		free(b.p);
	}
	unlink(path);
	rmdir(dirbuf);
}

int main(int argc, char **argv)
{
	cm_store *store = NULL; /* for OK() messages outside history() */

	(void)store;
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	mkdir(root, 0777);
	history();
	records();
	dates();
	instruments();
	journals();
	return 0;
}
