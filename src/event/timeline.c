/*
 * A client's timeline: which of its events, in which order (one span of
 * its events-by-client bucket, shared by the iterator and the rows), as a
 * snapshot of handles (cm_event_timeline) or as rows copied into the
 * caller's array (cm_event_timeline_rows).
 */
#include <string.h>

#include "event/event_impl.h"

/*
 * Reading a timeline is a chain of dependent cache misses per event
 * (bucket entry -> slot -> record -> note). Starting several events'
 * loads before the first is used lets them overlap. TOUCH reads a byte
 * that must exist: a demand load, which also fills the TLB (on the
 * benchmark machine, a virtual one, prefetch instructions alone were
 * measured to gain nothing: they do not seem to start page walks there).
 * PREFETCH then hints at the other lines of the same object (a hint
 * never faults, so it may point past it).
 */
#define TOUCH(p) ((void)*(const volatile char *)(const void *)(p))
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* How many events ahead the prefetches run: records are announced AHEAD
 * events before they are read, their slots 2 * AHEAD before (a record's
 * address is in its slot). Enough to overlap the misses of a typical
 * timeline, few enough not to evict what is still needed. */
#define AHEAD 8

/*
 * The events a timeline lists: b->e[lo, hi) (a bucket is sorted by time,
 * then id, so from <= time < to is one run of it), in timeline order:
 * position i is entry lo + i, or hi - 1 - i newest first.
 */
struct span {
	const cm_store *s;          /* whose slabs b's entries point into */
	const struct cm__bucket *b; /* NULL: no events */
	uint32_t lo, hi;
	int32_t newest_first;
	int amended;                /* cm__events_amended(s, b) */
};

static uint32_t span_at(const struct span *sp, size_t i)
{
	return sp->newest_first ? sp->hi - 1 - (uint32_t)i : sp->lo + (uint32_t)i;
}

/* The first entry of b at or after time t (CM_TIME_NONE: none is). */
static uint32_t first_at(const struct cm__bucket *b, int64_t t, uint32_t none)
{
	uint32_t lo = 0, hi = b->n;

	if (t == CM_TIME_NONE)
		return none;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cm__bucket_key(b, mid) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void prefetch_slot(const struct span *sp, size_t i)
{
	if (i < (size_t)(sp->hi - sp->lo)) {
		const struct cm__slot *sl =
			cm__bucket_slot(sp->s, sp->b, span_at(sp, i));
		TOUCH(sl);
		PREFETCH(CM__SLOT_ID(sl) + 36); /* a generated id's end */
	}
}

/* The record's lines (the note follows its record in a packed version). */
static void prefetch_rec(const struct span *sp, size_t i)
{
	if (i < (size_t)(sp->hi - sp->lo)) {
		const char *r = (const char *)
			cm__bucket_slot(sp->s, sp->b, span_at(sp, i))->cur;
		/* Its kind, never written once committed (the reference
		 * count before it is: other threads change it). */
		TOUCH(r + offsetof(struct cm__rec, kind));
		PREFETCH(r + 64);
		PREFETCH(r + 128);
	}
}

/* Before reading position i of sp: announce what later positions need. */
static void prefetch_ahead(const struct span *sp, size_t i)
{
	prefetch_slot(sp, i + 2 * AHEAD);
	prefetch_rec(sp, i + AHEAD);
}

/* The arguments both forms check, in the same order. */
static int check_args(cm_store *s, int32_t newest_first)
{
	if (newest_first != 0 && newest_first != 1)
		return cm__err(s, CM_EINVAL, "timeline: newest_first must be 0 or 1");
	return cm__store_usable(s);
}

/* The span of client_id's timeline, with the loads of its events from
 * position `first` on started. Caller holds the read lock; on
 * CM_ENOTFOUND (no such client) it releases it and sets the message. */
static int span_find(struct span *sp, cm_store *s, const char *client_id,
		     int64_t from, int64_t to, int32_t newest_first, size_t first)
{
	const struct cm__slot *client = cm__slot_find(s, CM_KIND_CLIENT, client_id);
	const struct cm__bucket *b;
	size_t i;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	sp->newest_first = newest_first;
	if (!client) {
		CM__UNLOCK(s);
		return cm__err(s, CM_ENOTFOUND, "no client with id '%.64s'",
			       client_id);
	}
	b = cm__mindex_get_slot(&s->events_by_client, client);
	if (!b->n)
		return CM_OK;
	sp->b = b;
	sp->lo = first_at(b, from, 0);
	sp->hi = first_at(b, to, b->n);
	if (sp->hi < sp->lo)
		sp->hi = sp->lo; /* to <= from: nothing */
	for (i = first; i < first + 2 * AHEAD; i++)
		prefetch_slot(sp, i);
	for (i = first; i < first + AHEAD; i++)
		prefetch_rec(sp, i);
	/* Most clients have no amendments: then there is nothing to look up
	 * per event (a scan of the bucket each). */
	sp->amended = cm__events_amended(s, b);
	return CM_OK;
}

/* ---- the iterator ------------------------------------------------------ */

struct cm_event_iter {
	struct cm__snap sn;      /* the events, in timeline order */
	const char **amended_by; /* [i]: id of keep[i], or NULL */
	struct cm__rec **keep;   /* amending events, retained for their ids */
};

int cm_event_timeline(cm_event_iter **out, cm_store *s, const char *client_id,
		      int64_t from, int64_t to, int32_t newest_first)
{
	cm_event_iter *it;
	struct span sp;
	size_t n, i;
	int rc;

	if (!out || !s || !client_id)
		return cm__err(s, CM_EINVAL, "timeline: NULL argument");
	if ((rc = check_args(s, newest_first)) != CM_OK)
		return rc;
	if (!(it = cm__zalloc(s, sizeof(*it))))
		return cm__err(s, CM_ENOMEM, "out of memory for a timeline");
	CM__RDLOCK(s);
	if ((rc = span_find(&sp, s, client_id, from, to, newest_first, 0))) {
		cm__free(s, it);
		return rc;
	}
	n = sp.hi - sp.lo;
	if (n) {
		it->sn.recs = cm__alloc(s, n * sizeof(*it->sn.recs));
		if (sp.amended) {
			it->amended_by = cm__zalloc(s, n * sizeof(*it->amended_by));
			it->keep = cm__zalloc(s, n * sizeof(*it->keep));
		}
		if (!it->sn.recs || (sp.amended && (!it->amended_by || !it->keep))) {
			CM__UNLOCK(s);
			cm__free(s, it->sn.recs);
			cm__free(s, (void *)it->amended_by);
			cm__free(s, it->keep);
			cm__free(s, it);
			return cm__err(s, CM_ENOMEM, "out of memory for a timeline");
		}
	}
	for (i = 0; i < n; i++) {
		uint32_t k = span_at(&sp, i);
		const struct cm__slot *a;
		/* Retaining is an atomic write to the record: let the next
		 * records' loads start ahead of it. */
		prefetch_ahead(&sp, i);
		it->sn.recs[i] = cm__bucket_slot(s, sp.b, k)->cur;
		cm__rec_retain(it->sn.recs[i]);
		a = sp.amended ? cm__event_amended_by(s, sp.b, k) : NULL;
		if (a) {
			/* Keep the amending event alive: its id is handed out
			 * borrowed. */
			it->keep[i] = a->cur;
			cm__rec_retain(it->keep[i]);
			it->amended_by[i] = it->keep[i]->id;
		}
	}
	CM__UNLOCK(s);
	it->sn.n = n;
	it->sn.kind = &cm__event_kind;
	it->sn.store = s;
	cm__store_ref(s);
	*out = it;
	return CM_OK;
}

int cm_event_iter_next(cm_event **out, cm_event_iter *it)
{
	if (!out || !it)
		return CM_EINVAL;
	return cm__snap_next((struct cm__handle **)(void *)out, &it->sn);
}

const char *cm_event_iter_amended_by(const cm_event_iter *it)
{
	return (it && it->sn.pos > 0 && it->amended_by)
		? it->amended_by[it->sn.pos - 1] : NULL;
}

size_t cm_event_iter_count(const cm_event_iter *it)
{
	return it ? it->sn.n : 0;
}

void cm_event_iter_free(cm_event_iter *it)
{
	struct cm__snap sn;
	cm_store *s;
	size_t i;

	if (!it)
		return;
	s = it->sn.store;
	for (i = 0; it->keep && i < it->sn.n; i++)
		cm__rec_release(s, it->keep[i]);
	cm__free(s, (void *)it->amended_by);
	cm__free(s, it->keep);
	sn = it->sn;
	cm__free(s, it);
	cm__snap_clear(&sn); /* drops the store reference: last */
}

/* ---- rows -------------------------------------------------------------- */

/* First layout of cm_event_row: every later one starts with it. */
#define EVENT_ROW_V1 sizeof(cm_event_row)

/* memcpy of a short run, in words then bytes: GCC expands a memcpy whose
 * size it knows to be small into `rep movsq`, whose start-up cost was
 * measured at a sixth of a timeline's time. */
static void copy_bytes(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	if (n < 8) {
		for (; i < n; i++)
			dst[i] = src[i];
		return;
	}
	for (; i + 8 < n; i += 8)
		memcpy(dst + i, src + i, 8);
	memcpy(dst + n - 8, src + n - 8, 8); /* the last word, overlapping */
}

/* Copy id (1..64 bytes, as every record id) into a char[65]. */
static void copy_id(char *dst, const char *id)
{
	size_t n = strnlen(id, 64);

	copy_bytes(dst, id, n);
	dst[n] = '\0';
}

/* The note's prefix into r->text: at most sizeof(r->text) - 1 bytes, cut
 * before a UTF-8 continuation byte (the note is valid UTF-8, so the cut
 * falls between characters). */
static void copy_text(cm_event_row *r, const char *text)
{
	size_t len = text ? strlen(text) : 0, n = len;

	if (n >= sizeof(r->text)) {
		n = sizeof(r->text) - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	copy_bytes(r->text, text, n);
	r->text[n] = '\0';
	r->text_len = len;
}

static void row_fill(cm_event_row *r, const struct span *sp, uint32_t k)
{
	const struct cm__slot *sl = cm__bucket_slot(sp->s, sp->b, k);
	const struct cm__event *e = (const struct cm__event *)sl->cur;

	r->time = e->time;
	r->type = e->type;
	r->mode = e->mode;
	copy_id(r->id, CM__SLOT_ID(sl));
	r->amends[0] = '\0';
	r->amended_by[0] = '\0';
	if (sp->amended) {
		const char *amends = cm__event_amends(e);
		const struct cm__slot *a = cm__event_amended_by(sp->s, sp->b, k);
		if (amends)
			copy_id(r->amends, amends);
		if (a)
			copy_id(r->amended_by, CM__SLOT_ID(a));
	}
	copy_text(r, cm__event_note(e));
}

int cm_event_timeline_rows(size_t *out_count, size_t *out_total,
			   cm_event_row *rows, size_t row_size, size_t max_rows,
			   cm_store *s, const char *client_id, int64_t from,
			   int64_t to, int32_t newest_first, size_t offset)
{
	struct span sp;
	size_t i, n, end;
	int rc;

	if (!out_count || !s || !client_id || (!rows && max_rows))
		return cm__err(s, CM_EINVAL, "timeline rows: NULL argument");
	if ((rc = cm__check_row_size(s, row_size, EVENT_ROW_V1,
				     _Alignof(cm_event_row), "timeline rows")) ||
	    (rc = check_args(s, newest_first)) != CM_OK)
		return rc;
	CM__RDLOCK(s);
	if ((rc = span_find(&sp, s, client_id, from, to, newest_first, offset)))
		return rc;
	n = sp.hi - sp.lo;
	i = offset < n ? offset : n;
	end = max_rows < n - i ? i + max_rows : n;
	*out_count = end - i;
	if (out_total)
		*out_total = n;
	for (; i < end; i++) {
		cm_event_row *r = rows;
		rows = (cm_event_row *)(void *)((char *)rows + row_size);
		prefetch_ahead(&sp, i);
		row_fill(r, &sp, span_at(&sp, i));
	}
	CM__UNLOCK(s);
	return CM_OK;
}
