/*
 * LACE readmission index (van Walraven et al., CMAJ 2010): Length of stay,
 * Acuity of admission, Comorbidity (Charlson score), Emergency department
 * visits in the previous six months.
 */
#include "assessment/assessment_impl.h"

#define UNANSWERED INT32_MIN

/* Item positions in the built-in table (instruments.c). */
enum { LOS = 0, ACUTE = 1, ED = 2, FIRST_CONDITION = 3 };

static int32_t points_l(int32_t days)
{
	if (days < 1)
		return 0;
	if (days <= 3)
		return days;
	if (days <= 6)
		return 4;
	if (days <= 13)
		return 5;
	return 7;
}

static int32_t answered(const int32_t *v, int i)
{
	return v[i] == UNANSWERED ? 0 : v[i];
}

void cm__score_lace(struct cm__result *r, const struct cm__instrument *in,
		    const int32_t *v)
{
	int32_t charlson = 0, l, a, c, e;
	size_t i;

	for (i = FIRST_CONDITION; i < in->nitems; i++)
		if (answered(v, (int)i))
			charlson += in->items[i].weight;
	l = points_l(answered(v, LOS));
	a = answered(v, ACUTE) ? 3 : 0;
	c = charlson >= 4 ? 5 : charlson;
	e = answered(v, ED) >= 4 ? 4 : answered(v, ED);
	r->comp[0].code = "L";
	r->comp[0].value = l;
	r->comp[1].code = "A";
	r->comp[1].value = a;
	r->comp[2].code = "C";
	r->comp[2].value = c;
	r->comp[3].code = "E";
	r->comp[3].value = e;
	r->comp[4].code = "charlson";
	r->comp[4].value = charlson;
	r->ncomp = 5;
	r->total = l + a + c + e;
}
