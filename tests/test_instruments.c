/*
 * Built-in instruments against their published scoring tables: PHQ-9,
 * PHQ-2, GAD-7 (band cut points), LACE (every row of the L, A, C and E
 * tables and the Charlson weights of the LACE tool) and the SDOH screen.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct th_env env;

static int setup(void **state)
{
	(void)state;
	th_open(&env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_close(&env);
	return 0;
}

static cm_assessment *new_assessment(const char *instrument)
{
	cm_assessment *a = NULL;
	assert_int_equal(cm_assessment_new(&a, env.store, "client-1", instrument), CM_OK);
	return a;
}

/* Answer items q1..qn of a sum instrument so that they total `total`
 * (filling each item up to 3, the rest 0). */
static void answer_total(cm_assessment *a, int n, int total)
{
	char item[16];
	int i;

	for (i = 1; i <= n; i++) {
		int v = total > 3 ? 3 : total;
		total -= v;
		snprintf(item, sizeof(item), "q%d", i);
		assert_int_equal(cm_assessment_set_answer(a, item, v), CM_OK);
	}
	assert_int_equal(total, 0);
}

struct band_vector {
	int total;
	const char *band;
};

static void check_bands(const char *instrument, int nitems,
			const struct band_vector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cm_assessment *a = new_assessment(instrument);
		int32_t total = -1, flags = -1;
		const char *band = NULL;
		/* Put the points on the last items so that PHQ-9 item 9 is
		 * only used when the total needs it. */
		answer_total(a, nitems, v[i].total);
		assert_int_equal(cm_assessment_score(&total, &band, &flags, a), CM_OK);
		assert_int_equal(total, v[i].total);
		assert_string_equal(band, v[i].band);
		cm_assessment_free(a);
	}
}

static void test_phq9_bands(void **state)
{
	static const struct band_vector v[] = {
		{ 0, "minimal" }, { 4, "minimal" }, { 5, "mild" }, { 9, "mild" },
		{ 10, "moderate" }, { 14, "moderate" },
		{ 15, "moderately-severe" }, { 19, "moderately-severe" },
		{ 20, "severe" }, { 27, "severe" },
	};
	(void)state;
	check_bands("phq-9", 9, v, sizeof(v) / sizeof(v[0]));
}

static void test_phq9_safety_flag(void **state)
{
	cm_assessment *a = new_assessment("phq-9");
	int32_t total, flags, sev;
	const char *band, *domain;
	(void)state;
	answer_total(a, 8, 0);
	assert_int_equal(cm_assessment_set_answer(a, "q9", 1), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, &flags, a), CM_OK);
	assert_int_equal(total, 1);
	assert_string_equal(band, "minimal");
	assert_int_equal(flags, CM_ASSESSMENT_FLAG_SAFETY);
	/* Minimal band: no depression finding, but the safety finding. */
	assert_int_equal(cm_assessment_finding_count(a), 1);
	assert_int_equal(cm_assessment_finding_at(&domain, &sev, a, 0), CM_OK);
	assert_string_equal(domain, "safety");
	assert_int_equal(sev, CM_SEVERITY_HIGH);
	/* Item 9 at 0: no flag even with a severe total. */
	assert_int_equal(cm_assessment_set_answer(a, "q9", 0), CM_OK);
	assert_int_equal(cm_assessment_score(NULL, NULL, &flags, a), CM_OK);
	assert_int_equal(flags, 0);
	/* The difficulty question is answered but not scored. */
	assert_int_equal(cm_assessment_set_answer(a, "q10", 3), CM_OK);
	assert_int_equal(cm_assessment_score(&total, NULL, NULL, a), CM_OK);
	assert_int_equal(total, 0);
	assert_int_equal(cm_assessment_component_count(a), 9);
	cm_assessment_free(a);
}

static void test_phq9_components(void **state)
{
	cm_assessment *a = new_assessment("phq-9");
	const char *code;
	int32_t score;
	(void)state;
	answer_total(a, 9, 13);
	assert_int_equal(cm_assessment_component_count(a), 9);
	assert_int_equal(cm_assessment_component_at(&code, &score, a, 4), CM_OK);
	assert_string_equal(code, "q5");
	assert_int_equal(score, 1);
	assert_int_equal(cm_assessment_component_at(&code, &score, a, 9), CM_ERANGE);
	assert_int_equal(cm_assessment_finding_at(&code, &score, a, 0), CM_OK);
	assert_string_equal(code, "depression");
	assert_int_equal(score, CM_SEVERITY_MODERATE);
	cm_assessment_free(a);
}

static void test_phq2(void **state)
{
	static const struct band_vector v[] = {
		{ 0, "negative" }, { 2, "negative" }, { 3, "positive" }, { 6, "positive" },
	};
	(void)state;
	check_bands("phq-2", 2, v, sizeof(v) / sizeof(v[0]));
}

static void test_gad7(void **state)
{
	static const struct band_vector v[] = {
		{ 0, "minimal" }, { 4, "minimal" }, { 5, "mild" }, { 9, "mild" },
		{ 10, "moderate" }, { 14, "moderate" }, { 15, "severe" },
		{ 21, "severe" },
	};
	(void)state;
	check_bands("gad-7", 7, v, sizeof(v) / sizeof(v[0]));
}

/* ---- LACE -------------------------------------------------------------- */

static int32_t component(cm_assessment *a, const char *code)
{
	size_t i, n = cm_assessment_component_count(a);
	const char *c;
	int32_t s;

	for (i = 0; i < n; i++) {
		assert_int_equal(cm_assessment_component_at(&c, &s, a, i), CM_OK);
		if (strcmp(c, code) == 0)
			return s;
	}
	fail_msg("no component %s", code);
	return -1;
}

static cm_assessment *lace(int los, int acute, int ed)
{
	cm_assessment *a = new_assessment("lace");
	assert_int_equal(cm_assessment_set_answer(a, "length-of-stay", los), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "acute", acute), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "ed-visits", ed), CM_OK);
	return a;
}

static void test_lace_length_of_stay(void **state)
{
	/* LACE "L": <1 day 0, 1 -> 1, 2 -> 2, 3 -> 3, 4-6 -> 4, 7-13 -> 5,
	 * 14+ -> 7. */
	static const int days[] = { 0, 1, 2, 3, 4, 6, 7, 13, 14, 60 };
	static const int pts[] = { 0, 1, 2, 3, 4, 4, 5, 5, 7, 7 };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		cm_assessment *a = lace(days[i], 0, 0);
		assert_int_equal(component(a, "L"), pts[i]);
		cm_assessment_free(a);
	}
}

static void test_lace_acuity_and_ed(void **state)
{
	static const int ed[] = { 0, 1, 2, 3, 4, 5, 20 };
	static const int pts[] = { 0, 1, 2, 3, 4, 4, 4 };
	size_t i;
	cm_assessment *a;
	(void)state;
	a = lace(0, 1, 0);
	assert_int_equal(component(a, "A"), 3);
	cm_assessment_free(a);
	a = lace(0, 0, 0);
	assert_int_equal(component(a, "A"), 0);
	cm_assessment_free(a);
	for (i = 0; i < sizeof(ed) / sizeof(ed[0]); i++) {
		a = lace(0, 0, ed[i]);
		assert_int_equal(component(a, "E"), pts[i]);
		cm_assessment_free(a);
	}
}

static void test_lace_charlson(void **state)
{
	/* The LACE tool's Charlson table: condition -> weight. */
	static const struct {
		const char *item;
		int weight;
	} w[] = {
		{ "previous-mi", 1 }, { "cerebrovascular", 1 },
		{ "peripheral-vascular", 1 }, { "diabetes", 1 }, { "chf", 2 },
		{ "diabetes-end-organ", 2 }, { "chronic-pulmonary", 2 },
		{ "mild-liver", 2 }, { "tumor", 2 }, { "dementia", 3 },
		{ "connective-tissue", 3 }, { "aids", 4 },
		{ "moderate-severe-liver", 4 }, { "metastatic-tumor", 6 },
	};
	/* Charlson score -> C points: 0..3 as is, 4+ -> 5. */
	static const int cpts[] = { 0, 1, 2, 3, 5, 5, 5 };
	size_t i;
	cm_assessment *a;
	(void)state;
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		a = lace(0, 0, 0);
		assert_int_equal(cm_assessment_set_answer(a, w[i].item, 1), CM_OK);
		assert_int_equal(component(a, "charlson"), w[i].weight);
		assert_int_equal(component(a, "C"), cpts[w[i].weight]);
		cm_assessment_free(a);
	}
	/* dementia (3) + diabetes (1) = 4 -> 5 points. */
	a = lace(0, 0, 0);
	assert_int_equal(cm_assessment_set_answer(a, "dementia", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "diabetes", 1), CM_OK);
	assert_int_equal(component(a, "charlson"), 4);
	assert_int_equal(component(a, "C"), 5);
	/* A condition answered 0 counts nothing. */
	assert_int_equal(cm_assessment_set_answer(a, "dementia", 0), CM_OK);
	assert_int_equal(component(a, "charlson"), 1);
	cm_assessment_free(a);
}

static void test_lace_totals_and_bands(void **state)
{
	cm_assessment *a;
	int32_t total;
	const char *band;
	(void)state;
	/* 5 days (4) + acute (3) + CHF and diabetes, Charlson 3 (3) + 2 ED
	 * visits (2) = 12, high. */
	a = lace(5, 1, 2);
	assert_int_equal(cm_assessment_set_answer(a, "chf", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "diabetes", 1), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 12);
	assert_string_equal(band, "high");
	cm_assessment_free(a);
	/* The maximum: 7 + 3 + 5 + 4 = 19. */
	a = lace(30, 1, 9);
	assert_int_equal(cm_assessment_set_answer(a, "metastatic-tumor", 1), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 19);
	cm_assessment_free(a);
	/* Band edges: 4 low, 5 moderate, 9 moderate, 10 high. */
	a = lace(4, 0, 0);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 4);
	assert_string_equal(band, "low");
	assert_int_equal(cm_assessment_finding_count(a), 0);
	cm_assessment_free(a);
	a = lace(4, 0, 1);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 5);
	assert_string_equal(band, "moderate");
	cm_assessment_free(a);
	a = lace(7, 0, 4);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 9);
	assert_string_equal(band, "moderate");
	cm_assessment_free(a);
	a = lace(7, 1, 2);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 10);
	assert_string_equal(band, "high");
	cm_assessment_free(a);
}

/* ---- SDOH -------------------------------------------------------------- */

static void test_sdoh(void **state)
{
	cm_assessment *a = new_assessment("sdoh");
	int32_t total, sev;
	const char *band, *domain;
	(void)state;
	assert_int_equal(cm_assessment_set_answer(a, "food-insecurity", 2), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "housing-instability", 0), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "transportation-insecurity", 1), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "utility-insecurity", 0), CM_OK);
	assert_int_equal(cm_assessment_set_answer(a, "interpersonal-safety", 0), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 2);
	assert_string_equal(band, "needs");
	assert_int_equal(cm_assessment_component_count(a), 5);
	assert_int_equal(cm_assessment_finding_count(a), 2);
	assert_int_equal(cm_assessment_finding_at(&domain, &sev, a, 0), CM_OK);
	assert_string_equal(domain, "food-insecurity");
	assert_int_equal(sev, 2);
	assert_int_equal(cm_assessment_finding_at(&domain, &sev, a, 1), CM_OK);
	assert_string_equal(domain, "transportation-insecurity");
	assert_int_equal(sev, 1);
	assert_int_equal(cm_assessment_set_answer(a, "caregiver-support", 3), CM_OK);
	assert_int_equal(cm_assessment_score(&total, &band, NULL, a), CM_OK);
	assert_int_equal(total, 3);
	assert_string_equal(band, "multiple-needs");
	/* Every Gravity domain the issue lists is an item. */
	{
		static const char *const domains[] = {
			"homelessness", "inadequate-housing", "financial-insecurity",
			"health-literacy", "social-connection", "caregiver-support",
		};
		size_t i;
		for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
			assert_int_equal(cm_assessment_set_answer(a, domains[i], 0), CM_OK);
	}
	assert_int_equal(cm_assessment_set_answer(a, "stress", 4), CM_ERANGE);
	assert_int_equal(cm_assessment_set_answer(a, "no-such-domain", 1), CM_ENOTFOUND);
	cm_assessment_free(a);
}

static void test_item_listing(void **state)
{
	const char *code;
	int32_t min, max, req;
	(void)state;
	assert_int_equal(cm_instrument_item_at(&code, &min, &max, &req, env.store,
					       "lace", 0), CM_OK);
	assert_string_equal(code, "length-of-stay");
	assert_int_equal(min, 0);
	assert_int_equal(req, 1);
	assert_int_equal(cm_instrument_item_at(&code, &min, &max, &req, env.store,
					       "phq-9", 9), CM_OK);
	assert_string_equal(code, "q10");
	assert_int_equal(req, 0);
	assert_int_equal(cm_instrument_item_at(NULL, NULL, NULL, NULL, env.store,
					       "phq-9", 10), CM_ERANGE);
	assert_int_equal(cm_instrument_item_at(NULL, NULL, NULL, NULL, env.store,
					       "nope", 0), CM_ENOTFOUND);
	assert_int_equal(cm_instrument_item_at(NULL, NULL, NULL, NULL, env.store,
					       NULL, 0), CM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_phq9_bands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phq9_safety_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phq9_components, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phq2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gad7, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lace_length_of_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lace_acuity_and_ed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lace_charlson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lace_totals_and_bands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sdoh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_listing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
