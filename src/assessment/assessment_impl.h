/*
 * Internal: assessment records, instrument definitions (built-in and
 * host-defined) and scoring results.
 *
 * An assessment stores only what was observed (its answers); scores,
 * bands, components, findings and the risk tier are a pure function of the
 * answers and the instrument, recomputed on read. That keeps one source of
 * truth: an amended answer can never leave a stale score behind, and a
 * kept earlier revision scores exactly as it did when it was current.
 */
#ifndef CM_ASSESSMENT_IMPL_H
#define CM_ASSESSMENT_IMPL_H

#include "casemgr/assessment.h"
#include "store/store_impl.h"

/* ---- the record -------------------------------------------------------- */

struct cm__answer {
	char *item;
	int32_t value;
	/* Not a field (copies carry it, storage does not; it takes what
	 * was padding): 1 + the index of `item` among the instrument's
	 * items, as cm_assessment_set_answer found it, so that answers are
	 * matched by index instead of by text; 0 in an answer read back
	 * from storage. An assessment's instrument never changes, and
	 * instruments are immutable. */
	int32_t at;
};

struct cm__assessment {
	struct cm__rec hdr;
	char *client_id;
	char *instrument;
	char *assessor;
	char *note;
	int64_t time;
	int32_t status;
	struct cm__list answers; /* struct cm__answer */
	struct cm__list history; /* struct cm__hist */
	/* The instrument `instrument` names, as cm_assessment_new found it:
	 * not a field (copies carry it, storage does not), NULL in a record
	 * read back from storage. Instruments live as long as the store. */
	const struct cm__instrument *in;
};

extern const struct cm__kind cm__assessment_kind;

/* ---- instruments ------------------------------------------------------- */

enum cm__scoring {
	CM__SCORE_SUM = 1,  /* total = sum of answered items */
	CM__SCORE_LACE = 2, /* LACE index from stay, acuity, Charlson, ED */
	CM__SCORE_SDOH = 3  /* one domain per item; total = positive domains */
};

struct cm__item {
	const char *code;
	int32_t min, max;
	int32_t required;
	int32_t weight; /* LACE: Charlson weight of a condition; -1: unscored */
};

struct cm__band {
	int32_t min; /* lowest total in the band; bands ascend */
	const char *code;
	int32_t severity; /* CM_SEVERITY_* */
};

struct cm__instrument {
	const char *code;
	const char *domain; /* finding domain of the instrument's band */
	int32_t scoring;    /* enum cm__scoring */
	const struct cm__item *items;
	size_t nitems;
	const struct cm__band *bands;
	size_t nbands;
	int32_t flag_item;  /* index of the item raising the safety flag, -1 */
};

#define CM__ITEMS_MAX 64
#define CM__BANDS_MAX 16
#define CM__CODE_MAX 64

/* The instrument with this code (built-in or registered), or NULL.
 * Instruments are immutable and live as long as the store. */
const struct cm__instrument *cm__instrument_find(cm_store *s, const char *code);
/* Index of item `code` in the instrument, or -1. The items are compared
 * from index `first` on, then those before it: a caller that knows
 * where the code likely is finds it with one comparison. */
int cm__instrument_item(const struct cm__instrument *in, const char *code,
			size_t first);
/* The built-in instrument with this code, or NULL. */
const struct cm__instrument *cm__instrument_builtin(const char *code);

/* ---- scoring ----------------------------------------------------------- */

/* A component (code, score) or a finding (domain, severity). Codes are
 * static or owned by the instrument. */
struct cm__pair {
	const char *code;
	int32_t value;
};

struct cm__result {
	int32_t total;
	int32_t band;  /* index into the instrument's bands, -1 if none */
	int32_t flags; /* CM_ASSESSMENT_FLAG_* */
	size_t ncomp;
	struct cm__pair comp[CM__ITEMS_MAX];
	size_t nfind;
	struct cm__pair find[CM__ITEMS_MAX + 1];
};

/* values[i] is the answer to item i, or INT32_MIN if unanswered. */
void cm__score(struct cm__result *out, const struct cm__instrument *in,
	       const int32_t *values);
void cm__score_lace(struct cm__result *out, const struct cm__instrument *in,
		    const int32_t *values);
/* The band index of a total (-1 if below every band). */
int32_t cm__band_of(const struct cm__instrument *in, int32_t total);

/* ---- configuration (registry.c) ---------------------------------------- */

/* The risk tier (1..4) a result maps to under the store's policy. */
int32_t cm__risk_tier(cm_store *s, const struct cm__instrument *in,
		      const struct cm__result *res);

#endif
