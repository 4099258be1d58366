/*
 * fuzz_instrument: bytes as a sequence of instrument-builder calls on a
 * fresh store: new definition, add item (code, range, required flag), add
 * band (minimum score, code, severity), register, and score a registered
 * instrument.
 *
 * Properties: no call crashes or leaks; every refusal is one of the codes
 * the call documents, with a message where the store keeps one; a
 * definition that registers is the one built (cm_instrument_item_at); an
 * assessment of a registered instrument accepts exactly the answers in
 * each item's range, and scores the sum of its answers in the band whose
 * minimum is the highest at or below the total.
 */
#include "fuzz.h"

#define MAXI 70 /* above the library's limits, to reach them */
#define MAXB 20

struct shadow {
	char code[80];
	char items[MAXI][80];
	int32_t min[MAXI], max[MAXI], req[MAXI];
	size_t nitems;
	char bands[MAXB][80];
	int32_t bmin[MAXB], sev[MAXB];
	size_t nbands;
};

static const int32_t interesting[] = {
	0, 1, -1, 2, 3, 4, 10, 27, 100, 999999, 1000000, 1000001, -1000000,
	-1000001, INT32_MAX, INT32_MIN, 64000000, -64000000
};

static int32_t number(struct fz_in *in)
{
	unsigned b = fz_byte(in);
	if (b < 128)
		return interesting[b % (sizeof(interesting) / sizeof(*interesting))];
	if (b < 192)
		return (int32_t)(b - 160); /* small: -32..31 */
	return (int32_t)fz_u32(in);
}

/* A code: mostly from a small valid alphabet, sometimes raw bytes. */
static void code(struct fz_in *in, char *buf)
{
	unsigned b = fz_byte(in);
	static const char *const names[] = {
		"a", "b", "item-1", "item-2", "low", "high", "x9", "mild", "q"
	};
	if (b < 200) {
		strcpy(buf, names[b % (sizeof(names) / sizeof(*names))]);
		if (b & 0x40) {
			size_t n = strlen(buf);
			buf[n] = (char)('0' + b % 10);
			buf[n + 1] = '\0';
		}
	} else {
		fz_str(in, buf, 70);
	}
}

static void score(cm_store *s, const struct shadow *sh, struct fz_in *in)
{
	cm_assessment *a;
	int32_t total = 0, got, flags, v;
	const char *band;
	size_t i;
	int rc;

	FZ_CHECK(cm_assessment_new(&a, s, "fuzz-client", sh->code) == CM_OK);
	for (i = 0; i < sh->nitems; i++) {
		const char *ic;
		int32_t mn, mx, rq;
		FZ_CHECK(cm_instrument_item_at(&ic, &mn, &mx, &rq, s, sh->code, i) == CM_OK);
		FZ_CHECK(strcmp(ic, sh->items[i]) == 0 && mn == sh->min[i] &&
			 mx == sh->max[i] && rq == sh->req[i]);
		/* Out of range first (when representable), then maybe an answer. */
		if (mx < INT32_MAX)
			FZ_CHECK(cm_assessment_set_answer(a, ic, mx + 1) == CM_ERANGE);
		if (mn > INT32_MIN)
			FZ_CHECK(cm_assessment_set_answer(a, ic, mn - 1) == CM_ERANGE);
		if (fz_byte(in) & 1)
			continue;
		v = (int32_t)((int64_t)mn + (int64_t)(fz_u32(in) %
					     ((uint64_t)((int64_t)mx - mn) + 1)));
		rc = cm_assessment_set_answer(a, ic, v);
		FZ_CHECK(rc == CM_OK);
		total += v;
	}
	FZ_CHECK(cm_instrument_item_at(NULL, NULL, NULL, NULL, s, sh->code,
				       sh->nitems) == CM_ERANGE);
	/* An item of no such code (the fuzzer may have made one of it). */
	for (i = 0; i < sh->nitems && strcmp(sh->items[i], "no-such-item-here") != 0; i++)
		;
	if (i == sh->nitems)
		FZ_CHECK(cm_assessment_set_answer(a, "no-such-item-here", 0) == CM_ENOTFOUND);
	FZ_CHECK(cm_assessment_score(&got, &band, &flags, a) == CM_OK);
	FZ_CHECK(got == total);
	{
		const char *want = NULL;
		for (i = 0; i < sh->nbands; i++)
			if (total >= sh->bmin[i])
				want = sh->bands[i];
		FZ_CHECK((want == NULL) == (band == NULL));
		FZ_CHECK(!want || strcmp(want, band) == 0);
	}
	cm_assessment_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct shadow sh, reg[4];
	size_t nreg = 0, steps = 0;
	cm_instrument *def = NULL;
	cm_store *s;
	cm_store_options o;
	char c[80], dom[80];
	int rc;

	memset(&sh, 0, sizeof(sh));
	fz_options(&o);
	FZ_CHECK(cm_store_open(&s, &o) == CM_OK);
	while (in.n && steps++ < 400) {
		switch (fz_byte(&in) % 6) {
		case 0: /* new definition */
			code(&in, c);
			code(&in, dom);
			cm_instrument_free(def);
			def = NULL;
			rc = cm_instrument_new(&def, s, c, dom);
			FZ_CHECK(rc == CM_OK || rc == CM_EINVAL || rc == CM_ETOOLONG);
			FZ_CHECK(rc == CM_OK || cm_store_errmsg(s)[0]);
			memset(&sh, 0, sizeof(sh));
			if (rc == CM_OK)
				strcpy(sh.code, c);
			else
				def = NULL;
			break;
		case 1: { /* add item */
			int32_t mn, mx, rq;
			code(&in, c);
			mn = number(&in);
			mx = number(&in);
			rq = (int32_t)(fz_byte(&in) % 3);
			rc = cm_instrument_add_item(def, c, mn, mx, rq);
			if (!def) {
				FZ_CHECK(rc == CM_EINVAL);
				break;
			}
			FZ_CHECK(rc == CM_OK || rc == CM_ETOOLONG || rc == CM_ERANGE);
			if (rc == CM_OK) {
				FZ_CHECK(sh.nitems < MAXI);
				strcpy(sh.items[sh.nitems], c);
				sh.min[sh.nitems] = mn;
				sh.max[sh.nitems] = mx;
				sh.req[sh.nitems++] = rq;
			}
			break;
		}
		case 2: { /* add band */
			int32_t mn = number(&in), sev = (int32_t)(fz_byte(&in) % 6) - 1;
			code(&in, c);
			rc = cm_instrument_add_band(def, mn, c, sev);
			if (!def) {
				FZ_CHECK(rc == CM_EINVAL);
				break;
			}
			FZ_CHECK(rc == CM_OK || rc == CM_ETOOLONG || rc == CM_ERANGE);
			if (rc == CM_OK) {
				FZ_CHECK(sh.nbands < MAXB);
				strcpy(sh.bands[sh.nbands], c);
				sh.bmin[sh.nbands] = mn;
				sh.sev[sh.nbands++] = sev;
			}
			break;
		}
		case 3: { /* register */
			uint64_t before = cm__store_digest(s);
			rc = cm_store_register_instrument(s, def);
			if (!def) {
				FZ_CHECK(rc == CM_EINVAL);
				break;
			}
			FZ_CHECK(rc == CM_OK || rc == CM_EINVAL || rc == CM_EEXIST);
			if (rc != CM_OK) {
				FZ_CHECK(cm_store_errmsg(s)[0] != '\0');
				FZ_CHECK(cm__store_digest(s) == before);
				break;
			}
			if (nreg < 4)
				reg[nreg++] = sh;
			else
				reg[fz_byte(&in) % 4] = sh;
			break;
		}
		case 4: /* score a registered instrument */
			if (nreg)
				score(s, &reg[fz_byte(&in) % nreg], &in);
			break;
		case 5: /* free the definition: it must stay registered */
			cm_instrument_free(def);
			def = NULL;
			break;
		}
	}
	cm_instrument_free(def);
	cm_store_close(s);
	return 0;
}
