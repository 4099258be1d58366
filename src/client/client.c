/*
 * Clients: the record schema, the case-status lifecycle, the identifier
 * index (unique per system) and the public client API.
 */
#include <string.h>

#include "client/client_dir.h"
#include "client/client_impl.h"
#include "core/text.h"
#include "query/query_impl.h"

#define IDENT_SYSTEM_MAX 256
#define IDENT_VALUE_MAX 128
#define COVERAGE_MAX 16
#define TEAM_MAX 64

/* ---- schema ------------------------------------------------------------ */

#define TEXT(n, tag, pub, m, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(struct cm__client, m), max, 0, 0, 0, NULL }
#define INT(n, tag, pub, m, chk, lo, hi) \
	{ n, tag, CM__F_I32, CM__PUB_INT, pub, offsetof(struct cm__client, m), 0, chk, lo, hi, NULL }
#define LIST(n, tag, m, max, el) \
	{ n, tag, CM__F_LIST, CM__PUB_NONE, 0, offsetof(struct cm__client, m), max, 0, 0, 0, el }
#define ETEXT(type, n, tag, m, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_NONE, 0, offsetof(type, m), max, 0, 0, 0, NULL }
/* Texts that packed versions share (see enum cm__ftext). */
#define ITEXT(n, tag, pub, m, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(struct cm__client, m), max, CM__TEXT_INTERN, 0, 0, NULL }
/* Rarely set texts, in the sparse block (see enum cm__ftext). */
#define STEXT(n, tag, pub, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_TEXT, pub, offsetof(struct cm__client, sparse), max, CM__TEXT_SPARSE, 0, 0, NULL }
/* Rarely used lists, in the rare block (see enum cm__flist): index i of
 * struct cm__client_rare. */
#define RLIST(n, tag, i, max, el) \
	{ n, tag, CM__F_LIST, CM__PUB_NONE, 0, offsetof(struct cm__client, rare), max, \
	  CM__LIST_RARE, i, sizeof(struct cm__client_rare) / sizeof(struct cm__list), el }
#define IETEXT(type, n, tag, m, max) \
	{ n, tag, CM__F_TEXT, CM__PUB_NONE, 0, offsetof(type, m), max, CM__TEXT_INTERN, 0, 0, NULL }

static const struct cm__field ident_fields[] = {
	IETEXT(struct cm__ident, "identifier system", 1, system, IDENT_SYSTEM_MAX),
	ETEXT(struct cm__ident, "identifier value", 2, value, IDENT_VALUE_MAX),
};
static const struct cm__schema ident_schema = {
	"identifier", sizeof(struct cm__ident), ident_fields, 2
};

static const struct cm__field coverage_fields[] = {
	IETEXT(struct cm__coverage, "payer", 1, payer, 200),
	ETEXT(struct cm__coverage, "member id", 2, member_id, 128),
	IETEXT(struct cm__coverage, "plan", 3, plan, 200),
};
static const struct cm__schema coverage_schema = {
	"coverage", sizeof(struct cm__coverage), coverage_fields, 3
};

static const struct cm__field team_fields[] = {
	IETEXT(struct cm__team_member, "role", 1, role, 200),
	ETEXT(struct cm__team_member, "name", 2, name, 200),
	ETEXT(struct cm__team_member, "contact", 3, contact, 1000),
};
static const struct cm__schema team_schema = {
	"care team member", sizeof(struct cm__team_member), team_fields, 3
};

static const struct cm__field client_fields[] = {
	TEXT("family name", 16, CM_CLIENT_FAMILY, family, 200),
	TEXT("given name", 17, CM_CLIENT_GIVEN, given, 200),
	STEXT("language", 18, CM_CLIENT_LANGUAGE, 35),
	STEXT("phone", 19, CM_CLIENT_PHONE, 64),
	STEXT("email", 20, CM_CLIENT_EMAIL, 254),
	STEXT("address", 21, CM_CLIENT_ADDRESS, 1000),
	STEXT("program", 22, CM_CLIENT_PROGRAM, 200),
	ITEXT("case manager", 23, CM_CLIENT_CASE_MANAGER, case_manager, 64),
	INT("birth date", 32, CM_CLIENT_BIRTH_DATE, birth_date, CM__CHECK_DATE, 0, 0),
	INT("gender", 33, CM_CLIENT_GENDER, gender, CM__CHECK_RANGE, 0, 4),
	INT("interpreter", 34, CM_CLIENT_INTERPRETER, interpreter, CM__CHECK_RANGE, 0, 1),
	INT("risk tier", 35, CM_CLIENT_RISK_TIER, risk_tier, CM__CHECK_RANGE, 0, 4),
	INT("next follow-up", 36, CM_CLIENT_NEXT_FOLLOWUP, next_followup, CM__CHECK_DATE, 0, 0),
	{ "status", 37, CM__F_I32, CM__PUB_NONE, 0, offsetof(struct cm__client, status), 0, CM__CHECK_RANGE, 1, CM_CASE_ENTERED_IN_ERROR, NULL },
	LIST("identifiers", 48, idents, UINT32_MAX, &ident_schema),
	RLIST("coverage", 49, 0, COVERAGE_MAX, &coverage_schema),
	RLIST("care team", 50, 1, TEAM_MAX, &team_schema),
	LIST("status history", 51, history, UINT32_MAX, &cm__hist_schema),
};
/* Indexes in client_fields. */
#define COVERAGE_F (&client_fields[15])
#define TEAM_F (&client_fields[16])

static const struct cm__schema client_schema = {
	"client", sizeof(struct cm__client), client_fields,
	sizeof(client_fields) / sizeof(client_fields[0])
};

/* ---- status ------------------------------------------------------------ */

static const char *const status_codes[] = {
	NULL, "planned", "waitlist", "active", "onhold", "finished",
	"cancelled", "entered-in-error"
};

static int transition_ok(int32_t from, int32_t to)
{
	if (from == to)
		return 0;
	if (to == CM_CASE_ENTERED_IN_ERROR)
		return from != CM_CASE_ENTERED_IN_ERROR;
	switch (from) {
	case CM_CASE_PLANNED:
		return to == CM_CASE_WAITLIST || to == CM_CASE_ACTIVE ||
		       to == CM_CASE_CANCELLED;
	case CM_CASE_WAITLIST:
		return to == CM_CASE_PLANNED || to == CM_CASE_ACTIVE ||
		       to == CM_CASE_CANCELLED;
	case CM_CASE_ACTIVE:
		return to == CM_CASE_ONHOLD || to == CM_CASE_FINISHED;
	case CM_CASE_ONHOLD:
		return to == CM_CASE_ACTIVE || to == CM_CASE_FINISHED ||
		       to == CM_CASE_CANCELLED;
	case CM_CASE_FINISHED:
		return to == CM_CASE_ACTIVE;
	default:
		return 0;
	}
}

const char *cm_case_status_code(int32_t status)
{
	return (status >= 1 && status <= CM_CASE_ENTERED_IN_ERROR)
		       ? status_codes[status] : NULL;
}

int cm_case_status_parse(int32_t *out, const char *code)
{
	int32_t i;

	if (!out || !code)
		return CM_EINVAL;
	for (i = 1; i <= CM_CASE_ENTERED_IN_ERROR; i++)
		if (strcmp(status_codes[i], code) == 0) {
			*out = i;
			return CM_OK;
		}
	return CM_ERANGE;
}

const char *cm_gender_code(int32_t gender)
{
	static const char *const codes[] = { NULL, "male", "female", "other", "unknown" };
	return (gender >= 1 && gender <= 4) ? codes[gender] : NULL;
}

/* Defaults of a new client (also for fields missing from an older
 * encoding). */
static void init(struct cm__rec *rec)
{
	struct cm__client *c = (struct cm__client *)rec;
	c->birth_date = CM_DATE_NONE;
	c->next_followup = CM_DATE_NONE;
	c->status = CM_CASE_PLANNED;
}

/* ---- identifier index -------------------------------------------------- */

/* "system\0value" into buf (large enough for the field limits), given
 * their lengths a and b; the key's length. */
static size_t ident_key_n(char *buf, const char *system, size_t a,
			  const char *value, size_t b)
{
	memcpy(buf, system, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, value, b);
	return a + 1 + b;
}

static size_t ident_key(char *buf, const char *system, const char *value)
{
	return ident_key_n(buf, system, strlen(system), value, strlen(value));
}

#define IDENT_KEY_MAX (IDENT_SYSTEM_MAX + 1 + IDENT_VALUE_MAX)

static int has_ident(const struct cm__client *c, const char *system,
		     const char *value)
{
	uint32_t i;
	for (i = 0; c && i < c->idents.count; i++) {
		const struct cm__ident *e = CM__LIST_AT(&c->idents, struct cm__ident, i);
		if (strcmp(e->system, system) == 0 && strcmp(e->value, value) == 0)
			return 1;
	}
	return 0;
}

/* The id of the committed holder of an identifier (on its card in the
 * client directory, valid until the directory changes), unless the holder
 * is staged in txn without it (it is giving the identifier up in this
 * transaction). Called by the transaction's holder, the only writer. */
static const char *ident_holder(cm_txn *txn, const char *key, size_t klen,
				const char *system, const char *value)
{
	const struct cm__card *cd = cm__cdir_find(txn->store, key, klen);
	const struct cm__rec *staged;
	const char *id;

	if (!cd)
		return NULL;
	id = cm__card_text(cd, CM__CARD_ID);
	staged = cm__txn_staged(txn, CM_KIND_CLIENT, id);
	if (staged && !has_ident((const struct cm__client *)staged, system, value))
		return NULL;
	return id;
}

static int validate(cm_txn *txn, const struct cm__rec *rec)
{
	const struct cm__client *c = (const struct cm__client *)rec;
	const struct cm__slot *sl;
	const struct cm__client *old;
	cm_store *s = txn->store;
	char key[IDENT_KEY_MAX];
	uint32_t i;

	if (!c->family && !c->given)
		return cm__err(s, CM_EINCOMPLETE,
			       "client '%s' needs a family or given name", rec->id);
	/* An identifier the committed version has is this client's in the
	 * directory: no one else can hold it (skips the directory's probe).
	 * A new client (revision 0) has no committed version: staging
	 * refused one whose id is taken. */
	sl = c->idents.count && rec->revision != 0
		     ? cm__txn_slot(txn, CM_KIND_CLIENT, rec->id) : NULL;
	old = sl ? (const struct cm__client *)sl->cur : NULL;
	for (i = 0; i < c->idents.count; i++) {
		const struct cm__ident *e = CM__LIST_AT(&c->idents, struct cm__ident, i);
		size_t n;
		const char *h;
		if (has_ident(old, e->system, e->value))
			continue;
		n = ident_key(key, e->system, e->value);
		h = ident_holder(txn, key, n, e->system, e->value);
		if (h && strcmp(h, rec->id) != 0)
			return cm__err(s, CM_EEXIST,
				       "identifier %s|%s already belongs to client '%s' "
				       "(if it gives it up in this transaction, save it "
				       "first)",
				       e->system, e->value, h);
	}
	return CM_OK;
}

/* Prepared at commit: the identifier keys each op adds (owned here; the
 * client directory keeps no copy). */
struct ident_add {
	char *key;
	size_t len;
	struct cm__op *op;
};

struct ident_prep {
	struct ident_add *adds;
	size_t n, cap;
	struct cm__map seen; /* added key -> its ident_add, for duplicates */
	struct cm__mprep bycm; /* the clients-by-case-manager index */
};

static void index_discard(cm_store *s, cm_txn *txn)
{
	struct ident_prep *p = txn->index_prep[CM_KIND_CLIENT];
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		cm__free(s, p->adds[i].key);
	cm__free(s, p->adds);
	cm__map_free(s, &p->seen);
	cm__mprep_done(s, &p->bycm);
	cm__cix_done(s);
	cm__txn_prep_end(txn, CM_KIND_CLIENT);
}

static int index_prepare(cm_store *s, cm_txn *txn)
{
	struct ident_prep *p;
	char key[IDENT_KEY_MAX];
	size_t i;
	uint32_t j;
	int rc;

	p = cm__txn_prep_new(txn, CM_KIND_CLIENT, sizeof(*p));
	if (!p)
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		const struct cm__client *old;
		if (op->kind != CM_KIND_CLIENT)
			continue;
		old = cm__op_slot(op) ? (const struct cm__client *)cm__op_slot(op)->cur
				      : NULL;
		for (j = 0; j < c->idents.count; j++) {
			const struct cm__ident *e =
				CM__LIST_AT(&c->idents, struct cm__ident, j);
			const char *h;
			struct ident_add *a;
			size_t n;
			if (has_ident(old, e->system, e->value))
				continue;
			n = ident_key(key, e->system, e->value);
			h = ident_holder(txn, key, n, e->system, e->value);
			if ((h && strcmp(h, op->rec->id) != 0) ||
			    cm__map_get(&p->seen, key, n))
				return cm__err(s, CM_EEXIST,
					       "identifier %s|%s is claimed twice",
					       e->system, e->value);
			if (cm__reserve(s, (void **)&p->adds, &p->cap, p->n + 1,
					sizeof(*p->adds)) ||
			    cm__map_reserve(s, &p->seen, 1))
				return cm__err(s, CM_ENOMEM, "out of memory at commit");
			a = &p->adds[p->n];
			if (!(a->key = cm__memdup0(s, key, n)))
				return cm__err(s, CM_ENOMEM, "out of memory at commit");
			a->len = n;
			a->op = op;
			p->n++;
			cm__map_put(&p->seen, a->key, n, a);
		}
	}
	if (cm__cdir_prepare(s, txn, p->n))
		return CM_ENOMEM;
	if ((rc = cm__bycm_prepare(s, txn, &p->bycm)) != CM_OK)
		return rc;
	return cm__cix_prepare(s, txn);
}

static void index_apply(cm_store *s, cm_txn *txn)
{
	struct ident_prep *p = txn->index_prep[CM_KIND_CLIENT];
	char key[IDENT_KEY_MAX];
	size_t i;
	uint32_t j;

	cm__cdir_apply_cards(s, txn);
	/* Removals first, so that an identifier moving between two clients
	 * in one transaction is free when it is added. */
	for (i = 0; i < txn->nops; i++) {
		struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		const struct cm__client *old;
		if (op->kind != CM_KIND_CLIENT || !cm__op_slot(op))
			continue;
		old = (const struct cm__client *)cm__op_slot(op)->cur;
		for (j = 0; j < old->idents.count; j++) {
			const struct cm__ident *e =
				CM__LIST_AT(&old->idents, struct cm__ident, j);
			if (has_ident(c, e->system, e->value))
				continue;
			cm__cdir_ident_del(s, key,
					   ident_key(key, e->system, e->value),
					   CM__SLOT_ID(cm__op_slot(op)));
		}
	}
	for (i = 0; i < p->n; i++) {
		struct cm__op *op = p->adds[i].op;
		struct cm__slot *slot = op->sl;
		cm__cdir_ident_put(s, p->adds[i].key, p->adds[i].len, CM__SLOT_ID(slot));
	}
	cm__bycm_apply(s, txn, &p->bycm);
	cm__cix_apply(s, txn);
}

/* A decoded client keeps what validate and the identifier index rely on:
 * a name, and the required texts of its list entries (the decoder lets
 * absent texts default to NULL). */
static int check_decoded(const struct cm__rec *rec)
{
	const struct cm__client *c = (const struct cm__client *)rec;
	const struct cm__list *cov, *team;
	uint32_t i;

	if (!c->family && !c->given)
		return 0;
	for (i = 0; i < c->idents.count; i++) {
		const struct cm__ident *e = CM__LIST_AT(&c->idents, struct cm__ident, i);
		if (!e->system || !e->value)
			return 0;
	}
	cov = cm__field_list(COVERAGE_F, c);
	team = cm__field_list(TEAM_F, c);
	for (i = 0; i < cov->count; i++)
		if (!CM__LIST_AT(cov, struct cm__coverage, i)->payer)
			return 0;
	for (i = 0; i < team->count; i++) {
		const struct cm__team_member *m =
			CM__LIST_AT(team, struct cm__team_member, i);
		if (!m->role || !m->name)
			return 0;
	}
	return 1;
}

const struct cm__kind cm__client_kind = {
	.kind = CM_KIND_CLIENT,
	.name = "client",
	.schema = &client_schema,
	.status_off = offsetof(struct cm__client, status),
	.history_off = offsetof(struct cm__client, history),
	.status_max = CM_CASE_ENTERED_IN_ERROR,
	.status_codes = status_codes,
	.init = init,
	.transition_ok = transition_ok,
	.check_decoded = check_decoded,
	.validate = validate,
	.index_prepare = index_prepare,
	.index_apply = index_apply,
	.index_discard = index_discard,
	/* events_by_client, services_by_client, plans_by_client,
	 * assessments_by_client (cm_store_open) */
	.slot_buckets = 4,
	/* Its id, an identifier, names, case manager, a status change. */
	.room = 384,
};

/* ---- handles ----------------------------------------------------------- */

/* A client handle is a generic handle of the client kind; check that FFI
 * callers did not pass some other handle. */
static struct cm__handle *H(cm_client *c)
{
	struct cm__handle *h = (struct cm__handle *)(void *)c;
	return (h && h->kind == &cm__client_kind) ? h : NULL;
}

static const struct cm__handle *CH(const cm_client *c)
{
	const struct cm__handle *h = (const struct cm__handle *)(const void *)c;
	return (h && h->kind == &cm__client_kind) ? h : NULL;
}

static const struct cm__client *REC(const cm_client *c)
{
	const struct cm__handle *h = CH(c);
	return h ? (const struct cm__client *)h->rec : NULL;
}

int cm_client_new(cm_client **out, cm_store *s)
{
	if (!out || !s)
		return cm__err(s, CM_EINVAL, "client new: NULL argument");
	return cm__handle_create((struct cm__handle **)(void *)out, s,
				 &cm__client_kind);
}

/* ---- look-ups through the client directory ----------------------------- */

/* The identifier key of (system, value) into key; 0 (with the not-found
 * message) if either is longer than an identifier can be. */
static size_t lookup_key(cm_store *s, char *key, const char *system,
			 const char *value)
{
	size_t a = strnlen(system, IDENT_SYSTEM_MAX + 1);
	size_t b = strnlen(value, IDENT_VALUE_MAX + 1);

	if (a > IDENT_SYSTEM_MAX || b > IDENT_VALUE_MAX) {
		cm__err(s, CM_ENOTFOUND, "no client with identifier %.64s|%.64s",
			system, value);
		return 0;
	}
	return ident_key_n(key, system, a, value, b);
}

/* A new handle on the current version of card cd (read under the lock),
 * or CM_ENOTFOUND (message set by the caller) if cd is NULL. */
static int handle_of_card(cm_client **out, cm_store *s,
			  const struct cm__card *cd)
{
	struct cm__rec *rec = NULL;
	struct cm__handle *h;
	int rc;

	if (cd) {
		rec = (struct cm__rec *)(uintptr_t)cd->rec;
		cm__rec_retain(rec);
	}
	CM__UNLOCK(s);
	if (!rec)
		return CM_ENOTFOUND;
	rc = cm__handle_new(&h, s, &cm__client_kind, rec, 0);
	if (rc) {
		cm__rec_release(s, rec);
		return rc;
	}
	*out = (cm_client *)(void *)h;
	return CM_OK;
}

int cm_client_get(cm_client **out, cm_store *s, const char *id)
{
	int rc;

	if (!out || !s || !id)
		return cm__err(s, CM_EINVAL, "client get: NULL argument");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	CM__RDLOCK(s);
	rc = handle_of_card(out, s, cm__cdir_get(s, id));
	if (rc == CM_ENOTFOUND)
		return cm__err(s, rc, "no client with id '%.64s'", id);
	return rc;
}

int cm_client_find(cm_client **out, cm_store *s, const char *system,
		   const char *value)
{
	char key[IDENT_KEY_MAX];
	size_t n;
	int rc;

	if (!out || !s || !system || !value)
		return cm__err(s, CM_EINVAL, "client find: NULL argument");
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	if (!(n = lookup_key(s, key, system, value)))
		return CM_ENOTFOUND;
	CM__RDLOCK(s);
	rc = handle_of_card(out, s, cm__cdir_find(s, key, n));
	if (rc == CM_ENOTFOUND)
		return cm__err(s, rc, "no client with identifier %.64s|%.64s",
			       system, value);
	return rc;
}

static int summary_check(cm_store *s, const cm_client_summary *out)
{
	if (out->version == 0 || out->version > CM_CLIENT_SUMMARY_VERSION)
		return cm__err(s, CM_EVERSION,
			       "client summary: version %u is not 1..%d",
			       (unsigned)out->version, CM_CLIENT_SUMMARY_VERSION);
	return cm__store_usable(s);
}

/* Fill *out from card cd (under the lock); CM_ENOTFOUND if cd is NULL. */
static int summary_of_card(cm_client_summary *out, cm_store *s,
			   const struct cm__card *cd)
{
	if (cd) {
		/* Version 1: every member (the only version so far). */
		out->status = cd->status;
		out->risk_tier = cd->risk_tier;
		out->next_followup = cd->next_followup;
		out->birth_date = cd->birth_date;
		out->gender = cd->gender;
		out->revision = cd->revision;
		char *const dst[CM__CARD_NTEXT] = {
			[CM__CARD_ID] = out->id,
			[CM__CARD_FAMILY] = out->family,
			[CM__CARD_GIVEN] = out->given,
			[CM__CARD_MANAGER] = out->case_manager
		};
		static const size_t cap[CM__CARD_NTEXT] = {
			[CM__CARD_ID] = sizeof(out->id),
			[CM__CARD_FAMILY] = sizeof(out->family),
			[CM__CARD_GIVEN] = sizeof(out->given),
			[CM__CARD_MANAGER] = sizeof(out->case_manager)
		};
		cm__card_copy(dst, cap, cd);
	}
	CM__UNLOCK(s);
	return cd ? CM_OK : CM_ENOTFOUND;
}

int cm_client_get_summary(cm_client_summary *out, cm_store *s, const char *id)
{
	int rc;

	if (!out || !s || !id)
		return cm__err(s, CM_EINVAL, "client get summary: NULL argument");
	if ((rc = summary_check(s, out)) != CM_OK)
		return rc;
	CM__RDLOCK(s);
	if (summary_of_card(out, s, cm__cdir_get(s, id)) != CM_OK)
		return cm__err(s, CM_ENOTFOUND, "no client with id '%.64s'", id);
	return CM_OK;
}

int cm_client_find_summary(cm_client_summary *out, cm_store *s,
			   const char *system, const char *value)
{
	char key[IDENT_KEY_MAX];
	size_t n;
	int rc;

	if (!out || !s || !system || !value)
		return cm__err(s, CM_EINVAL, "client find summary: NULL argument");
	if ((rc = summary_check(s, out)) != CM_OK)
		return rc;
	if (!(n = lookup_key(s, key, system, value)))
		return CM_ENOTFOUND;
	CM__RDLOCK(s);
	if (summary_of_card(out, s, cm__cdir_find(s, key, n)) != CM_OK)
		return cm__err(s, CM_ENOTFOUND,
			       "no client with identifier %.64s|%.64s", system,
			       value);
	return CM_OK;
}

void cm_client_free(cm_client *c)
{
	cm__handle_free(H(c));
}

int cm_client_save(cm_txn *txn, cm_client *c)
{
	struct cm__handle *h = H(c);

	if (!txn || !h)
		return cm__err(txn ? txn->store : h ? h->store : NULL, CM_EINVAL,
			       "client save: NULL argument");
	return cm__txn_save(txn, h);
}

const char *cm_client_id(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->hdr.id : NULL;
}

int64_t cm_client_revision(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->hdr.revision : 0;
}

int64_t cm_client_created(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->hdr.created : CM_TIME_NONE;
}

int64_t cm_client_updated(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->hdr.updated : CM_TIME_NONE;
}

int32_t cm_client_status(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->status : 0;
}

const char *cm_client_text(const cm_client *c, int32_t field)
{
	const struct cm__handle *h = CH(c);
	return h ? cm__handle_text(h, field) : NULL;
}

int cm_client_get_int(int64_t *out, const cm_client *c, int32_t field)
{
	const struct cm__handle *h = CH(c);
	if (!out || !h)
		return cm__err(h ? h->store : NULL, CM_EINVAL,
			       "client get int: NULL argument");
	return cm__handle_get_int(out, h, field);
}

int cm_client_set_id(cm_client *c, const char *id)
{
	struct cm__handle *h = H(c);
	return h ? cm__handle_set_id(h, id) : CM_EINVAL;
}

int cm_client_set_text(cm_client *c, int32_t field, const char *value)
{
	struct cm__handle *h = H(c);
	return h ? cm__handle_set_text(h, field, value) : CM_EINVAL;
}

int cm_client_set_int(cm_client *c, int32_t field, int64_t value)
{
	struct cm__handle *h = H(c);
	return h ? cm__handle_set_int(h, field, value) : CM_EINVAL;
}

int cm_client_set_status(cm_client *c, int32_t status, const char *reason)
{
	struct cm__handle *h = H(c);
	return h ? cm__handle_set_status(h, status, reason) : CM_EINVAL;
}

size_t cm_client_status_history_count(const cm_client *c)
{
	const struct cm__handle *h = CH(c);
	return h ? cm__handle_history_count(h) : 0;
}

int cm_client_status_history_at(int32_t *from, int32_t *to, int64_t *time,
				const char **actor, const char **reason,
				const cm_client *c, size_t index)
{
	const struct cm__handle *h = CH(c);
	return h ? cm__handle_history_at(from, to, time, actor, reason, h, index)
		 : CM_EINVAL;
}

/* ---- identifiers ------------------------------------------------------- */

/* Check identifier text t; its length in *len. */
static int check_ident_text(cm_store *s, const char *t, size_t max,
			    const char *what, size_t *len)
{
	int rc = cm__check_text_len(s, t, max, what, 0, len);
	if (rc)
		return rc;
	if (!t[0])
		return cm__err(s, CM_EINVAL, "%s: empty", what);
	if (cm__has_control(t))
		return cm__err(s, CM_EINVAL, "%s: control characters", what);
	return CM_OK;
}

static long find_ident(const struct cm__client *c, const char *system)
{
	uint32_t i;
	for (i = 0; i < c->idents.count; i++)
		if (strcmp(CM__LIST_AT(&c->idents, struct cm__ident, i)->system,
			   system) == 0)
			return (long)i;
	return -1;
}

int cm_client_set_identifier(cm_client *c, const char *system, const char *value)
{
	struct cm__handle *h = H(c);
	struct cm__client *r;
	struct cm__ident *e;
	char *sys_copy = NULL, *val_copy;
	size_t nsys, nval;
	long at;
	int rc;

	if (!h)
		return CM_EINVAL;
	if ((rc = check_ident_text(h->store, system, IDENT_SYSTEM_MAX,
				   "identifier system", &nsys)))
		return rc;
	at = find_ident((const struct cm__client *)h->rec, system);
	if (!value) {
		if (at < 0)
			return cm__err(h->store, CM_ENOTFOUND,
				       "client has no identifier in system '%s'", system);
		if (!(r = (struct cm__client *)cm__handle_mut(h)))
			return CM_ENOMEM;
		cm__list_remove(h->store, &r->hdr, &r->idents, &ident_schema,
				(size_t)at);
		h->mods++;
		return CM_OK;
	}
	if ((rc = check_ident_text(h->store, value, IDENT_VALUE_MAX,
				   "identifier value", &nval)))
		return rc;
	if (!(val_copy = cm__part_dup(h->store, h->rec, value, nval)) ||
	    (at < 0 && !(sys_copy = cm__part_dup(h->store, h->rec, system, nsys))))
		goto nomem;
	if (!(r = (struct cm__client *)cm__handle_mut(h)))
		goto nomem;
	if (at >= 0) {
		e = CM__LIST_AT(&r->idents, struct cm__ident, at);
		cm__part_free(h->store, &r->hdr, e->value);
		e->value = val_copy;
	} else {
		if (cm__list_push(h->store, &r->hdr, &r->idents, &ident_schema,
				  UINT32_MAX, (void **)&e))
			goto nomem;
		e->system = sys_copy;
		e->value = val_copy;
	}
	h->mods++;
	return CM_OK;
nomem:
	/* The last carve first: its room is taken again. */
	cm__part_free(h->store, h->rec, sys_copy);
	cm__part_free(h->store, h->rec, val_copy);
	return cm__err(h->store, CM_ENOMEM, "out of memory");
}

const char *cm_client_identifier(const cm_client *c, const char *system)
{
	const struct cm__client *r = REC(c);
	long at;

	if (!r || !system)
		return NULL;
	at = find_ident(r, system);
	return at < 0 ? NULL : CM__LIST_AT(&r->idents, struct cm__ident, at)->value;
}

size_t cm_client_identifier_count(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? r->idents.count : 0;
}

int cm_client_identifier_at(const char **out_system, const char **out_value,
			    const cm_client *c, size_t index)
{
	const struct cm__client *r = REC(c);
	const struct cm__ident *e;

	if (!r)
		return CM_EINVAL;
	if (index >= r->idents.count)
		return cm__err(CH(c)->store, CM_ERANGE, "no identifier %zu", index);
	e = CM__LIST_AT(&r->idents, struct cm__ident, index);
	if (out_system)
		*out_system = e->system;
	if (out_value)
		*out_value = e->value;
	return CM_OK;
}

/* ---- coverage and care team: lists of three text fields ---------------- */

/* Add an element of a three-text schema; a and b required, c optional. */
static int add_triple(struct cm__handle *h, const struct cm__field *f,
		      const struct cm__schema *sc, size_t max, const char *a,
		      const char *b, const char *c, int b_required)
{
	const char *in[3] = { a, b, c };
	char *copy[3] = { NULL, NULL, NULL };
	struct cm__list *l;
	char **e;
	int i, rc;

	for (i = 0; i < 3; i++) {
		int required = i == 0 || (i == 1 && b_required);
		if (required && (!in[i] || !in[i][0]))
			return cm__err(h->store, CM_EINVAL, "%s: required",
				       sc->fields[i].name);
		if ((rc = cm__check_text(h->store, in[i], sc->fields[i].max,
					 sc->fields[i].name, 1)))
			return rc;
	}
	if (cm__field_list(f, h->rec)->count >= max)
		return cm__err(h->store, CM_ERANGE, "at most %zu %s entries",
			       max, sc->name);
	for (i = 0; i < 3; i++)
		if (in[i] && in[i][0] &&
		    !(copy[i] = cm__part_dup(h->store, h->rec, in[i],
					     strlen(in[i]))))
			goto nomem;
	if (!cm__handle_mut(h) ||
	    !(l = cm__field_list_mut(h->store, h->rec, f, h->rec)) ||
	    cm__list_push(h->store, h->rec, l, sc, max, (void **)&e))
		goto nomem;
	/* The three text fields are laid out first in each element. */
	for (i = 0; i < 3; i++)
		*(char **)(void *)((char *)e + sc->fields[i].offset) = copy[i];
	h->mods++;
	return CM_OK;
nomem:
	for (i = 3; i-- > 0;)
		cm__part_free(h->store, h->rec, copy[i]);
	return cm__err(h->store, CM_ENOMEM, "out of memory");
}

static int remove_at(struct cm__handle *h, const struct cm__field *f,
		     const struct cm__schema *sc, size_t index)
{
	struct cm__list *l;

	if (index >= cm__field_list(f, h->rec)->count)
		return cm__err(h->store, CM_ERANGE, "no %s %zu", sc->name, index);
	if (!cm__handle_mut(h))
		return CM_ENOMEM;
	/* A list with an element has its block: this cannot fail. */
	l = cm__field_list_mut(h->store, h->rec, f, h->rec);
	cm__list_remove(h->store, h->rec, l, sc, index);
	h->mods++;
	return CM_OK;
}

static int triple_at(const char **a, const char **b, const char **c,
		     const struct cm__handle *h, const struct cm__field *f,
		     const struct cm__schema *sc, size_t index)
{
	const struct cm__list *l = cm__field_list(f, h->rec);
	const char *e;

	if (index >= l->count)
		return cm__err(h->store, CM_ERANGE, "no %s %zu", sc->name, index);
	e = (const char *)l->items + index * sc->size;
	if (a)
		*a = *(char *const *)(const void *)(e + sc->fields[0].offset);
	if (b)
		*b = *(char *const *)(const void *)(e + sc->fields[1].offset);
	if (c)
		*c = *(char *const *)(const void *)(e + sc->fields[2].offset);
	return CM_OK;
}


int cm_client_add_coverage(cm_client *c, const char *payer,
			   const char *member_id, const char *plan)
{
	struct cm__handle *h = H(c);
	return h ? add_triple(h, COVERAGE_F, &coverage_schema, COVERAGE_MAX, payer,
			      member_id, plan, 0)
		 : CM_EINVAL;
}

int cm_client_remove_coverage(cm_client *c, size_t index)
{
	struct cm__handle *h = H(c);
	return h ? remove_at(h, COVERAGE_F, &coverage_schema, index) : CM_EINVAL;
}

size_t cm_client_coverage_count(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? cm__field_list(COVERAGE_F, r)->count : 0;
}

int cm_client_coverage_at(const char **payer, const char **member_id,
			  const char **plan, const cm_client *c, size_t index)
{
	const struct cm__handle *h = CH(c);
	return h ? triple_at(payer, member_id, plan, h, COVERAGE_F, &coverage_schema,
			     index)
		 : CM_EINVAL;
}

int cm_client_add_care_team_member(cm_client *c, const char *role,
				   const char *name, const char *contact)
{
	struct cm__handle *h = H(c);
	return h ? add_triple(h, TEAM_F, &team_schema, TEAM_MAX, role, name,
			      contact, 1)
		 : CM_EINVAL;
}

int cm_client_remove_care_team_member(cm_client *c, size_t index)
{
	struct cm__handle *h = H(c);
	return h ? remove_at(h, TEAM_F, &team_schema, index) : CM_EINVAL;
}

size_t cm_client_care_team_count(const cm_client *c)
{
	const struct cm__client *r = REC(c);
	return r ? cm__field_list(TEAM_F, r)->count : 0;
}

int cm_client_care_team_at(const char **role, const char **name,
			   const char **contact, const cm_client *c, size_t index)
{
	const struct cm__handle *h = CH(c);
	return h ? triple_at(role, name, contact, h, TEAM_F, &team_schema, index)
		 : CM_EINVAL;
}
