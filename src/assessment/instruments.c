/*
 * Built-in instruments, transcribed from their published scoring tables,
 * and instrument lookup (built-in first, then the store's registry).
 */
#include <string.h>

#include "assessment/assessment_impl.h"

#define Q(c) { c, 0, 3, 1, 0 }

/* PHQ-9 (Kroenke, Spitzer & Williams 2001). q10, the difficulty question,
 * is asked but not scored (weight -1). */
static const struct cm__item phq9_items[] = {
	Q("q1"), Q("q2"), Q("q3"), Q("q4"), Q("q5"), Q("q6"), Q("q7"), Q("q8"),
	Q("q9"), { "q10", 0, 3, 0, -1 },
};
static const struct cm__band phq9_bands[] = {
	{ 0, "minimal", CM_SEVERITY_NONE },
	{ 5, "mild", CM_SEVERITY_LOW },
	{ 10, "moderate", CM_SEVERITY_MODERATE },
	{ 15, "moderately-severe", CM_SEVERITY_HIGH },
	{ 20, "severe", CM_SEVERITY_HIGH },
};

/* PHQ-2 (Kroenke 2003): a total of 3 or more is a positive screen. */
static const struct cm__item phq2_items[] = { Q("q1"), Q("q2") };
static const struct cm__band phq2_bands[] = {
	{ 0, "negative", CM_SEVERITY_NONE },
	{ 3, "positive", CM_SEVERITY_MODERATE },
};

/* GAD-7 (Spitzer 2006): cut points 5, 10, 15. */
static const struct cm__item gad7_items[] = {
	Q("q1"), Q("q2"), Q("q3"), Q("q4"), Q("q5"), Q("q6"), Q("q7"),
};
static const struct cm__band gad7_bands[] = {
	{ 0, "minimal", CM_SEVERITY_NONE },
	{ 5, "mild", CM_SEVERITY_LOW },
	{ 10, "moderate", CM_SEVERITY_MODERATE },
	{ 15, "severe", CM_SEVERITY_HIGH },
};

/* LACE (van Walraven 2010). The first three items are fixed in place:
 * lace.c reads them by index. The conditions and weights are those of the
 * LACE tool's Charlson table. */
static const struct cm__item lace_items[] = {
	{ "length-of-stay", 0, 3650, 1, 0 },
	{ "acute", 0, 1, 1, 0 },
	{ "ed-visits", 0, 99, 1, 0 },
	{ "previous-mi", 0, 1, 0, 1 },
	{ "cerebrovascular", 0, 1, 0, 1 },
	{ "peripheral-vascular", 0, 1, 0, 1 },
	{ "diabetes", 0, 1, 0, 1 },
	{ "chf", 0, 1, 0, 2 },
	{ "diabetes-end-organ", 0, 1, 0, 2 },
	{ "chronic-pulmonary", 0, 1, 0, 2 },
	{ "mild-liver", 0, 1, 0, 2 },
	{ "tumor", 0, 1, 0, 2 },
	{ "dementia", 0, 1, 0, 3 },
	{ "connective-tissue", 0, 1, 0, 3 },
	{ "aids", 0, 1, 0, 4 },
	{ "moderate-severe-liver", 0, 1, 0, 4 },
	{ "metastatic-tumor", 0, 1, 0, 6 },
};
static const struct cm__band lace_bands[] = {
	{ 0, "low", CM_SEVERITY_NONE },
	{ 5, "moderate", CM_SEVERITY_MODERATE },
	{ 10, "high", CM_SEVERITY_HIGH },
};

/* Social-needs screen over Gravity Project SDOH domains. The required five
 * are the core domains of the CMS AHC health-related social needs screen. */
#define D(c, req) { c, 0, 3, req, 0 }
static const struct cm__item sdoh_items[] = {
	D("food-insecurity", 1), D("housing-instability", 1),
	D("transportation-insecurity", 1), D("utility-insecurity", 1),
	D("interpersonal-safety", 1), D("homelessness", 0),
	D("inadequate-housing", 0), D("financial-insecurity", 0),
	D("health-literacy", 0), D("social-connection", 0),
	D("caregiver-support", 0), D("material-hardship", 0),
	D("employment-status", 0), D("stress", 0), D("digital-access", 0),
};
static const struct cm__band sdoh_bands[] = {
	{ 0, "no-needs", CM_SEVERITY_NONE },
	{ 1, "needs", CM_SEVERITY_LOW },
	{ 3, "multiple-needs", CM_SEVERITY_MODERATE },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct cm__instrument builtins[] = {
	{ "phq-9", "depression", CM__SCORE_SUM, phq9_items, N(phq9_items),
	  phq9_bands, N(phq9_bands), 8 },
	{ "phq-2", "depression", CM__SCORE_SUM, phq2_items, N(phq2_items),
	  phq2_bands, N(phq2_bands), -1 },
	{ "gad-7", "anxiety", CM__SCORE_SUM, gad7_items, N(gad7_items),
	  gad7_bands, N(gad7_bands), -1 },
	{ "lace", "readmission-risk", CM__SCORE_LACE, lace_items,
	  N(lace_items), lace_bands, N(lace_bands), -1 },
	{ "sdoh", "social-needs", CM__SCORE_SDOH, sdoh_items, N(sdoh_items),
	  sdoh_bands, N(sdoh_bands), -1 },
};

const struct cm__instrument *cm__instrument_builtin(const char *code)
{
	size_t i;

	for (i = 0; i < N(builtins); i++)
		if (strcmp(builtins[i].code, code) == 0)
			return &builtins[i];
	return NULL;
}

int cm__instrument_item(const struct cm__instrument *in, const char *code,
			size_t first)
{
	size_t i;

	for (i = first; i < in->nitems; i++)
		if (strcmp(in->items[i].code, code) == 0)
			return (int)i;
	for (i = 0; i < first && i < in->nitems; i++)
		if (strcmp(in->items[i].code, code) == 0)
			return (int)i;
	return -1;
}

int cm_instrument_item_at(const char **out_code, int32_t *out_min,
			  int32_t *out_max, int32_t *out_required,
			  cm_store *s, const char *instrument, size_t index)
{
	const struct cm__instrument *in;
	const struct cm__item *it;

	if (!s || !instrument)
		return cm__err(s, CM_EINVAL, "instrument item: NULL argument");
	if (!(in = cm__instrument_find(s, instrument)))
		return cm__err(s, CM_ENOTFOUND, "no instrument '%.64s'", instrument);
	if (index >= in->nitems)
		return cm__err(s, CM_ERANGE, "instrument '%s' has %zu items",
			       in->code, in->nitems);
	it = &in->items[index];
	if (out_code)
		*out_code = it->code;
	if (out_min)
		*out_min = it->min;
	if (out_max)
		*out_max = it->max;
	if (out_required)
		*out_required = it->required;
	return CM_OK;
}
