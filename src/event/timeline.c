/* A client's timeline: a snapshot of its events-by-client bucket. */
#include <string.h>

#include "event/event_impl.h"

struct cm_event_iter {
	struct cm__snap sn;      /* the events, in timeline order */
	const char **amended_by; /* [i]: id of keep[i], or NULL */
	struct cm__rec **keep;   /* amending events, retained for their ids */
};

static int in_range(int64_t t, int64_t from, int64_t to)
{
	return (from == CM_TIME_NONE || t >= from) &&
	       (to == CM_TIME_NONE || t < to);
}

int cm_event_timeline(cm_event_iter **out, cm_store *s, const char *client_id,
		      int64_t from, int64_t to, int32_t newest_first)
{
	const struct cm__bucket *b;
	cm_event_iter *it;
	size_t n = 0;
	uint32_t i;
	int rc;

	if (!out || !s || !client_id)
		return cm__err(s, CM_EINVAL, "timeline: NULL argument");
	if (newest_first != 0 && newest_first != 1)
		return cm__err(s, CM_EINVAL, "timeline: newest_first must be 0 or 1");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	if (!(it = cm__zalloc(s, sizeof(*it))))
		return cm__err(s, CM_ENOMEM, "out of memory for a timeline");
	CM__RDLOCK(s);
	if (!cm__slot_find(s, CM_KIND_CLIENT, client_id)) {
		CM__UNLOCK(s);
		cm__free(s, it);
		return cm__err(s, CM_ENOTFOUND, "no client with id '%.64s'",
			       client_id);
	}
	b = cm__mindex_get(&s->events_by_client, client_id);
	if (b && b->n) {
		/* Most clients have no amendments: then there is nothing to
		 * look up per event (a scan of the bucket each). */
		int amended = cm__events_amended(b);
		it->sn.recs = cm__alloc(s, b->n * sizeof(*it->sn.recs));
		if (amended) {
			it->amended_by = cm__zalloc(s, b->n * sizeof(*it->amended_by));
			it->keep = cm__zalloc(s, b->n * sizeof(*it->keep));
		}
		if (!it->sn.recs || (amended && (!it->amended_by || !it->keep))) {
			CM__UNLOCK(s);
			cm__free(s, it->sn.recs);
			cm__free(s, (void *)it->amended_by);
			cm__free(s, it->keep);
			cm__free(s, it);
			return cm__err(s, CM_ENOMEM, "out of memory for a timeline");
		}
		for (i = 0; i < b->n; i++) {
			uint32_t k = newest_first ? b->n - 1 - i : i;
			long a;
			if (!in_range(b->e[k].key, from, to))
				continue;
			it->sn.recs[n] = b->e[k].slot->cur;
			cm__rec_retain(it->sn.recs[n]);
			a = amended ? cm__event_amended_by(b, k) : -1;
			if (a >= 0) {
				/* Keep the amending event alive: its id is
				 * handed out borrowed. */
				it->keep[n] = b->e[a].slot->cur;
				cm__rec_retain(it->keep[n]);
				it->amended_by[n] = it->keep[n]->id;
			}
			n++;
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
