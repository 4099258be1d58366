/*
 * Monitoring events: the record schema, save-time rules (immutability, the
 * client and the amended event must exist), the events-by-client index and
 * the public API.
 */
#include <string.h>

#include "core/datetime.h"
#include "core/text.h"
#include "event/event_impl.h"

/* The texts, in the sparse block (see enum cm__ftext): the note, set on
 * most events, shares it with the rarely set ones. */
#define STEXT(n, tag, pub, max) \
	{ n, tag, CM__F_TEXT, pub ? CM__PUB_TEXT : CM__PUB_NONE, pub, offsetof(struct cm__event, sparse), max, CM__TEXT_SPARSE, 0, 0, NULL }

static const struct cm__field event_fields[] = {
	{ "client id", 61, CM__F_TEXT, CM__PUB_NONE, 0, offsetof(struct cm__event, client_id), 64, CM__TEXT_CLIENT, 0, 0, NULL },
	STEXT("actor", 62, CM_EVENT_ACTOR, 256),
	STEXT("outcome", 63, CM_EVENT_OUTCOME, 200),
	STEXT("text", 64, CM_EVENT_TEXT, 4000),
	STEXT("plan id", 65, CM_EVENT_PLAN, 64),
	STEXT("goal id", 66, CM_EVENT_GOAL, 64),
	STEXT("service id", 67, CM_EVENT_SERVICE, 64),
	STEXT("disposition", 68, CM_EVENT_DISPOSITION, 200),
	STEXT("amends", 69, 0, 64),
	{ "time", 20, CM__F_I64, CM__PUB_INT, CM_EVENT_TIME,
	  offsetof(struct cm__event, time), 0, CM__CHECK_RANGE, CM_TIME_MIN,
	  CM_TIME_MAX, NULL },
	{ "type", 21, CM__F_I32, CM__PUB_NONE, 0, offsetof(struct cm__event, type),
	  0, 0, 0, 0, NULL },
	{ "mode", 22, CM__F_I32, CM__PUB_INT, CM_EVENT_MODE,
	  offsetof(struct cm__event, mode), 0, CM__CHECK_RANGE, 0,
	  CM_CONTACT_TELEHEALTH, NULL },
};

/* The note (CM_EVENT_TEXT). */
#define TEXT_FIELD (&event_fields[3])
/* The amended event's id (private: cm_event_set_amends, rules). */
#define AMENDS_FIELD (&event_fields[8])

static const struct cm__schema event_schema = {
	"event", sizeof(struct cm__event), event_fields,
	sizeof(event_fields) / sizeof(event_fields[0])
};

static const char *const type_codes[] = {
	NULL, "contact-attempt", "contact", "appointment-kept",
	"appointment-missed", "ed-visit", "admission", "discharge",
	"medication-reconciliation", "barrier-found", "barrier-resolved",
	"goal-progress", "utilization-review", "payer-communication", "note"
};

const char *cm_event_type_code(int32_t type)
{
	return (type >= 1 && type <= CM_EVENT_NOTE) ? type_codes[type] : NULL;
}

/* ---- rules ------------------------------------------------------------- */

const char *cm__event_amends(const struct cm__event *e)
{
	return e->sparse ? cm__field_text(AMENDS_FIELD, e) : NULL;
}

const char *cm__event_note(const struct cm__event *e)
{
	return e->sparse ? cm__field_text(TEXT_FIELD, e) : NULL;
}

/* (cm_event_add makes the first check itself, and stages events that
 * amend none: a rule added here must hold for those too. Events that
 * amend another are staged only after this check, which marks the
 * transaction for the index hooks: events_amend.) */
static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	const struct cm__event *e = (const struct cm__event *)rec;
	cm_store *s = txn->store;
	const struct cm__slot *slot;
	const struct cm__event *old;
	const char *amends;

	if (!cm__txn_slot(txn, CM_KIND_CLIENT, e->client_id) &&
	    !cm__txn_staged(txn, CM_KIND_CLIENT, e->client_id))
		return cm__err(s, CM_ENOTFOUND, "event: no client with id '%s'",
			       e->client_id);
	if (!(amends = cm__event_amends(e)))
		return CM_OK;
	txn->events_amend = 1; /* (for its index hooks) */
	if (strcmp(amends, rec->id) == 0)
		return cm__err(s, CM_EINVAL, "an event cannot amend itself");
	slot = cm__slot_find(s, CM_KIND_EVENT, amends);
	if (!slot)
		return cm__err(s, CM_ENOTFOUND,
			       "event: no committed event '%s' to amend", amends);
	old = (const struct cm__event *)slot->cur;
	if (strcmp(old->client_id, e->client_id) != 0)
		return cm__err(s, CM_EINVAL,
			       "event '%s' belongs to another client", amends);
	return CM_OK;
}

const struct cm__slot *cm__event_amended_by(const cm_store *s,
					    const struct cm__bucket *b,
					    uint32_t i)
{
	const char *id = CM__SLOT_ID(cm__bucket_slot(s, b, i));

	return cm__map_get(&s->amended_by, id, strlen(id));
}

int cm__events_amended(const cm_store *s, const struct cm__bucket *b)
{
	(void)s;
	return b && b->amended;
}

int cm__event_effective(const cm_store *s, const struct cm__bucket *b,
			uint32_t i, int64_t end, int amended)
{
	return cm__bucket_key(b, i) < end &&
	       !(amended && cm__event_amended_by(s, b, i));
}

long cm__event_next_of(const cm_store *s, const struct cm__bucket *b,
		       uint32_t i, int64_t end, int amended, int64_t until,
		       int32_t t1, int32_t t2)
{
	uint32_t j;

	for (j = i + 1; j < b->n && cm__bucket_key(b, j) <= until; j++) {
		int32_t t = CM__EVENT_AT(s, b, j)->type;
		if ((t == t1 || t == t2) &&
		    cm__bucket_key(b, j) > cm__bucket_key(b, i) &&
		    cm__event_effective(s, b, j, end, amended))
			return (long)j;
	}
	return -1;
}

/* ---- the events-by-client index ---------------------------------------- */

/* The events' prepared data (txn->index_prep[CM_KIND_EVENT]): the index's,
 * first (cm__byclient_discard frees it), then how many of txn's events
 * amend another (most commits: none, and apply then reads no event's
 * sparse texts). */
struct event_prep {
	struct cm__mprep m;
	size_t amends;
};

static void index_discard(cm_store *s, cm_txn *txn)
{
	cm__byclient_discard(s, txn, CM_KIND_EVENT);
}

/* Event record of slot sl of the events index at apply: its committed
 * version, or the one txn is committing (not yet in the slot). */
static const struct cm__event *apply_event(const cm_txn *txn,
					   const struct cm__slot *sl)
{
	return (const struct cm__event *)(sl->cur ? sl->cur
					  : txn->ops[sl->staged - 1].rec);
}

/* The event of the events index that id names, committed or pending in
 * txn (the one committing), or NULL. */
static const struct cm__slot *event_slot(const cm_store *s, const char *id)
{
	return cm__kmap_get(&s->tables[CM_KIND_EVENT].ids, id, strlen(id));
}

/* Apply: make event e (slot sl), committed by txn, the latest amender of
 * the event it amends if it comes after the one recorded (by time, then
 * id: the order of the client's events). An event amended from another
 * client's events is left out, as a client's own events are the only
 * ones read for it; one not there (storage can hold anything) waits for
 * it (see resolve_waiting). */
static void note_amendment(cm_store *s, const cm_txn *txn,
			   const struct cm__event *e, const struct cm__slot *sl)
{
	const char *amends = cm__event_amends(e);
	const struct cm__slot *target = event_slot(s, amends);
	const struct cm__slot *was;
	const struct cm__event *w;
	const char *key;

	if (!target) {
		/* Room reserved at prepare (same look-up). */
		cm__map_put(&s->amend_waiting, amends, strlen(amends), (void *)sl);
		return;
	}
	if (strcmp(apply_event(txn, target)->client_id, e->client_id) != 0)
		return;
	key = CM__SLOT_ID(target);
	was = cm__map_get(&s->amended_by, key, strlen(key));
	w = was ? apply_event(txn, was) : NULL;
	if (!w || e->time > w->time ||
	    (e->time == w->time && strcmp(CM__SLOT_ID(sl), CM__SLOT_ID(was)) > 0))
		cm__map_put(&s->amended_by, key, strlen(key), (void *)sl);
}

/* 1 if events amend the id of event x, committed by txn, that were there
 * before it (cm__map_get: NULL once resolved). */
static int waited_for(const cm_store *s, const struct cm__slot *x)
{
	const char *id = CM__SLOT_ID(x);

	return s->amend_waiting.count &&
	       cm__map_get(&s->amend_waiting, id, strlen(id)) != NULL;
}

/* Apply: event e (slot x), committed by txn, is one that events already
 * there amend: its latest amender is the last of its client's events (in
 * b, which holds txn's events too) amending it. Rare (storage that held
 * the amendments first), so a search of the client's events. */
static void resolve_waiting(cm_store *s, const cm_txn *txn,
			    const struct cm__bucket *b, const struct cm__slot *x)
{
	const char *id = CM__SLOT_ID(x);
	const struct cm__slot *latest = NULL;
	uint32_t j;

	for (j = 0; j < b->n; j++) {
		const struct cm__slot *sl = cm__bucket_slot(s, b, j);
		const char *a = cm__event_amends(apply_event(txn, sl));
		if (a && strcmp(a, id) == 0)
			latest = sl;
	}
	if (latest)
		cm__map_put(&s->amended_by, id, strlen(id), (void *)latest);
	cm__map_put(&s->amend_waiting, id, strlen(id), NULL);
}

static int index_prepare(cm_store *s, cm_txn *txn)
{
	struct event_prep *ep = cm__txn_prep_new(txn, CM_KIND_EVENT, sizeof(*ep));
	struct cm__mprep *p;
	size_t i, amending = 0, waiting = 0;

	if (!ep)
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	p = &ep->m;
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__event *e = (const struct cm__event *)op->rec;
		const struct cm__slot *client;
		const char *amends;
		if (op->kind != CM_KIND_EVENT)
			continue;
		/* The bucket borrows the client slot's id: it lives as long
		 * as the store, so 1,000,000 clients cost no key copies. */
		client = cm__op_client(txn, op, e->client_id);
		if (!client)
			return cm__err(s, CM_ENOTFOUND, "event: no client '%s'",
				       e->client_id);
		if (cm__mindex_plan(s, &s->events_by_client, p, e->client_id,
				    CM__SLOT_ID(client)))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		if (txn->events_amend &&
		    (amends = cm__event_amends(e)) != NULL) {
			ep->amends++;
			amending++;
			waiting += !event_slot(s, amends);
		}
		/* Awaited: a key of amended_by too. */
		amending += op->fresh && waited_for(s, op->sl);
	}
	if (cm__mindex_reserve(s, p) ||
	    cm__map_reserve(s, &s->amended_by, amending) ||
	    (waiting && cm__map_reserve(s, &s->amend_waiting, waiting)))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	return CM_OK;
}

static void index_apply(cm_store *s, cm_txn *txn)
{
	struct event_prep *ep = txn->index_prep[CM_KIND_EVENT];
	struct cm__mprep *p = &ep->m;
	size_t i;

	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		const struct cm__event *e = (const struct cm__event *)op->rec;
		struct cm__bucket *b;
		if (op->kind != CM_KIND_EVENT)
			continue;
		b = cm__mindex_add_client(&s->events_by_client, p, op,
					  e->client_id, e->time);
		if (ep->amends && cm__event_amends(e))
			b->amended = 1;
	}
	cm__mindex_settle(&s->events_by_client, p);
	/* Then, with every event of txn in its table and its bucket: the
	 * events that amendments already there waited for, and the latest
	 * amender of each event amended. */
	for (i = 0; s->amend_waiting.count && i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__event *e = (const struct cm__event *)op->rec;
		if (op->kind == CM_KIND_EVENT && waited_for(s, op->sl))
			resolve_waiting(s, txn, cm__mindex_get_slot(
				&s->events_by_client,
				cm__txn_slot(txn, CM_KIND_CLIENT, e->client_id)),
				op->sl);
	}
	for (i = 0; ep->amends && i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__event *e = (const struct cm__event *)op->rec;
		if (op->kind == CM_KIND_EVENT && cm__event_amends(e))
			note_amendment(s, txn, e, cm__op_new_slot(op));
	}
}

/* A decoded event names its client (the per-client index needs it). */
static int check_decoded(const struct cm__rec *rec)
{
	return ((const struct cm__event *)rec)->client_id != NULL;
}

const struct cm__kind cm__event_kind = {
	.kind = CM_KIND_EVENT,
	.name = "event",
	.schema = &event_schema, /* no status: events are facts */
	.validate = validate,
	.check_decoded = check_decoded,
	.index_prepare = index_prepare,
	.index_apply = index_apply,
	.index_discard = index_discard,
	.immutable = 1,
};

/* ---- public API -------------------------------------------------------- */

#define H(e) cm__handle_of(e, &cm__event_kind)
#define REC(e) ((const struct cm__event *)cm__handle_rec(e, &cm__event_kind))

/* The checks of a new event's client id (not empty; NULL: one found in
 * the store, valid), type and time. */
static int check_new(cm_store *s, const char *client_id, int32_t type,
		     int64_t time)
{
	int rc;

	if (client_id && (rc = cm__check_text(s, client_id, 64, "client id", 0)))
		return rc;
	if (type < 1 || type > CM_EVENT_NOTE)
		return cm__err(s, CM_ERANGE, "%d is not an event type", (int)type);
	if (!cm__time_valid(time))
		return cm__err(s, CM_EDATE, "event time %lld is not valid",
			       (long long)time);
	return CM_OK;
}

int cm_event_new(cm_event **out, cm_store *s, const char *client_id,
		 int32_t type, int64_t time)
{
	struct cm__handle *h;
	struct cm__event *e;
	int rc;

	if (!out || !s || !client_id || !client_id[0])
		return cm__err(s, CM_EINVAL, "event new: NULL or empty argument");
	if ((rc = check_new(s, client_id, type, time)))
		return rc;
	if ((rc = cm__handle_create(&h, s, &cm__event_kind)))
		return rc;
	e = (struct cm__event *)h->rec;
	e->type = type;
	e->time = time;
	if (!(e->client_id = cm__strdup(s, client_id))) {
		cm__handle_release(h);
		return cm__err(s, CM_ENOMEM, "out of memory for an event");
	}
	*out = (cm_event *)(void *)h;
	return CM_OK;
}

int cm_event_add(cm_txn *txn, char *out_id, size_t out_id_size,
		 const char *client_id, int32_t type, int64_t time, int32_t mode,
		 const char *note)
{
	/* The note's sparse block (enum cm__ftext): <tag><note>NUL, then
	 * the 0 that ends the block. */
	char block[1 + 4000 + 2];
	char id[CM__UUID_BUF];
	struct cm__event e;
	struct cm__kpos pos;
	const struct cm__slot *client = NULL;
	cm_store *s = txn ? txn->store : NULL;
	size_t n;
	int rc;

	if (!txn || !client_id || !client_id[0])
		return cm__err(s, CM_EINVAL, "event add: NULL or empty argument");
	if (out_id && out_id_size < CM_ID_BUFSIZE)
		return cm__err(s, CM_EINVAL, "event add: the id buffer holds %zu "
			       "bytes, not CM_ID_BUFSIZE", out_id_size);
	if ((rc = cm__store_usable(s)) || (rc = cm__store_new_id_into(s, id)))
		return rc;
	/* Hashed once for the look-up and the put of the id (stage), whose
	 * line is asked for now. */
	cm__kmap_pos(&pos, id, CM__UUID_BUF - 1);
	cm__kmap_prefetch_pos(&s->tables[CM_KIND_EVENT].ids, &pos);
	/* The client first: a stored id is valid text (checked only to tell
	 * what is wrong with one not found), and the event then names the
	 * slot's id, which the save's look-ups of the client find at once
	 * (txn->memo). */
	if (strnlen(client_id, CM__ID_MAX + 1) <= CM__ID_MAX)
		client = cm__txn_slot(txn, CM_KIND_CLIENT, client_id);
	if ((rc = check_new(s, client ? NULL : client_id, type, time)))
		return rc;
	if (mode < CM_CONTACT_NONE || mode > CM_CONTACT_TELEHEALTH)
		return cm__err(s, CM_ERANGE, "%d is not a contact mode", (int)mode);
	/* Its length (for the copy too) from the check, which scans no
	 * further than the limit allows. */
	if ((rc = cm__check_text_len(s, note, TEXT_FIELD->max, "text", 1, &n)))
		return rc;
	memset(&e, 0, sizeof(e));
	atomic_init(&e.hdr.refs, 1);
	e.hdr.kind = CM_KIND_EVENT;
	e.hdr.created = e.hdr.updated = CM_TIME_NONE;
	e.hdr.id = id;
	/* Borrowed for the save, which copies or shares what it keeps. */
	e.client_id = client ? (char *)(uintptr_t)CM__SLOT_ID(client)
			     : (char *)(uintptr_t)client_id;
	e.type = type;
	e.time = time;
	e.mode = mode;
	if (n) {
		block[0] = (char)TEXT_FIELD->tag;
		memcpy(block + 1, note, n);
		block[n + 1] = block[n + 2] = '\0';
		e.sparse = block;
	}
	/* An event's checks at save (validate) are its client's existence,
	 * found above, and its amended event's, which it has none of. */
	if ((rc = cm__txn_stage(txn, &cm__event_kind, &e.hdr, &pos,
				client != NULL)))
		return rc;
	if (out_id)
		memcpy(out_id, id, sizeof(id));
	return CM_OK;
}

int cm_event_get(cm_event **out, cm_store *s, const char *id)
{
	return cm__handle_get((struct cm__handle **)(void *)out, s,
			      &cm__event_kind, id);
}

void cm_event_free(cm_event *e)
{
	cm__handle_free(H(e));
}

int cm_event_save(cm_txn *txn, cm_event *e)
{
	if (!txn || !H(e))
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "event save: NULL argument");
	return cm__txn_save(txn, H(e));
}

const char *cm_event_id(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? r->hdr.id : NULL;
}

const char *cm_event_client_id(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? r->client_id : NULL;
}

int32_t cm_event_type(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? r->type : 0;
}

int64_t cm_event_revision(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? r->hdr.revision : 0;
}

int64_t cm_event_recorded(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? r->hdr.created : CM_TIME_NONE;
}

const char *cm_event_amends(const cm_event *e)
{
	const struct cm__event *r = REC(e);
	return r ? cm__event_amends(r) : NULL;
}

const char *cm_event_text(const cm_event *e, int32_t field)
{
	return H(e) ? cm__handle_text(H(e), field) : NULL;
}

int cm_event_get_int(int64_t *out, const cm_event *e, int32_t field)
{
	if (!out || !H(e))
		return cm__err(H(e) ? H(e)->store : NULL, CM_EINVAL,
			       "event get int: NULL argument");
	return cm__handle_get_int(out, H(e), field);
}

int cm_event_set_text(cm_event *e, int32_t field, const char *value)
{
	return H(e) ? cm__handle_set_text(H(e), field, value) : CM_EINVAL;
}

int cm_event_set_int(cm_event *e, int32_t field, int64_t value)
{
	struct cm__handle *h = H(e);

	if (!h)
		return CM_EINVAL;
	if (field == CM_EVENT_TIME && !cm__time_valid(value))
		return cm__err(h->store, CM_EDATE, "event time %lld is not valid",
			       (long long)value);
	return cm__handle_set_int(h, field, value);
}

int cm_event_set_amends(cm_event *e, const char *event_id)
{
	struct cm__handle *h = H(e);
	struct cm__rec *r;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = cm__handle_check_mutable(h)))
		return rc;
	if (event_id && (!event_id[0] || strnlen(event_id, 65) > 64 ||
			 !cm__utf8_valid(event_id, strlen(event_id))))
		return cm__err(h->store, CM_EINVAL, "amends: not an event id");
	if (!(r = cm__handle_mut(h)))
		return CM_ENOMEM;
	if (cm__field_set_text(h->store, AMENDS_FIELD, r, event_id,
			       event_id ? strlen(event_id) : 0))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	h->mods++;
	return CM_OK;
}
