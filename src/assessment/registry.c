/*
 * The store's assessment configuration: host-defined instruments (built
 * with cm_instrument_new, validated and copied at registration) and
 * risk-tier policies.
 */
#include <string.h>

#include "assessment/assessment_impl.h"
#include "core/text.h"

/* ---- the builder ------------------------------------------------------- */

struct cm_instrument {
	cm_store *store; /* holds a reference */
	char code[CM__CODE_MAX + 1];
	char domain[CM__CODE_MAX + 1];
	char item_codes[CM__ITEMS_MAX][CM__CODE_MAX + 1];
	struct cm__item items[CM__ITEMS_MAX];
	size_t nitems;
	char band_codes[CM__BANDS_MAX][CM__CODE_MAX + 1];
	struct cm__band bands[CM__BANDS_MAX];
	size_t nbands;
};

/* Codes are short machine names: 1..64 bytes of [a-z0-9-]. */
static int check_code(cm_store *s, const char *code, const char *what)
{
	size_t i, n;

	if (!code)
		return cm__err(s, CM_EINVAL, "%s: NULL", what);
	n = strnlen(code, CM__CODE_MAX + 1);
	if (n == 0 || n > CM__CODE_MAX)
		return cm__err(s, n ? CM_ETOOLONG : CM_EINVAL,
			       "%s: must be 1 to %d characters", what, CM__CODE_MAX);
	for (i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return cm__err(s, CM_EINVAL,
				       "%s '%.64s': only a-z 0-9 - are allowed",
				       what, code);
	}
	return CM_OK;
}

int cm_instrument_new(cm_instrument **out, cm_store *s, const char *code,
		      const char *domain)
{
	cm_instrument *d;
	int rc;

	if (!out || !s)
		return cm__err(s, CM_EINVAL, "instrument new: NULL argument");
	if ((rc = check_code(s, code, "instrument code")) ||
	    (rc = check_code(s, domain, "instrument domain")))
		return rc;
	if (!(d = cm__zalloc(s, sizeof(*d))))
		return cm__err(s, CM_ENOMEM, "out of memory for an instrument");
	d->store = s;
	strcpy(d->code, code);
	strcpy(d->domain, domain);
	cm__store_ref(s);
	*out = d;
	return CM_OK;
}

void cm_instrument_free(cm_instrument *d)
{
	cm_store *s;

	if (!d)
		return;
	s = d->store;
	cm__free(s, d);
	cm__store_unref(s);
}

/* Item and band codes are checked at registration, with the rest of the
 * definition, so that every problem is reported in one place; here only
 * what the builder cannot hold is refused. */
static int check_entry(cm_store *s, const char *code, size_t n, size_t max,
		       const char *what)
{
	if (!code)
		return cm__err(s, CM_EINVAL, "%s code: NULL", what);
	if (strnlen(code, CM__CODE_MAX + 1) > CM__CODE_MAX)
		return cm__err(s, CM_ETOOLONG, "%s code longer than %d bytes",
			       what, CM__CODE_MAX);
	if (n >= max)
		return cm__err(s, CM_ERANGE, "at most %zu %ss", max, what);
	return CM_OK;
}

int cm_instrument_add_item(cm_instrument *d, const char *code, int32_t min,
			   int32_t max, int32_t required)
{
	struct cm__item *it;
	int rc;

	if (!d)
		return CM_EINVAL;
	if ((rc = check_entry(d->store, code, d->nitems, CM__ITEMS_MAX, "item")))
		return rc;
	strcpy(d->item_codes[d->nitems], code);
	it = &d->items[d->nitems++];
	it->code = d->item_codes[d->nitems - 1];
	it->min = min;
	it->max = max;
	it->required = required;
	it->weight = 0;
	return CM_OK;
}

int cm_instrument_add_band(cm_instrument *d, int32_t min_score,
			   const char *code, int32_t severity)
{
	struct cm__band *b;
	int rc;

	if (!d)
		return CM_EINVAL;
	if ((rc = check_entry(d->store, code, d->nbands, CM__BANDS_MAX, "band")))
		return rc;
	strcpy(d->band_codes[d->nbands], code);
	b = &d->bands[d->nbands++];
	b->code = d->band_codes[d->nbands - 1];
	b->min = min_score;
	b->severity = severity;
	return CM_OK;
}

/* ---- the registry ------------------------------------------------------ */

struct policy {
	const struct cm__instrument *in;
	int32_t min[3]; /* tiers 2, 3, 4 */
};

struct cm__assess_cfg {
	struct cm__instrument **hosts; /* each one allocation (see pack) */
	size_t nhosts, caphosts;
	struct policy *policies;
	size_t npolicies, cappolicies;
};

#define VALUE_LIMIT 1000000

static int validate_def(cm_store *s, const cm_instrument *d)
{
	int64_t lowest = 0;
	size_t i, j;
	int rc;

	if (d->nitems == 0)
		return cm__err(s, CM_EINVAL, "instrument '%s' has no items", d->code);
	if (d->nbands == 0)
		return cm__err(s, CM_EINVAL, "instrument '%s' has no bands", d->code);
	for (i = 0; i < d->nitems; i++) {
		const struct cm__item *it = &d->items[i];
		if ((rc = check_code(s, it->code, "item code")))
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(d->items[j].code, it->code) == 0)
				return cm__err(s, CM_EINVAL,
					       "instrument '%s': item '%s' defined twice",
					       d->code, it->code);
		if (it->min > it->max || it->min < -VALUE_LIMIT ||
		    it->max > VALUE_LIMIT)
			return cm__err(s, CM_EINVAL,
				       "instrument '%s': item '%s' range %d..%d is "
				       "empty or beyond +/-%d", d->code, it->code,
				       (int)it->min, (int)it->max, VALUE_LIMIT);
		if (it->required != 0 && it->required != 1)
			return cm__err(s, CM_EINVAL,
				       "instrument '%s': item '%s' required must be 0 or 1",
				       d->code, it->code);
		lowest += it->min;
	}
	for (i = 0; i < d->nbands; i++) {
		const struct cm__band *b = &d->bands[i];
		if ((rc = check_code(s, b->code, "band code")))
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(d->bands[j].code, b->code) == 0)
				return cm__err(s, CM_EINVAL,
					       "instrument '%s': band '%s' defined twice",
					       d->code, b->code);
		if (i > 0 && b->min <= d->bands[i - 1].min)
			return cm__err(s, CM_EINVAL,
				       "instrument '%s': band '%s' must start above "
				       "band '%s' (%d)", d->code, b->code,
				       d->bands[i - 1].code, (int)d->bands[i - 1].min);
		if (b->severity < CM_SEVERITY_NONE || b->severity > CM_SEVERITY_HIGH)
			return cm__err(s, CM_EINVAL,
				       "instrument '%s': band '%s' severity %d is not 0..3",
				       d->code, b->code, (int)b->severity);
	}
	if (d->bands[0].min > lowest)
		return cm__err(s, CM_EINVAL,
			       "instrument '%s': the first band starts at %d but "
			       "totals can be as low as %lld", d->code,
			       (int)d->bands[0].min, (long long)lowest);
	return CM_OK;
}

/* Copy a definition into one allocation: the instrument, its items and
 * bands, then every string. One block keeps failure handling trivial. */
static struct cm__instrument *pack(cm_store *s, const cm_instrument *d)
{
	size_t strs = strlen(d->code) + 1 + strlen(d->domain) + 1, i, n;
	struct cm__instrument *in;
	struct cm__item *items;
	struct cm__band *bands;
	char *p;

	for (i = 0; i < d->nitems; i++)
		strs += strlen(d->items[i].code) + 1;
	for (i = 0; i < d->nbands; i++)
		strs += strlen(d->bands[i].code) + 1;
	in = cm__alloc(s, sizeof(*in) + d->nitems * sizeof(*items) +
				  d->nbands * sizeof(*bands) + strs);
	if (!in)
		return NULL;
	items = (struct cm__item *)(void *)(in + 1);
	bands = (struct cm__band *)(void *)(items + d->nitems);
	p = (char *)(bands + d->nbands);
#define PUT(dst, src) (n = strlen(src) + 1, memcpy(p, src, n), dst = p, p += n)
	PUT(in->code, d->code);
	PUT(in->domain, d->domain);
	for (i = 0; i < d->nitems; i++) {
		items[i] = d->items[i];
		PUT(items[i].code, d->items[i].code);
	}
	for (i = 0; i < d->nbands; i++) {
		bands[i] = d->bands[i];
		PUT(bands[i].code, d->bands[i].code);
	}
#undef PUT
	in->scoring = CM__SCORE_SUM;
	in->items = items;
	in->nitems = d->nitems;
	in->bands = bands;
	in->nbands = d->nbands;
	in->flag_item = -1;
	return in;
}

/* The registry, created on first use. Caller holds s->meta. */
static struct cm__assess_cfg *cfg(cm_store *s)
{
	if (!s->assess_cfg)
		s->assess_cfg = cm__zalloc(s, sizeof(*s->assess_cfg));
	return s->assess_cfg;
}

static const struct cm__instrument *host_find(const cm_store *s,
					      const char *code)
{
	size_t i;

	for (i = 0; s->assess_cfg && i < s->assess_cfg->nhosts; i++)
		if (strcmp(s->assess_cfg->hosts[i]->code, code) == 0)
			return s->assess_cfg->hosts[i];
	return NULL;
}

const struct cm__instrument *cm__instrument_find(cm_store *s, const char *code)
{
	const struct cm__instrument *in = cm__instrument_builtin(code);

	if (in)
		return in;
	pthread_mutex_lock(&s->meta);
	in = host_find(s, code);
	pthread_mutex_unlock(&s->meta);
	return in;
}

int cm_store_register_instrument(cm_store *s, const cm_instrument *d)
{
	struct cm__assess_cfg *c;
	struct cm__instrument *in;
	int rc;

	if (!s || !d)
		return cm__err(s, CM_EINVAL, "register instrument: NULL argument");
	if (d->store != s)
		return cm__err(s, CM_EINVAL,
			       "the instrument definition belongs to another store");
	if ((rc = cm__store_usable(s)) || (rc = validate_def(s, d)))
		return rc;
	if (!(in = pack(s, d)))
		return cm__err(s, CM_ENOMEM, "out of memory registering an instrument");
	pthread_mutex_lock(&s->meta);
	if (cm__instrument_builtin(d->code) || host_find(s, d->code)) {
		pthread_mutex_unlock(&s->meta);
		cm__free(s, in);
		return cm__err(s, CM_EEXIST, "instrument '%s' already exists",
			       d->code);
	}
	if (!(c = cfg(s)) || cm__reserve(s, (void **)&c->hosts, &c->caphosts,
					 c->nhosts + 1, sizeof(*c->hosts))) {
		pthread_mutex_unlock(&s->meta);
		cm__free(s, in);
		return cm__err(s, CM_ENOMEM, "out of memory registering an instrument");
	}
	c->hosts[c->nhosts++] = in;
	pthread_mutex_unlock(&s->meta);
	return CM_OK;
}

void cm__assess_cfg_free(cm_store *s)
{
	struct cm__assess_cfg *c = s->assess_cfg;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nhosts; i++)
		cm__free(s, c->hosts[i]);
	cm__free(s, c->hosts);
	cm__free(s, c->policies);
	cm__free(s, c);
	s->assess_cfg = NULL;
}

/* ---- risk-tier policies ------------------------------------------------ */

int cm_store_set_risk_policy(cm_store *s, const char *instrument,
			     int32_t t2, int32_t t3, int32_t t4)
{
	const struct cm__instrument *in;
	struct cm__assess_cfg *c;
	struct policy *p = NULL;
	size_t i;

	if (!s || !instrument)
		return cm__err(s, CM_EINVAL, "risk policy: NULL argument");
	if (!(t2 < t3 && t3 < t4))
		return cm__err(s, CM_EINVAL,
			       "risk policy: thresholds %d, %d, %d are not strictly "
			       "ascending", (int)t2, (int)t3, (int)t4);
	if (!(in = cm__instrument_find(s, instrument)))
		return cm__err(s, CM_ENOTFOUND, "no instrument '%.64s'", instrument);
	pthread_mutex_lock(&s->meta);
	c = cfg(s);
	for (i = 0; c && i < c->npolicies; i++)
		if (c->policies[i].in == in)
			p = &c->policies[i];
	if (!p && c && !cm__reserve(s, (void **)&c->policies, &c->cappolicies,
				    c->npolicies + 1, sizeof(*c->policies)))
		p = &c->policies[c->npolicies++];
	if (p) {
		p->in = in;
		p->min[0] = t2;
		p->min[1] = t3;
		p->min[2] = t4;
	}
	pthread_mutex_unlock(&s->meta);
	return p ? CM_OK : cm__err(s, CM_ENOMEM, "out of memory for a risk policy");
}

int32_t cm__risk_tier(cm_store *s, const struct cm__instrument *in,
		      const struct cm__result *res)
{
	int32_t tier = 1;
	int have = 0;
	size_t i;

	pthread_mutex_lock(&s->meta);
	for (i = 0; s->assess_cfg && i < s->assess_cfg->npolicies; i++) {
		const struct policy *p = &s->assess_cfg->policies[i];
		if (p->in != in)
			continue;
		have = 1;
		while (tier < 4 && res->total >= p->min[tier - 1])
			tier++;
	}
	pthread_mutex_unlock(&s->meta);
	if (!have)
		for (i = 0; i < res->nfind; i++)
			if (res->find[i].value + 1 > tier)
				tier = res->find[i].value + 1;
	if (res->flags & CM_ASSESSMENT_FLAG_SAFETY)
		tier = 4;
	return tier;
}
