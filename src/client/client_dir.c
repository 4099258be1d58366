/*
 * The client directory: cards of the committed clients and the tables
 * that find them by id and by identifier. See client_dir.h.
 */
#include <assert.h>
#include <string.h>

#include "client/client_dir.h"

/* An identifier key of at most IKEY_INLINE bytes is kept in the entry;
 * a longer one is a separate allocation the table owns (pointer and length
 * in key[]). */
#define IKEY_INLINE 23

struct cm__cident {
	uint32_t hash;
	uint32_t card; /* card number + 1; 0: empty */
	uint8_t klen;  /* key length if inline, else CM__CARD_FAR */
	char key[IKEY_INLINE];
};

#define CARD_ALIGN 64

/* ---- cards ------------------------------------------------------------- */

static void card_fill(struct cm__card *cd, const struct cm__client *c)
{
	const char *t[CM__CARD_NTEXT];
	size_t used = 0, n;
	int i;

	t[CM__CARD_ID] = c->hdr.id;
	t[CM__CARD_FAMILY] = c->family;
	t[CM__CARD_GIVEN] = c->given;
	t[CM__CARD_MANAGER] = c->case_manager;
	cd->rec = c;
	cd->revision = c->hdr.revision;
	cd->status = c->status;
	cd->risk_tier = c->risk_tier;
	cd->next_followup = c->next_followup;
	cd->birth_date = c->birth_date;
	cd->gender = c->gender;
	for (i = 0; i < CM__CARD_NTEXT; i++) {
		if (!t[i]) {
			cd->len[i] = 0;
			continue;
		}
		n = strlen(t[i]) + 1;
		if (n > CM__CARD_TEXT - used) {
			cd->len[i] = CM__CARD_FAR;
			continue;
		}
		memcpy(cd->text + used, t[i], n);
		cd->len[i] = (uint8_t)n;
		used += n;
	}
}

const char *cm__card_text(const struct cm__card *cd, int i)
{
	size_t off = 0;
	int j;

	if (cd->len[i] == CM__CARD_FAR) {
		const struct cm__client *c = cd->rec;
		switch (i) {
		case CM__CARD_ID:
			return c->hdr.id;
		case CM__CARD_FAMILY:
			return c->family;
		case CM__CARD_GIVEN:
			return c->given;
		default:
			return c->case_manager;
		}
	}
	if (!cd->len[i])
		return NULL;
	for (j = 0; j < i; j++)
		if (cd->len[j] != CM__CARD_FAR)
			off += cd->len[j];
	return cd->text + off;
}

void cm__card_copy(char *const dst[CM__CARD_NTEXT],
		   const size_t cap[CM__CARD_NTEXT], const struct cm__card *cd)
{
	const char *inl = cd->text; /* the next inline text */
	int i;

	for (i = 0; i < CM__CARD_NTEXT; i++) {
		unsigned l = cd->len[i];
		const char *t = inl;
		size_t n;
		if (l == CM__CARD_FAR) {
			t = cm__card_text(cd, i);
			n = strlen(t);
		} else if (l) {
			/* Inline: the length is known (no scan). */
			n = l - 1u;
			inl += l;
		} else {
			n = 0;
		}
		if (n >= cap[i])
			n = cap[i] - 1;
		memcpy(dst[i], t, n);
		dst[i][n] = '\0';
	}
}

/* ---- the id table ------------------------------------------------------ */

/* The id table's entry for id (hash h), or its empty entry. */
static uint64_t *id_slot(const struct cm__cdir *d, const char *id, size_t n,
			 uint32_t h)
{
	size_t mask = d->idcap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint64_t e = d->byid[i];
		const struct cm__card *cd;
		if (!e)
			return &d->byid[i];
		if ((uint32_t)(e >> 32) != h)
			continue;
		cd = &d->cards[(uint32_t)e - 1];
		/* The id is first in text[] and always inline. */
		if (cd->len[CM__CARD_ID] == n + 1 && memcmp(cd->text, id, n) == 0)
			return &d->byid[i];
	}
}

const struct cm__card *cm__cdir_get(const cm_store *s, const char *id)
{
	const struct cm__cdir *d = s->client_dir;
	size_t n;
	uint64_t e;

	if (!d || !d->ncards)
		return NULL;
	n = strlen(id);
	e = *id_slot(d, id, n, cm__hash(id, n));
	return e ? &d->cards[(uint32_t)e - 1] : NULL;
}

struct cm__slot *cm__cdir_slot(const cm_store *s, const char *id)
{
	const struct cm__card *cd = cm__cdir_get(s, id);

	return cd ? cm__rec_slot(&cd->rec->hdr) : NULL;
}

/* ---- the identifier table ---------------------------------------------- */

static const char *ident_key(const struct cm__cident *e, size_t *n)
{
	const char *p;
	uint32_t len;

	if (e->klen != CM__CARD_FAR) {
		*n = e->klen;
		return e->key;
	}
	memcpy(&p, e->key, sizeof(p));
	memcpy(&len, e->key + sizeof(p), sizeof(len));
	*n = len;
	return p;
}

/* Free the key of entry e if the table owns it (a long one). */
static void ident_free(cm_store *s, const struct cm__cident *e)
{
	char *p;

	if (e->klen != CM__CARD_FAR)
		return;
	memcpy(&p, e->key, sizeof(p));
	cm__free(s, p);
}

static size_t ident_slot(const struct cm__cdir *d, const char *key, size_t n,
			 uint32_t h)
{
	size_t mask = d->ixcap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		const struct cm__cident *e = &d->byident[i];
		const char *k;
		size_t kn;
		if (!e->card)
			return i;
		if (e->hash != h)
			continue;
		k = ident_key(e, &kn);
		if (kn == n && memcmp(k, key, n) == 0)
			return i;
	}
}

size_t cm__cdir_ident_count(const cm_store *s)
{
	return s->client_dir ? s->client_dir->ixcount : 0;
}

uint64_t cm__cdir_digest(const cm_store *s, uint64_t h)
{
	const struct cm__cdir *d = s->client_dir;
	size_t i, n = d ? d->ncards : 0;

	h = cm__digest_bytes(h, &n, sizeof(n));
	for (i = 0; i < n; i++) {
		const struct cm__card *c = &d->cards[i];
		h = cm__digest_bytes(h, &c->revision, sizeof(c->revision));
		h = cm__digest_bytes(h, &c->status, sizeof(c->status));
		h = cm__digest_bytes(h, &c->risk_tier, sizeof(c->risk_tier));
		h = cm__digest_bytes(h, &c->next_followup, sizeof(c->next_followup));
		size_t used = 0;
		int k;
		for (k = 0; k < CM__CARD_NTEXT; k++)
			if (c->len[k] != CM__CARD_FAR)
				used += c->len[k];
		h = cm__digest_bytes(h, c->len, sizeof(c->len));
		h = cm__digest_bytes(h, c->text, used); /* the rest is not set */
	}
	return h;
}

const struct cm__card *cm__cdir_find(const cm_store *s, const char *key,
				     size_t n)
{
	const struct cm__cdir *d = s->client_dir;
	const struct cm__cident *e;

	if (!d || !d->ixcount)
		return NULL;
	e = &d->byident[ident_slot(d, key, n, cm__hash(key, n))];
	return e->card ? &d->cards[e->card - 1] : NULL;
}

void cm__cdir_ident_put(cm_store *s, char *key, size_t n,
			const char *client_id)
{
	struct cm__cdir *d = s->client_dir;
	uint32_t h = cm__hash(key, n);
	uint64_t c = *id_slot(d, client_id, strlen(client_id),
			      cm__hash(client_id, strlen(client_id)));
	struct cm__cident *e = &d->byident[ident_slot(d, key, n, h)];

	if (!e->card) {
		d->ixcount++;
		e->hash = h;
		if (n <= IKEY_INLINE) {
			e->klen = (uint8_t)n;
			memcpy(e->key, key, n);
		} else {
			uint32_t len = (uint32_t)n;
			e->klen = CM__CARD_FAR;
			memcpy(e->key, &key, sizeof(key));
			memcpy(e->key + sizeof(key), &len, sizeof(len));
			key = NULL; /* kept */
		}
	}
	e->card = (uint32_t)c;
	cm__free(s, key);
}

void cm__cdir_ident_del(cm_store *s, const char *key, size_t n)
{
	struct cm__cdir *d = s->client_dir;
	size_t mask, i, j;

	if (!d || !d->ixcount)
		return;
	mask = d->ixcap - 1;
	i = ident_slot(d, key, n, cm__hash(key, n));
	if (!d->byident[i].card)
		return;
	ident_free(s, &d->byident[i]);
	/* Backward shift: pull later members of the probe run into the gap. */
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!d->byident[j].card)
			break;
		home = d->byident[j].hash & mask;
		if (cm__probe_moves(home, i, j)) {
			d->byident[i] = d->byident[j];
			i = j;
		}
	}
	memset(&d->byident[i], 0, sizeof(d->byident[i]));
	d->ixcount--;
}

/* ---- phase 1: room ----------------------------------------------------- */

/* A power of two at least 16 holding need at a load of at most 3/4. */
static int table_cap(size_t need, size_t *cap, size_t elem)
{
	size_t c = 16;

	while (need > c - c / 4) {
		if (c > SIZE_MAX / 4 / elem)
			return CM_ENOMEM;
		c *= 2;
	}
	*cap = c;
	return CM_OK;
}

static int grow_ids(cm_store *s, struct cm__cdir *d, size_t need)
{
	size_t cap, i;
	uint64_t *t;

	if (d->idcap && need <= d->idcap - d->idcap / 4)
		return CM_OK;
	if (table_cap(need, &cap, sizeof(*t)) || !(t = cm__zalloc(s, cap * sizeof(*t))))
		return CM_ENOMEM;
	for (i = 0; i < d->idcap; i++) {
		uint64_t e = d->byid[i];
		size_t j;
		if (!e)
			continue;
		for (j = (e >> 32) & (cap - 1); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = e;
	}
	cm__free(s, d->byid);
	d->byid = t;
	d->idcap = cap;
	return CM_OK;
}

static int grow_idents(cm_store *s, struct cm__cdir *d, size_t need)
{
	size_t cap, i;
	struct cm__cident *t;

	if (d->ixcap && need <= d->ixcap - d->ixcap / 4)
		return CM_OK;
	if (table_cap(need, &cap, sizeof(*t)) || !(t = cm__zalloc(s, cap * sizeof(*t))))
		return CM_ENOMEM;
	for (i = 0; i < d->ixcap; i++) {
		size_t j;
		if (!d->byident[i].card)
			continue;
		for (j = d->byident[i].hash & (cap - 1); t[j].card;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = d->byident[i];
	}
	cm__free(s, d->byident);
	d->byident = t;
	d->ixcap = cap;
	return CM_OK;
}

static int grow_cards(cm_store *s, struct cm__cdir *d, size_t need)
{
	size_t cap = d->capcards ? d->capcards : 16;
	void *raw;
	struct cm__card *cards;

	if (need <= d->capcards)
		return CM_OK;
	while (cap < need) {
		if (cap > SIZE_MAX / 4 / sizeof(*cards))
			return CM_ENOMEM;
		cap *= 2;
	}
	if (!(raw = cm__alloc(s, cap * sizeof(*cards) + CARD_ALIGN - 1)))
		return CM_ENOMEM;
	cards = (struct cm__card *)(void *)((char *)raw +
		((CARD_ALIGN - (uintptr_t)raw % CARD_ALIGN) % CARD_ALIGN));
	if (d->ncards)
		memcpy(cards, d->cards, d->ncards * sizeof(*cards));
	cm__free(s, d->raw);
	d->raw = raw;
	d->cards = cards;
	d->capcards = cap;
	return CM_OK;
}

int cm__cdir_prepare(cm_store *s, cm_txn *txn, size_t new_idents)
{
	struct cm__cdir *d = s->client_dir;
	size_t i, fresh = 0;

	if (!d) {
		if (!(d = cm__zalloc(s, sizeof(*d))))
			return cm__err(s, CM_ENOMEM, "out of memory at commit");
		s->client_dir = d;
	}
	/* A committed client has its card: only new ones need one. */
	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		if (op->kind != CM_KIND_CLIENT)
			continue;
		if (!cm__op_slot(op))
			fresh++;
		assert(cm__op_slot(op) ||
		       !cm__cdir_get(s, CM__SLOT_ID(cm__op_new_slot(op))));
		assert(!cm__op_slot(op) ||
		       cm__cdir_get(s, CM__SLOT_ID(cm__op_slot(op))));
	}
	if (grow_cards(s, d, d->ncards + fresh) ||
	    grow_ids(s, d, d->ncards + fresh) ||
	    grow_idents(s, d, d->ixcount + new_idents))
		return cm__err(s, CM_ENOMEM, "out of memory at commit");
	return CM_OK;
}

/* ---- apply -------------------------------------------------------------- */

void cm__cdir_apply_cards(cm_store *s, cm_txn *txn)
{
	struct cm__cdir *d = s->client_dir;
	size_t i;

	for (i = 0; i < txn->nops; i++) {
		const struct cm__op *op = &txn->ops[i];
		const struct cm__client *c = (const struct cm__client *)op->rec;
		const char *id;
		size_t n;
		uint32_t h;
		uint64_t *e;
		if (op->kind != CM_KIND_CLIENT)
			continue;
		id = c->hdr.id;
		n = strlen(id);
		h = cm__hash(id, n);
		e = id_slot(d, id, n, h);
		if (!*e) {
			*e = (uint64_t)h << 32 | (uint64_t)(d->ncards + 1);
			d->ncards++;
		}
		card_fill(&d->cards[(uint32_t)*e - 1], c);
	}
}

void cm__cdir_free(cm_store *s)
{
	struct cm__cdir *d = s->client_dir;
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->ixcap; i++)
		if (d->byident[i].card)
			ident_free(s, &d->byident[i]);
	cm__free(s, d->raw);
	cm__free(s, d->byid);
	cm__free(s, d->byident);
	cm__free(s, d);
	s->client_dir = NULL;
}
