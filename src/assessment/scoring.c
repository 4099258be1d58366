/*
 * Scoring: totals, bands, components, flags and findings of an answer set.
 * Pure functions of (instrument, answers): no allocation, no store.
 */
#include <string.h>

#include "assessment/assessment_impl.h"

#define UNANSWERED INT32_MIN

int32_t cm__band_of(const struct cm__instrument *in, int32_t total)
{
	int32_t b = -1;
	size_t i;

	for (i = 0; i < in->nbands; i++)
		if (total >= in->bands[i].min)
			b = (int32_t)i;
	return b;
}

static void add_finding(struct cm__result *r, const char *domain,
			int32_t severity)
{
	r->find[r->nfind].code = domain;
	r->find[r->nfind].value = severity;
	r->nfind++;
}

/* Sum of the answered items; each answered scored item is a component.
 * Unscored items (weight < 0: PHQ-9 q10, the difficulty question) are
 * recorded as answers only. */
static void score_sum(struct cm__result *r, const struct cm__instrument *in,
		      const int32_t *v)
{
	size_t i;

	for (i = 0; i < in->nitems; i++) {
		if (v[i] == UNANSWERED || in->items[i].weight < 0)
			continue;
		r->comp[r->ncomp].code = in->items[i].code;
		r->comp[r->ncomp].value = v[i];
		r->ncomp++;
		r->total += v[i];
	}
	if (in->flag_item >= 0 && v[in->flag_item] != UNANSWERED &&
	    v[in->flag_item] > 0)
		r->flags |= CM_ASSESSMENT_FLAG_SAFETY;
}

/* One domain per item: a severity above 0 is a positive domain and a
 * finding of its own. */
static void score_sdoh(struct cm__result *r, const struct cm__instrument *in,
		       const int32_t *v)
{
	size_t i;

	for (i = 0; i < in->nitems; i++) {
		if (v[i] == UNANSWERED)
			continue;
		r->comp[r->ncomp].code = in->items[i].code;
		r->comp[r->ncomp].value = v[i];
		r->ncomp++;
		if (v[i] > 0) {
			r->total++;
			add_finding(r, in->items[i].code, v[i]);
		}
	}
}

void cm__score(struct cm__result *r, const struct cm__instrument *in,
	       const int32_t *values)
{
	memset(r, 0, sizeof(*r));
	switch (in->scoring) {
	case CM__SCORE_LACE:
		cm__score_lace(r, in, values);
		break;
	case CM__SCORE_SDOH:
		score_sdoh(r, in, values);
		break;
	default:
		score_sum(r, in, values);
		break;
	}
	r->band = cm__band_of(in, r->total);
	/* The SDOH screen's findings are its domains, not its band. */
	if (in->scoring != CM__SCORE_SDOH && r->band >= 0 &&
	    in->bands[r->band].severity > CM_SEVERITY_NONE)
		add_finding(r, in->domain, in->bands[r->band].severity);
	if (r->flags & CM_ASSESSMENT_FLAG_SAFETY)
		add_finding(r, "safety", CM_SEVERITY_HIGH);
}
