/*
 * The record encoding (documented in casemgr/storage.h): schema-driven,
 * tagged, versioned and checksummed. Decoding validates everything the API
 * would validate, so a decoded record is as trustworthy as one built
 * through the setters.
 */
#include <string.h>

#include "core/datetime.h"
#include "core/text.h"
#include "store/codec.h"

enum { WT_INT = 0, WT_BYTES = 1, WT_LIST = 2, WT_ABSENT = 3 };
enum { TAG_ID = 1, TAG_REVISION = 2, TAG_CREATED = 3, TAG_UPDATED = 4 };

#define CODEC_VERSION 1
#define MAX_DEPTH 4

/* ---- output buffer ------------------------------------------------------ */

int cm__buf_put(cm_store *s, struct cm__buf *b, const void *p, size_t n)
{
	if (cm__reserve(s, (void **)&b->data, &b->cap, b->len + n, 1))
		return CM_ENOMEM;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return CM_OK;
}

void cm__buf_free(cm_store *s, struct cm__buf *b)
{
	cm__free(s, b->data);
	memset(b, 0, sizeof(*b));
}

static int put_uvar(cm_store *s, struct cm__buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7F);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return cm__buf_put(s, b, tmp, n);
}

static int put_key(cm_store *s, struct cm__buf *b, unsigned tag, unsigned wt)
{
	return put_uvar(s, b, (uint64_t)tag << 3 | wt);
}

static int put_int(cm_store *s, struct cm__buf *b, unsigned tag, int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	if (put_key(s, b, tag, WT_INT))
		return CM_ENOMEM;
	return put_uvar(s, b, z);
}

static int put_text(cm_store *s, struct cm__buf *b, unsigned tag, const char *t)
{
	size_t n;

	if (!t)
		return CM_OK; /* absent: the decoder's default is NULL */
	n = strlen(t);
	if (put_key(s, b, tag, WT_BYTES) || put_uvar(s, b, n))
		return CM_ENOMEM;
	return cm__buf_put(s, b, t, n);
}

static int encode_obj(cm_store *s, struct cm__buf *b,
		      const struct cm__schema *sc, const void *obj)
{
	size_t i, j;

	for (i = 0; i < sc->nfields; i++) {
		const struct cm__field *f = &sc->fields[i];
		const char *base = (const char *)obj + f->offset;
		int rc = CM_OK;
		switch (f->type) {
		case CM__F_TEXT:
			rc = put_text(s, b, f->tag, cm__field_text(f, obj));
			break;
		case CM__F_I32:
			rc = put_int(s, b, f->tag, *(const int32_t *)(const void *)base);
			break;
		case CM__F_I64:
			rc = put_int(s, b, f->tag, *(const int64_t *)(const void *)base);
			break;
		case CM__F_LIST: {
			const struct cm__list *l = cm__field_list(f, obj);
			if (l->count == 0)
				break;
			rc = put_key(s, b, f->tag, WT_LIST) || put_uvar(s, b, l->count);
			for (j = 0; !rc && j < l->count; j++)
				rc = encode_obj(s, b, f->elem,
						(const char *)l->items + j * f->elem->size) ||
				     put_uvar(s, b, 0);
			break;
		}
		}
		if (rc)
			return CM_ENOMEM;
	}
	return CM_OK;
}

int cm__rec_encode(cm_store *s, const struct cm__kind *k,
		   const struct cm__rec *r, struct cm__buf *b)
{
	unsigned char head[4] = { 'C', 'R', CODEC_VERSION, (unsigned char)k->kind };
	unsigned char crc[4];
	size_t start = b->len;
	uint32_t c;

	if (cm__buf_put(s, b, head, 4) || put_text(s, b, TAG_ID, r->id) ||
	    put_int(s, b, TAG_REVISION, r->revision) ||
	    put_int(s, b, TAG_CREATED, r->created) ||
	    put_int(s, b, TAG_UPDATED, r->updated) ||
	    encode_obj(s, b, k->schema, r) || put_uvar(s, b, 0))
		goto nomem;
	c = cm_crc32c(0, b->data + start, b->len - start);
	crc[0] = (unsigned char)c;
	crc[1] = (unsigned char)(c >> 8);
	crc[2] = (unsigned char)(c >> 16);
	crc[3] = (unsigned char)(c >> 24);
	if (cm__buf_put(s, b, crc, 4))
		goto nomem;
	return CM_OK;
nomem:
	b->len = start;
	return CM_ENOMEM;
}

/* ---- decoding ----------------------------------------------------------- */

struct rd {
	const unsigned char *p, *end;
	const char *fail; /* what was wrong, for the message */
};

static int get_uvar(struct rd *r, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end) {
		unsigned char c = *r->p++;
		if (shift == 63 && (c & 0x7E))
			break; /* more than 64 bits */
		v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 1;
		}
		shift += 7;
		if (shift > 63)
			break;
	}
	r->fail = "truncated or overlong number";
	return 0;
}

static int64_t unzigzag(uint64_t z)
{
	return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

/* Skip a value of wire type wt (an unknown tag from a newer encoder). */
static int skip_value(struct rd *r, unsigned wt, int depth)
{
	uint64_t n, i, key;

	switch (wt) {
	case WT_INT:
		return get_uvar(r, &n);
	case WT_ABSENT:
		return 1; /* absent text: no value follows */
	case WT_BYTES:
		if (!get_uvar(r, &n) || n > (uint64_t)(r->end - r->p)) {
			r->fail = "truncated text";
			return 0;
		}
		r->p += n;
		return 1;
	case WT_LIST:
		if (depth >= MAX_DEPTH || !get_uvar(r, &n)) {
			r->fail = "list nested too deep";
			return 0;
		}
		for (i = 0; i < n; i++) {
			for (;;) {
				if (!get_uvar(r, &key))
					return 0;
				if (key == 0)
					break;
				if (!skip_value(r, (unsigned)(key & 7), depth + 1))
					return 0;
			}
		}
		return 1;
	default:
		r->fail = "unknown wire type";
		return 0;
	}
}

static const struct cm__field *field_by_tag(const struct cm__schema *sc,
					    uint64_t tag)
{
	size_t i;
	for (i = 0; i < sc->nfields; i++)
		if (sc->fields[i].tag == tag)
			return &sc->fields[i];
	return NULL;
}

static int check_int(const struct cm__field *f, int64_t v)
{
	switch (f->check) {
	case CM__CHECK_DATE:
		return v == CM_DATE_NONE || cm__days_valid(v);
	case CM__CHECK_TIME:
		return v == CM_TIME_NONE || cm__time_valid(v);
	default:
		if (f->min == 0 && f->maxval == 0)
			return f->type == CM__F_I64 || (v >= INT32_MIN && v <= INT32_MAX);
		return v >= f->min && v <= f->maxval;
	}
}

/* The next text (1..max bytes of UTF-8 without a NUL), *n bytes at *t, or
 * NULL (corrupt). */
static const char *next_text(struct rd *r, size_t max, size_t *n)
{
	uint64_t len;
	const char *t;

	if (!get_uvar(r, &len) || len > (uint64_t)(r->end - r->p)) {
		r->fail = "truncated text";
		return NULL;
	}
	t = (const char *)r->p;
	if (len > max || len == 0 || memchr(t, 0, (size_t)len) ||
	    !cm__utf8_valid(t, (size_t)len)) {
		r->fail = "text that is empty, too long or not UTF-8";
		return NULL;
	}
	r->p += len;
	*n = (size_t)len;
	return t;
}

static int read_text(cm_store *s, struct rd *r, size_t max, char **out)
{
	const char *t;
	size_t n;

	if (!(t = next_text(r, max, &n)))
		return CM_ECORRUPT;
	if (!(*out = cm__memdup0(s, t, n)))
		return CM_ENOMEM;
	return CM_OK;
}

static int decode_obj(cm_store *s, struct rd *r, const struct cm__schema *sc,
		      void *obj, int depth);

/* At the end of an object: every number, including those the record did
 * not carry (their defaults), must be one the API could have set; or the
 * record would not survive its own re-encoding. */
static int ints_ok(struct rd *r, const struct cm__schema *sc, const void *obj)
{
	size_t i;

	for (i = 0; i < sc->nfields; i++) {
		const struct cm__field *f = &sc->fields[i];
		const char *base = (const char *)obj + f->offset;
		int64_t v;
		if (f->type == CM__F_I32)
			v = *(const int32_t *)(const void *)base;
		else if (f->type == CM__F_I64)
			v = *(const int64_t *)(const void *)base;
		else
			continue;
		if (!check_int(f, v)) {
			r->fail = "a missing number whose default is out of range";
			return CM_ECORRUPT;
		}
	}
	return CM_OK;
}

static int decode_list(cm_store *s, struct rd *r, const struct cm__field *f,
		       void *obj, int depth)
{
	struct cm__list *l;
	uint64_t n, i;
	int rc;

	if (depth >= MAX_DEPTH || !get_uvar(r, &n) || n > f->max ||
	    n > (uint64_t)(r->end - r->p)) { /* each element takes >= 1 byte */
		r->fail = "list too long or nested too deep";
		return CM_ECORRUPT;
	}
	if (cm__field_list(f, obj)->count) {
		r->fail = "list given twice";
		return CM_ECORRUPT;
	}
	if (n == 0)
		return CM_OK;
	if (!(l = cm__field_list_mut(s, NULL, f, obj)))
		return CM_ENOMEM;
	for (i = 0; i < n; i++) {
		void *e;
		if (cm__list_push(s, NULL, l, f->elem, f->max, &e))
			return CM_ENOMEM;
		if ((rc = decode_obj(s, r, f->elem, e, depth + 1)))
			return rc;
	}
	return CM_OK;
}

/* Fields until key 0. On failure obj holds only what it owns (freed by the
 * caller when it releases the record). */
static int decode_obj(cm_store *s, struct rd *r, const struct cm__schema *sc,
		      void *obj, int depth)
{
	uint64_t key, z;
	int rc;

	for (;;) {
		const struct cm__field *f;
		unsigned wt;
		char *base;
		if (!get_uvar(r, &key))
			return CM_ECORRUPT;
		if (key == 0)
			return ints_ok(r, sc, obj);
		wt = (unsigned)(key & 7);
		f = field_by_tag(sc, key >> 3);
		if (!f) {
			if (!skip_value(r, wt, depth))
				return CM_ECORRUPT;
			continue;
		}
		base = (char *)obj + f->offset;
		switch (f->type) {
		case CM__F_TEXT: {
			char *t = NULL;
			if (wt == WT_ABSENT && !cm__field_text(f, obj))
				break; /* absent: the default, NULL */
			if (wt != WT_BYTES || cm__field_text(f, obj)) {
				r->fail = "text field of the wrong type or given twice";
				return CM_ECORRUPT;
			}
			if (f->check == CM__TEXT_BORROWED) {
				/* The store's shared copy: no record owns it. */
				const char *t0;
				size_t n;
				if (!(t0 = next_text(r, f->max < CM__INTERN_MAX
							       ? f->max
							       : CM__INTERN_MAX,
						     &n)))
					return CM_ECORRUPT;
				if (!(*(const char **)(void *)base =
					      cm__intern(s, t0, n)))
					return CM_ENOMEM;
				break;
			}
			if (f->check != CM__TEXT_SPARSE) {
				if ((rc = read_text(s, r, f->max, (char **)(void *)base)))
					return rc;
				break;
			}
			if ((rc = read_text(s, r, f->max, &t)))
				return rc;
			rc = cm__field_set_text(s, f, obj, t, strlen(t));
			cm__free(s, t);
			if (rc)
				return rc;
			break;
		}
		case CM__F_I32:
		case CM__F_I64:
			if (wt != WT_INT || !get_uvar(r, &z) ||
			    !check_int(f, unzigzag(z)) ||
			    (f->type == CM__F_I32 &&
			     (unzigzag(z) < INT32_MIN || unzigzag(z) > INT32_MAX))) {
				r->fail = "number of the wrong type or out of range";
				return CM_ECORRUPT;
			}
			if (f->type == CM__F_I32)
				*(int32_t *)(void *)base = (int32_t)unzigzag(z);
			else
				*(int64_t *)(void *)base = unzigzag(z);
			break;
		case CM__F_LIST:
			if (wt != WT_LIST) {
				r->fail = "list of the wrong type";
				return CM_ECORRUPT;
			}
			if ((rc = decode_list(s, r, f, obj, depth)))
				return rc;
			break;
		}
	}
}

static int valid_id(const char *id)
{
	size_t i, n = strlen(id);
	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Generic invariants of a committed record: a valid status, and a status
 * history whose every entry was committed (actor and time set). */
static int lifecycle_ok(const struct cm__kind *k, const struct cm__rec *rec)
{
	const struct cm__list *l;
	uint32_t i;

	if (!k->status_off)
		return 1;
	{
		int32_t st = *(const int32_t *)(const void *)((const char *)rec +
							      k->status_off);
		if (st < 1 || st > k->status_max)
			return 0;
	}
	l = (const struct cm__list *)(const void *)((const char *)rec + k->history_off);
	for (i = 0; i < l->count; i++) {
		const struct cm__hist *e = CM__LIST_AT(l, const struct cm__hist, i);
		if (!e->actor || e->time == CM_TIME_NONE || !e->reason ||
		    e->to < 1 || e->to > k->status_max || e->from > k->status_max)
			return 0;
	}
	return 1;
}

int cm__rec_decode(cm_store *s, const void *bytes, size_t len,
		   struct cm__rec **out)
{
	const unsigned char *p = bytes;
	const struct cm__kind *k;
	struct cm__rec *rec;
	struct rd r;
	uint32_t want, got;
	uint64_t key, z;
	int rc = CM_OK;

	if (!bytes || len < 9 || p[0] != 'C' || p[1] != 'R')
		return cm__err(s, CM_ECORRUPT, "stored record: not a casemgr record");
	got = (uint32_t)p[len - 4] | (uint32_t)p[len - 3] << 8 |
	      (uint32_t)p[len - 2] << 16 | (uint32_t)p[len - 1] << 24;
	want = cm_crc32c(0, p, len - 4);
	if (got != want)
		return cm__err(s, CM_ECORRUPT, "stored record: checksum mismatch");
	if (p[2] == 0 || p[2] > CODEC_VERSION)
		return cm__err(s, CM_EVERSION,
			       "stored record: encoding version %u is newer than "
			       "this library reads", p[2]);
	k = cm__kind_get(p[3]);
	if (!k)
		return cm__err(s, CM_ECORRUPT, "stored record: unknown kind %u", p[3]);
	rec = cm__rec_new(s, k);
	if (!rec)
		return cm__err(s, CM_ENOMEM, "out of memory loading a record");
	r.p = p + 4;
	r.end = p + len - 4;
	r.fail = "malformed";
	/* The header: id, revision, created, updated, in that order. */
	if (!get_uvar(&r, &key) || key != ((uint64_t)TAG_ID << 3 | WT_BYTES) ||
	    (rc = read_text(s, &r, 64, &rec->id)) || !valid_id(rec->id)) {
		if (rc == CM_ENOMEM)
			goto fail;
		rc = CM_ECORRUPT;
		r.fail = "a missing or malformed id";
		goto fail;
	}
	if (!get_uvar(&r, &key) || key != ((uint64_t)TAG_REVISION << 3 | WT_INT) ||
	    !get_uvar(&r, &z) || unzigzag(z) < 1) {
		rc = CM_ECORRUPT;
		r.fail = "a missing or invalid revision";
		goto fail;
	}
	rec->revision = unzigzag(z);
	if (!get_uvar(&r, &key) || key != ((uint64_t)TAG_CREATED << 3 | WT_INT) ||
	    !get_uvar(&r, &z) || !cm__time_valid(unzigzag(z))) {
		rc = CM_ECORRUPT;
		r.fail = "a missing or invalid creation time";
		goto fail;
	}
	rec->created = unzigzag(z);
	if (!get_uvar(&r, &key) || key != ((uint64_t)TAG_UPDATED << 3 | WT_INT) ||
	    !get_uvar(&r, &z) || !cm__time_valid(unzigzag(z))) {
		rc = CM_ECORRUPT;
		r.fail = "a missing or invalid update time";
		goto fail;
	}
	rec->updated = unzigzag(z);
	rc = decode_obj(s, &r, k->schema, rec, 0);
	if (rc == CM_OK && r.p != r.end) {
		rc = CM_ECORRUPT;
		r.fail = "bytes after the end";
	}
	if (rc == CM_OK && (!lifecycle_ok(k, rec) ||
			    (k->check_decoded && !k->check_decoded(rec)))) {
		rc = CM_ECORRUPT;
		r.fail = "values that break the record's rules";
	}
	if (rc)
		goto fail;
	*out = rec;
	return CM_OK;
fail:
	if (rc == CM_ENOMEM)
		cm__err(s, CM_ENOMEM, "out of memory loading a record");
	else
		cm__err(s, CM_ECORRUPT, "stored %s record '%s': %s", k->name,
			rec->id ? rec->id : "?", r.fail);
	cm__rec_release(s, rec);
	return rc;
}
