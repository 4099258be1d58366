/*
 * The client directory: cards of the committed clients and the tables
 * that find them by id and by identifier. See client_dir.h.
 */
#include <assert.h>
#include <string.h>

#include "client/client_dir.h"

_Static_assert(sizeof(struct cm__card) == 128, "a card is two cache lines");

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
	cd->nident = (uint8_t)(c->idents.count < 255 ? c->idents.count : 255);
	cd->ilen = 0;
	if (c->idents.count) {
		const struct cm__ident *e = CM__LIST_AT(&c->idents, struct cm__ident, 0);
		size_t a = strlen(e->system), b = strlen(e->value);
		n = a + 1 + b;
		if (n > CM__CARD_TEXT - used) {
			cd->ilen = CM__CARD_FAR;
		} else {
			char *k = cd->text + CM__CARD_TEXT - n;
			memcpy(k, e->system, a + 1);
			memcpy(k + a + 1, e->value, b);
			cd->ilen = (uint8_t)(n + 1);
		}
	}
}

/* 1 if identifier e's key is key (n bytes, "system\0value"). */
static int ident_is(const struct cm__ident *e, const char *key, size_t n)
{
	size_t a = strlen(e->system);

	return a < n && memcmp(e->system, key, a + 1) == 0 &&
	       strlen(e->value) == n - a - 1 &&
	       memcmp(e->value, key + a + 1, n - a - 1) == 0;
}

/* 1 if the client of card cd holds identifier key (n bytes). */
static int card_holds(const struct cm__card *cd, const char *key, size_t n)
{
	const struct cm__client *c = cd->rec;
	uint32_t i;

	if (!cd->ilen)
		return 0;
	if (cd->ilen != CM__CARD_FAR) {
		if (cd->ilen == n + 1 &&
		    memcmp(cd->text + CM__CARD_TEXT - n, key, n) == 0)
			return 1;
		if (cd->nident == 1)
			return 0;
	}
	for (i = 0; i < c->idents.count; i++)
		if (ident_is(CM__LIST_AT(&c->idents, struct cm__ident, i), key, n))
			return 1;
	return 0;
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

/* The identifier table's entry for key (n bytes, hash h), or its empty
 * entry. */
static uint64_t *ident_slot(const struct cm__cdir *d, const char *key,
			    size_t n, uint32_t h)
{
	size_t mask = d->ixcap - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint64_t e = d->byident[i];
		if (!e)
			return &d->byident[i];
		if ((uint32_t)(e >> 32) == h &&
		    card_holds(&d->cards[(uint32_t)e - 1], key, n))
			return &d->byident[i];
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
	uint64_t e;

	if (!d || !d->ixcount)
		return NULL;
	e = *ident_slot(d, key, n, cm__hash(key, n));
	return e ? &d->cards[(uint32_t)e - 1] : NULL;
}

/* The id table's entry of committed client id: its hash and card. */
static uint64_t card_entry(const struct cm__cdir *d, const char *id)
{
	size_t n = strlen(id);

	return *id_slot(d, id, n, cm__hash(id, n));
}

void cm__cdir_ident_put(cm_store *s, const char *key, size_t n,
			const char *client_id)
{
	struct cm__cdir *d = s->client_dir;
	uint32_t h = cm__hash(key, n);
	size_t mask = d->ixcap - 1, i = h & mask;
	uint32_t card = (uint32_t)card_entry(d, client_id);

	/* No one else holds key (an entry found for it can only be the
	 * entry of another key of this holder with the same hash). */
	assert(!*ident_slot(d, key, n, h) ||
	       (uint32_t)*ident_slot(d, key, n, h) == card);
	while (d->byident[i])
		i = (i + 1) & mask;
	d->byident[i] = (uint64_t)h << 32 | card;
	d->ixcount++;
}

void cm__cdir_ident_del(cm_store *s, const char *key, size_t n,
			const char *client_id)
{
	struct cm__cdir *d = s->client_dir;
	size_t mask, i, j;
	uint64_t want;
	uint32_t h;

	if (!d || !d->ixcount)
		return;
	h = cm__hash(key, n);
	want = (uint64_t)h << 32 | (uint32_t)card_entry(d, client_id);
	mask = d->ixcap - 1;
	for (i = h & mask; d->byident[i] != want; i = (i + 1) & mask)
		if (!d->byident[i])
			return;
	/* Backward shift: pull later members of the probe run into the gap. */
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!d->byident[j])
			break;
		home = (d->byident[j] >> 32) & mask;
		if (cm__probe_moves(home, i, j)) {
			d->byident[i] = d->byident[j];
			i = j;
		}
	}
	d->byident[i] = 0;
	d->ixcount--;
}

/* ---- phase 1: room ----------------------------------------------------- */

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
	    cm__itab_reserve(s, &d->byid, &d->idcap, d->ncards + fresh) ||
	    cm__itab_reserve(s, &d->byident, &d->ixcap, d->ixcount + new_idents))
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

	if (!d)
		return;
	cm__free(s, d->raw);
	cm__free(s, d->byid);
	cm__free(s, d->byident);
	cm__free(s, d);
	s->client_dir = NULL;
}
