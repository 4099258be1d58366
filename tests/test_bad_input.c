/*
 * Bad input, table-driven: one row per (public function, bad argument) with
 * the code the header documents. Every row must return exactly that code,
 * leave a message on the store when the call can reach one (MSG; NOMSG when
 * the only store would come from the bad argument itself), and leave the
 * committed state unchanged (cm__store_digest).
 *
 * Covered: NULL for each pointer argument, invalid UTF-8, overlong and
 * empty text, out-of-range numbers and dates, unknown ids, and handles of
 * the wrong kind (a cm_client * where a cm_plan * is expected: the library
 * checks handle kinds), across the store, txn, audit, client, assessment,
 * instrument, plan, service, provider, event and query APIs.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

int cm__err(const cm_store *s, int code, const char *fmt, ...);

struct fx {
	struct th_env env;
	cm_store *s;
	cm_txn *txn;     /* begun by tx() for one row, rolled back after it */
	cm_client *c;    /* committed */
	cm_client *nc;   /* new, unsaved */
	cm_plan *p;      /* committed, with goal g1 */
	cm_assessment *a;/* unsaved phq-9, no answers */
	cm_provider *pr; /* committed */
	cm_service *sv;  /* committed */
	cm_event *e;     /* committed */
	cm_instrument *def;
	char cid[80];
	char big[5000];  /* 4999 x 'a': beyond every field's limit */
	char bad[8];     /* invalid UTF-8 */
};

static struct fx F;

static cm_txn *tx(struct fx *f)
{
	if (!f->txn)
		assert_int_equal(cm_txn_begin(&f->txn, f->s, "bad-input"), CM_OK);
	return f->txn;
}

/* Out-parameters the rows write into (never read). */
static cm_txn *o_txn;
static cm_client *o_c;
static cm_plan *o_p;
static cm_assessment *o_a;
static cm_provider *o_pr;
static cm_service *o_sv;
static cm_event *o_e;
static cm_instrument *o_def;
static cm_client_iter *o_ci;
static cm_service_iter *o_si;
static cm_event_iter *o_ei;
static cm_audit_iter *o_ai;
static cm_worklist *o_wl;
static cm_plan_report *o_rep;
static int64_t o_i64, o_i64b;
static int32_t o_i32;
static size_t o_sz;
static char o_buf[64];

#define MSG 1
#define NOMSG 0
#define T0 TH_T0
#define D0 TH_D0

/* X(name, expected code, MSG/NOMSG, call using f) */
#define ROWS(X) \
	/* ---- store, options, txn, audit ---- */ \
	X(store_open_null_out, CM_EINVAL, NOMSG, cm_store_open(NULL, NULL)) \
	X(options_init_null, CM_EINVAL, NOMSG, cm_store_options_init(NULL, CM_STORE_OPTIONS_VERSION)) \
	X(options_init_version, CM_EVERSION, NOMSG, cm_store_options_init(&(cm_store_options){0}, 99)) \
	X(store_now_null_out, CM_EINVAL, MSG, cm_store_now(NULL, f->s)) \
	X(store_now_null_store, CM_EINVAL, NOMSG, cm_store_now(&o_i64, NULL)) \
	X(errmsg_copy_null_buf, CM_EINVAL, NOMSG, cm_store_errmsg_copy(f->s, NULL, 8)) \
	X(errmsg_copy_null_store, CM_EINVAL, NOMSG, cm_store_errmsg_copy(NULL, o_buf, 8)) \
	X(change_cb_null_store, CM_EINVAL, NOMSG, cm_store_set_change_callback(NULL, NULL, NULL)) \
	X(txn_begin_null_out, CM_EINVAL, MSG, cm_txn_begin(NULL, f->s, "x")) \
	X(txn_begin_null_store, CM_EINVAL, NOMSG, cm_txn_begin(&o_txn, NULL, "x")) \
	X(txn_begin_null_actor, CM_EINVAL, MSG, cm_txn_begin(&o_txn, f->s, NULL)) \
	X(txn_begin_empty_actor, CM_EINVAL, MSG, cm_txn_begin(&o_txn, f->s, "")) \
	X(txn_begin_utf8_actor, CM_EUTF8, MSG, cm_txn_begin(&o_txn, f->s, f->bad)) \
	X(txn_begin_long_actor, CM_ETOOLONG, MSG, cm_txn_begin(&o_txn, f->s, f->big)) \
	X(txn_begin_twice, CM_EBUSY, MSG, (tx(f), cm_txn_begin(&o_txn, f->s, "x"))) \
	X(txn_commit_null, CM_EINVAL, NOMSG, cm_txn_commit(NULL)) \
	X(audit_null_out, CM_EINVAL, MSG, cm_audit_query(NULL, f->s, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE)) \
	X(audit_null_store, CM_EINVAL, NOMSG, cm_audit_query(&o_ai, NULL, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE)) \
	X(audit_next_null, CM_EINVAL, NOMSG, cm_audit_iter_next(NULL)) \
	/* ---- client ---- */ \
	X(client_new_null_out, CM_EINVAL, MSG, cm_client_new(NULL, f->s)) \
	X(client_new_null_store, CM_EINVAL, NOMSG, cm_client_new(&o_c, NULL)) \
	X(client_get_null_out, CM_EINVAL, MSG, cm_client_get(NULL, f->s, f->cid)) \
	X(client_get_null_store, CM_EINVAL, NOMSG, cm_client_get(&o_c, NULL, f->cid)) \
	X(client_get_null_id, CM_EINVAL, MSG, cm_client_get(&o_c, f->s, NULL)) \
	X(client_get_unknown, CM_ENOTFOUND, MSG, cm_client_get(&o_c, f->s, "no-such-client")) \
	X(client_get_long_id, CM_ENOTFOUND, MSG, cm_client_get(&o_c, f->s, f->big)) \
	X(client_find_null_system, CM_EINVAL, MSG, cm_client_find(&o_c, f->s, NULL, "1")) \
	X(client_find_null_value, CM_EINVAL, MSG, cm_client_find(&o_c, f->s, "MRN", NULL)) \
	X(client_find_unknown, CM_ENOTFOUND, MSG, cm_client_find(&o_c, f->s, "MRN", "nobody")) \
	X(client_set_id_null_client, CM_EINVAL, NOMSG, cm_client_set_id(NULL, "abc")) \
	X(client_set_id_malformed, CM_EINVAL, MSG, cm_client_set_id(f->nc, "bad id!")) \
	X(client_set_id_empty, CM_EINVAL, MSG, cm_client_set_id(f->nc, "")) \
	X(client_set_id_committed, CM_ESTATE, MSG, cm_client_set_id(f->c, "abc")) \
	X(client_set_text_null, CM_EINVAL, NOMSG, cm_client_set_text(NULL, CM_CLIENT_FAMILY, "x")) \
	X(client_set_text_kind, CM_EINVAL, NOMSG, cm_client_set_text((cm_client *)f->p, CM_CLIENT_FAMILY, "x")) \
	X(client_set_text_field, CM_ERANGE, MSG, cm_client_set_text(f->c, 99, "x")) \
	X(client_set_text_utf8, CM_EUTF8, MSG, cm_client_set_text(f->c, CM_CLIENT_FAMILY, f->bad)) \
	X(client_set_text_long, CM_ETOOLONG, MSG, cm_client_set_text(f->c, CM_CLIENT_FAMILY, f->big)) \
	X(client_set_int_null, CM_EINVAL, NOMSG, cm_client_set_int(NULL, CM_CLIENT_RISK_TIER, 1)) \
	X(client_set_int_field, CM_ERANGE, MSG, cm_client_set_int(f->c, 99, 1)) \
	X(client_set_int_date, CM_EDATE, MSG, cm_client_set_int(f->c, CM_CLIENT_BIRTH_DATE, CM_DATE_MAX + 1LL)) \
	X(client_set_int_tier, CM_ERANGE, MSG, cm_client_set_int(f->c, CM_CLIENT_RISK_TIER, 5)) \
	X(client_get_int_null_out, CM_EINVAL, NOMSG, cm_client_get_int(NULL, f->c, CM_CLIENT_RISK_TIER)) \
	X(client_get_int_kind, CM_EINVAL, NOMSG, cm_client_get_int(&o_i64, (cm_client *)f->e, CM_CLIENT_RISK_TIER)) \
	X(client_set_status_range, CM_ERANGE, MSG, cm_client_set_status(f->c, 99, "r")) \
	X(client_set_status_null_reason, CM_EINVAL, MSG, cm_client_set_status(f->c, CM_CASE_ACTIVE, NULL)) \
	X(client_set_status_utf8, CM_EUTF8, MSG, cm_client_set_status(f->c, CM_CASE_ACTIVE, f->bad)) \
	X(client_set_identifier_null, CM_EINVAL, MSG, cm_client_set_identifier(f->c, NULL, "x")) \
	X(client_set_identifier_utf8, CM_EUTF8, MSG, cm_client_set_identifier(f->c, "MRN", f->bad)) \
	X(client_add_coverage_null, CM_EINVAL, MSG, cm_client_add_coverage(f->c, NULL, NULL, NULL)) \
	X(client_remove_coverage_range, CM_ERANGE, MSG, cm_client_remove_coverage(f->c, 99)) \
	X(client_save_null_txn, CM_EINVAL, MSG, cm_client_save(NULL, f->c)) \
	X(client_save_null_client, CM_EINVAL, MSG, cm_client_save(tx(f), NULL)) \
	X(client_save_kind, CM_EINVAL, MSG, cm_client_save(tx(f), (cm_client *)f->p)) \
	X(client_list_null_out, CM_EINVAL, MSG, cm_client_list(NULL, f->s, 0, NULL, NULL)) \
	X(client_list_status, CM_ERANGE, MSG, cm_client_list(&o_ci, f->s, 99, NULL, NULL)) \
	X(client_list_utf8, CM_EUTF8, MSG, cm_client_list(&o_ci, f->s, 0, NULL, f->bad)) \
	X(case_status_parse_null, CM_EINVAL, NOMSG, cm_case_status_parse(NULL, "active")) \
	/* ---- assessment and instruments ---- */ \
	X(assessment_new_null_out, CM_EINVAL, MSG, cm_assessment_new(NULL, f->s, f->cid, "phq-9")) \
	X(assessment_new_null_client, CM_EINVAL, MSG, cm_assessment_new(&o_a, f->s, NULL, "phq-9")) \
	X(assessment_new_long_client, CM_EINVAL, MSG, cm_assessment_new(&o_a, f->s, f->big, "phq-9")) \
	X(assessment_new_null_instr, CM_EINVAL, MSG, cm_assessment_new(&o_a, f->s, f->cid, NULL)) \
	X(assessment_new_unknown_instr, CM_ENOTFOUND, MSG, cm_assessment_new(&o_a, f->s, f->cid, "no-such")) \
	X(assessment_get_unknown, CM_ENOTFOUND, MSG, cm_assessment_get(&o_a, f->s, "no-such")) \
	X(assessment_set_answer_null, CM_EINVAL, NOMSG, cm_assessment_set_answer(NULL, "q1", 1)) \
	X(assessment_set_answer_kind, CM_EINVAL, NOMSG, cm_assessment_set_answer((cm_assessment *)f->c, "q1", 1)) \
	X(assessment_set_answer_item, CM_ENOTFOUND, MSG, cm_assessment_set_answer(f->a, "zz", 1)) \
	X(assessment_set_answer_range, CM_ERANGE, MSG, cm_assessment_set_answer(f->a, "q1", 4)) \
	X(assessment_set_text_utf8, CM_EUTF8, MSG, cm_assessment_set_text(f->a, CM_ASSESSMENT_NOTE, f->bad)) \
	X(assessment_set_status_range, CM_ERANGE, MSG, cm_assessment_set_status(f->a, 99, "r")) \
	X(assessment_set_status_incomplete, CM_EINCOMPLETE, MSG, cm_assessment_set_status(f->a, CM_ASSESSMENT_COMPLETED, "done")) \
	X(assessment_score_null, CM_EINVAL, NOMSG, cm_assessment_score(NULL, NULL, NULL, NULL)) \
	X(assessment_save_kind, CM_EINVAL, MSG, cm_assessment_save(tx(f), (cm_assessment *)f->c)) \
	X(assessment_save_null, CM_EINVAL, MSG, cm_assessment_save(tx(f), NULL)) \
	X(risk_policy_unknown, CM_ENOTFOUND, MSG, cm_store_set_risk_policy(f->s, "no-such", 5, 10, 15)) \
	X(risk_policy_order, CM_EINVAL, MSG, cm_store_set_risk_policy(f->s, "phq-9", 10, 5, 15)) \
	X(instrument_new_null_out, CM_EINVAL, MSG, cm_instrument_new(NULL, f->s, "x", "y")) \
	X(instrument_new_code, CM_EINVAL, MSG, cm_instrument_new(&o_def, f->s, "Bad Code", "y")) \
	X(instrument_new_long, CM_ETOOLONG, MSG, cm_instrument_new(&o_def, f->s, f->big, "y")) \
	X(instrument_add_item_null, CM_EINVAL, NOMSG, cm_instrument_add_item(NULL, "a", 0, 1, 0)) \
	X(instrument_add_item_long, CM_ETOOLONG, MSG, cm_instrument_add_item(f->def, f->big, 0, 1, 0)) \
	X(instrument_add_band_null_code, CM_EINVAL, MSG, cm_instrument_add_band(f->def, 0, NULL, 0)) \
	X(instrument_register_null, CM_EINVAL, MSG, cm_store_register_instrument(f->s, NULL)) \
	X(instrument_register_empty, CM_EINVAL, MSG, cm_store_register_instrument(f->s, f->def)) \
	X(instrument_item_at_unknown, CM_ENOTFOUND, MSG, cm_instrument_item_at(NULL, NULL, NULL, NULL, f->s, "no-such", 0)) \
	X(instrument_item_at_range, CM_ERANGE, MSG, cm_instrument_item_at(NULL, NULL, NULL, NULL, f->s, "phq-9", 99)) \
	/* ---- plan ---- */ \
	X(plan_new_null_out, CM_EINVAL, MSG, cm_plan_new(NULL, f->s, f->cid)) \
	X(plan_new_null_client, CM_EINVAL, MSG, cm_plan_new(&o_p, f->s, NULL)) \
	X(plan_get_unknown, CM_ENOTFOUND, MSG, cm_plan_get(&o_p, f->s, "no-such")) \
	X(plan_set_text_kind, CM_EINVAL, NOMSG, cm_plan_set_text((cm_plan *)f->c, CM_PLAN_TITLE, "x")) \
	X(plan_set_text_field, CM_ERANGE, MSG, cm_plan_set_text(f->p, 99, "x")) \
	X(plan_set_text_utf8, CM_EUTF8, MSG, cm_plan_set_text(f->p, CM_PLAN_TITLE, f->bad)) \
	X(plan_set_text_long, CM_ETOOLONG, MSG, cm_plan_set_text(f->p, CM_PLAN_TITLE, f->big)) \
	X(plan_set_int_date, CM_EDATE, MSG, cm_plan_set_int(f->p, CM_PLAN_PERIOD_START, CM_DATE_MAX + 1LL)) \
	X(plan_set_status_range, CM_ERANGE, MSG, cm_plan_set_status(f->p, 99, "r")) \
	X(plan_add_goal_null, CM_EINVAL, MSG, cm_plan_add_goal(NULL, f->p, NULL)) \
	X(plan_add_goal_kind, CM_EINVAL, NOMSG, cm_plan_add_goal(NULL, (cm_plan *)f->c, "g")) \
	X(plan_link_unknown, CM_ENOTFOUND, MSG, cm_plan_link(f->p, "zz9", "g1")) \
	X(plan_element_status_unknown, CM_ENOTFOUND, MSG, cm_plan_element_set_status(f->p, "zz9", CM_GOAL_PROPOSED, "r")) \
	X(plan_goal_note_unknown, CM_ENOTFOUND, MSG, cm_plan_goal_add_note(f->p, "zz9", "note")) \
	X(plan_approve_null, CM_EINVAL, MSG, cm_plan_approve(f->p, NULL, T0)) \
	X(plan_approve_time, CM_EDATE, MSG, cm_plan_approve(f->p, "dr", CM_TIME_MAX + 1LL)) \
	X(plan_check_null_out, CM_EINVAL, NOMSG, cm_plan_check(NULL, f->p, D0)) \
	X(plan_check_date, CM_EDATE, MSG, cm_plan_check(&o_rep, f->p, CM_DATE_NONE)) \
	X(plan_gas_null, CM_EINVAL, NOMSG, cm_plan_gas_tscore(&o_i32, NULL)) \
	X(plan_save_kind, CM_EINVAL, MSG, cm_plan_save(tx(f), (cm_plan *)f->c)) \
	X(plan_approval_required_range, CM_EINVAL, MSG, cm_store_set_plan_approval_required(f->s, 2)) \
	/* ---- provider and service ---- */ \
	X(provider_new_null_name, CM_EINVAL, MSG, cm_provider_new(&o_pr, f->s, NULL, 1)) \
	X(provider_new_long, CM_ETOOLONG, MSG, cm_provider_new(&o_pr, f->s, f->big, 1)) \
	X(provider_new_kind, CM_ERANGE, MSG, cm_provider_new(&o_pr, f->s, "X", 0)) \
	X(provider_get_unknown, CM_ENOTFOUND, MSG, cm_provider_get(&o_pr, f->s, "no-such")) \
	X(provider_network_range, CM_ERANGE, MSG, cm_provider_set_network(f->pr, "Acme", 3)) \
	X(provider_network_kind, CM_EINVAL, NOMSG, cm_provider_set_network((cm_provider *)f->sv, "Acme", 1)) \
	X(provider_save_kind, CM_EINVAL, MSG, cm_provider_save(tx(f), (cm_provider *)f->c)) \
	X(service_new_null_category, CM_EINVAL, MSG, cm_service_new(&o_sv, f->s, f->cid, NULL)) \
	X(service_new_utf8, CM_EUTF8, MSG, cm_service_new(&o_sv, f->s, f->cid, f->bad)) \
	X(service_get_unknown, CM_ENOTFOUND, MSG, cm_service_get(&o_sv, f->s, "no-such")) \
	X(service_status_side, CM_EINVAL, MSG, cm_service_set_status(f->sv, 9, CM_TASK_DRAFT, "r")) \
	X(service_status_range, CM_ERANGE, MSG, cm_service_set_status(f->sv, CM_SIDE_REQUESTER, 99, "r")) \
	X(service_share_party, CM_ERANGE, MSG, cm_service_add_share(f->sv, 99, "x", 1)) \
	X(service_share_kind, CM_EINVAL, NOMSG, cm_service_add_share((cm_service *)f->pr, CM_PARTY_PAYER, "x", 1)) \
	X(service_save_kind, CM_EINVAL, MSG, cm_service_save(tx(f), (cm_service *)f->c)) \
	X(service_list_null_out, CM_EINVAL, MSG, cm_service_list(NULL, f->s, f->cid)) \
	X(service_list_unknown, CM_ENOTFOUND, MSG, cm_service_list(&o_si, f->s, "no-such")) \
	/* ---- event ---- */ \
	X(event_new_null_out, CM_EINVAL, MSG, cm_event_new(NULL, f->s, f->cid, CM_EVENT_NOTE, T0)) \
	X(event_new_null_client, CM_EINVAL, MSG, cm_event_new(&o_e, f->s, NULL, CM_EVENT_NOTE, T0)) \
	X(event_new_type, CM_ERANGE, MSG, cm_event_new(&o_e, f->s, f->cid, 99, T0)) \
	X(event_new_time, CM_EDATE, MSG, cm_event_new(&o_e, f->s, f->cid, CM_EVENT_NOTE, CM_TIME_MAX + 1LL)) \
	X(event_get_unknown, CM_ENOTFOUND, MSG, cm_event_get(&o_e, f->s, "no-such")) \
	X(event_set_text_kind, CM_EINVAL, NOMSG, cm_event_set_text((cm_event *)f->c, CM_EVENT_ACTOR, "x")) \
	X(event_set_amends_committed, CM_ESTATE, MSG, cm_event_set_amends(f->e, "abc")) \
	X(event_save_kind, CM_EINVAL, MSG, cm_event_save(tx(f), (cm_event *)f->c)) \
	X(event_timeline_null_out, CM_EINVAL, MSG, cm_event_timeline(NULL, f->s, f->cid, CM_TIME_NONE, CM_TIME_NONE, 0)) \
	X(event_timeline_unknown, CM_ENOTFOUND, MSG, cm_event_timeline(&o_ei, f->s, "no-such", CM_TIME_NONE, CM_TIME_NONE, 0)) \
	/* ---- queries ---- */ \
	X(contact_interval_tier, CM_ERANGE, MSG, cm_store_set_contact_interval(f->s, 9, 30)) \
	X(contact_interval_null_store, CM_EINVAL, NOMSG, cm_store_set_contact_interval(NULL, 1, 30)) \
	X(contact_interval_get_null, CM_EINVAL, MSG, cm_store_contact_interval(NULL, f->s, 1)) \
	X(record_contact_kind, CM_EINVAL, MSG, cm_client_record_contact(tx(f), (cm_client *)f->p, f->e)) \
	X(worklist_null_out, CM_EINVAL, MSG, cm_worklist_query(NULL, f->s, NULL, D0, 30, 0, 0, 10)) \
	X(worklist_date, CM_EDATE, MSG, cm_worklist_query(&o_wl, f->s, NULL, CM_DATE_MAX + 1, 30, 0, 0, 10)) \
	X(worklist_kinds, CM_ERANGE, MSG, cm_worklist_query(&o_wl, f->s, NULL, D0, 30, 0x80000000u, 0, 10)) \
	X(worklist_utf8, CM_EUTF8, MSG, cm_worklist_query(&o_wl, f->s, f->bad, D0, 30, 0, 0, 10)) \
	X(caseload_null_out, CM_EINVAL, MSG, cm_caseload_list(NULL, f->s)) \
	X(reassign_same, CM_EINVAL, MSG, cm_caseload_reassign(&o_sz, tx(f), "a", "a")) \
	X(reassign_utf8, CM_EUTF8, MSG, cm_caseload_reassign(&o_sz, tx(f), f->bad, "a")) \
	X(measure_unknown, CM_ERANGE, MSG, cm_measure_compute(&o_i64, &o_i64b, &o_i32, f->s, 99, D0 - 30, D0, D0, NULL)) \
	X(measure_dates, CM_EDATE, MSG, cm_measure_compute(&o_i64, &o_i64b, &o_i32, f->s, CM_MEASURE_REFERRAL_CLOSURE, D0, D0 - 30, D0, NULL)) \
	X(measure_period_reversed, CM_EDATE, MSG, cm_measure_compute(&o_i64, &o_i64b, &o_i32, f->s, CM_MEASURE_GOAL_ATTAINMENT, D0, D0 - 30, D0, NULL)) \
	/* ---- dates, times, text ---- */ \
	X(date_parse_null, CM_EINVAL, NOMSG, cm_date_parse(NULL, "2026-01-01")) \
	X(date_parse_impossible, CM_EDATE, NOMSG, cm_date_parse(&o_i32, "2026-02-30")) \
	X(date_parse_empty, CM_EINVAL, NOMSG, cm_date_parse(&o_i32, "")) \
	X(date_from_ymd_year, CM_EDATE, NOMSG, cm_date_from_ymd(&o_i32, 10000, 1, 1)) \
	X(time_parse_hour, CM_EDATE, NOMSG, cm_time_parse(&o_i64, "2026-01-01T24:00:00Z")) \
	X(time_format_small, CM_EINVAL, NOMSG, cm_time_format(o_buf, 5, 0)) \
	X(time_format_range, CM_EDATE, NOMSG, cm_time_format(o_buf, sizeof(o_buf), CM_TIME_MAX + 1LL)) \
	X(utf8_check_bad, CM_EUTF8, NOMSG, cm_utf8_check(f->bad, 10)) \
	X(utf8_check_long, CM_ETOOLONG, NOMSG, cm_utf8_check(f->big, 100)) \
	X(utf8_check_null, CM_EINVAL, NOMSG, cm_utf8_check(NULL, 100))

#define X_FN(name, code, msg, ...) \
	static int row_##name(struct fx *f) { (void)f; return (__VA_ARGS__); }
ROWS(X_FN)
#undef X_FN

struct row {
	const char *name;
	int (*call)(struct fx *f);
	int code;
	int msg;
};

#define X_ROW(name, code, msg, ...) { #name, row_##name, code, msg },
static const struct row rows[] = { ROWS(X_ROW) };
#undef X_ROW

static void setup(struct fx *f)
{
	cm_txn *txn;

	memset(f, 0, sizeof(*f));
	th_open(&f->env);
	f->s = f->env.store;
	memset(f->big, 'a', sizeof(f->big) - 1);
	strcpy(f->bad, "a\xc0\xafz");

	assert_int_equal(cm_client_new(&f->c, f->s), CM_OK);
	assert_int_equal(cm_client_set_text(f->c, CM_CLIENT_FAMILY, "Ng"), CM_OK);
	assert_int_equal(cm_client_set_identifier(f->c, "MRN", "M1"), CM_OK);
	assert_int_equal(cm_client_add_coverage(f->c, "Medicaid", NULL, NULL), CM_OK);
	strcpy(f->cid, cm_client_id(f->c));
	assert_int_equal(cm_client_new(&f->nc, f->s), CM_OK);
	assert_int_equal(cm_plan_new(&f->p, f->s, f->cid), CM_OK);
	assert_int_equal(cm_plan_set_text(f->p, CM_PLAN_AUTHOR, "cm"), CM_OK);
	assert_int_equal(cm_plan_add_goal(NULL, f->p, "a goal"), CM_OK);
	assert_int_equal(cm_provider_new(&f->pr, f->s, "Sunrise", 1), CM_OK);
	assert_int_equal(cm_service_new(&f->sv, f->s, f->cid, "infusion"), CM_OK);
	assert_int_equal(cm_event_new(&f->e, f->s, f->cid, CM_EVENT_NOTE, T0), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, f->s, "setup"), CM_OK);
	assert_int_equal(cm_client_save(txn, f->c), CM_OK);
	assert_int_equal(cm_plan_save(txn, f->p), CM_OK);
	assert_int_equal(cm_provider_save(txn, f->pr), CM_OK);
	assert_int_equal(cm_service_save(txn, f->sv), CM_OK);
	assert_int_equal(cm_event_save(txn, f->e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	assert_int_equal(cm_assessment_new(&f->a, f->s, f->cid, "phq-9"), CM_OK);
	assert_int_equal(cm_instrument_new(&f->def, f->s, "host-def", "domain"), CM_OK);
}

static void teardown(struct fx *f)
{
	cm_instrument_free(f->def);
	cm_assessment_free(f->a);
	cm_event_free(f->e);
	cm_service_free(f->sv);
	cm_provider_free(f->pr);
	cm_plan_free(f->p);
	cm_client_free(f->c);
	cm_client_free(f->nc);
	th_close(&f->env);
}

static void test_bad_input_table(void **state)
{
	size_t i, failures = 0;

	(void)state;
	setup(&F);
	for (i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const struct row *r = &rows[i];
		uint64_t before = cm__store_digest(F.s);
		int rc;

		cm__err(F.s, 0, "%s", ""); /* clear the message */
		rc = r->call(&F);
		if (rc != r->code) {
			fprintf(stderr, "row %s: returned %s, documented %s (%s)\n",
				r->name, cm_error_name(rc) ? cm_error_name(rc) : "?",
				cm_error_name(r->code), cm_store_errmsg(F.s));
			failures++;
		} else if (r->msg && cm_store_errmsg(F.s)[0] == '\0') {
			fprintf(stderr, "row %s: %s without a message\n", r->name,
				cm_error_name(rc));
			failures++;
		}
		if (F.txn) {
			cm_txn_rollback(F.txn);
			F.txn = NULL;
		}
		if (cm__store_digest(F.s) != before) {
			fprintf(stderr, "row %s: changed the store\n", r->name);
			failures++;
		}
	}
	printf("%zu rows, %zu failed\n", i, failures);
	teardown(&F);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
