/*
 * Internal: the monitoring event record (described by the schema in
 * event.c) and helpers for rules that read a client's events.
 */
#ifndef CM_EVENT_IMPL_H
#define CM_EVENT_IMPL_H

#include "casemgr/event.h"
#include "store/store_impl.h"

struct cm__event {
	struct cm__rec hdr;
	char *client_id;
	/* The texts: the note and the rarely set ones (actor, outcome, plan,
	 * goal and service ids, disposition, amended event), CM__TEXT_SPARSE
	 * in one block (one pointer for them all), read with cm__field_text
	 * (cm__event_amends for the amended event). */
	char *sparse;
	int64_t time;
	int32_t type;
	int32_t mode;
};

extern const struct cm__kind cm__event_kind;

/* The id of the event e amends, or NULL. */
const char *cm__event_amends(const struct cm__event *e);
/* The event's note (CM_EVENT_TEXT), or NULL. */
const char *cm__event_note(const struct cm__event *e);

/* Event i of bucket b (a client's events) of store s. */
#define CM__EVENT_AT(s, b, i) \
	((const struct cm__event *)cm__bucket_slot((s), (b), (i))->cur)

/* The slot of the latest event amending event i of b (a client's events
 * bucket), or NULL: one look-up in the store's map of amendments. Caller
 * holds the lock. */
const struct cm__slot *cm__event_amended_by(const cm_store *s,
					    const struct cm__bucket *b,
					    uint32_t i);

/* 1 if any event in b amends another (most clients have none: rules then
 * skip the amendment scan). A flag of the bucket: no event is read. */
int cm__events_amended(const cm_store *s, const struct cm__bucket *b);
/* 1 if event i counts for a rule as of `end` (the first instant after the
 * as-of date): recorded as happening before end, and not corrected by an
 * amendment (checked only if `amended`, from cm__events_amended). */
int cm__event_effective(const cm_store *s, const struct cm__bucket *b,
			uint32_t i, int64_t end, int amended);
/* Index of the first effective event after event i (strictly later in
 * time, and no later than `until`, an instant) whose type is t1 or t2, or
 * -1. */
long cm__event_next_of(const cm_store *s, const struct cm__bucket *b,
		       uint32_t i, int64_t end, int amended, int64_t until,
		       int32_t t1, int32_t t2);

#endif
