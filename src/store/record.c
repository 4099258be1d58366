/*
 * Schema-driven record operations (clone, free, digest, lists) and the
 * generic part of every record handle (copy-on-write, field accessors,
 * status changes with history).
 */
#include <assert.h>
#include <string.h>

#include "core/datetime.h"
#include "core/text.h"
#include "store/intern.h"
#include "store/store_impl.h"

static const struct cm__field hist_fields[] = {
	{ "from", 1, CM__F_I32, 0, 0, offsetof(struct cm__hist, from), 0, CM__CHECK_RANGE, 0, 127, NULL },
	{ "to", 2, CM__F_I32, 0, 0, offsetof(struct cm__hist, to), 0, CM__CHECK_RANGE, 1, 127, NULL },
	{ "time", 3, CM__F_I64, 0, 0, offsetof(struct cm__hist, time), 0, CM__CHECK_TIME, 0, 0, NULL },
	{ "actor", 4, CM__F_TEXT, 0, 0, offsetof(struct cm__hist, actor), 256, CM__TEXT_INTERN, 0, 0, NULL },
	{ "reason", 5, CM__F_TEXT, 0, 0, offsetof(struct cm__hist, reason), 1000, CM__TEXT_INTERN, 0, 0, NULL },
};

const struct cm__schema cm__hist_schema = {
	"status history", sizeof(struct cm__hist), hist_fields,
	sizeof(hist_fields) / sizeof(hist_fields[0])
};

#define FIELD(obj, f, type) ((type *)(void *)((char *)(obj) + (f)->offset))
#define CFIELD(obj, f, type) \
	((const type *)(const void *)((const char *)(obj) + (f)->offset))
#define PACK_ALIGN(n) (((n) + 7) & ~(size_t)7)

/* ---- parts: a new record's room ----------------------------------------- */

/* A loader's handle gets a record, sets a few texts and lists, saves it
 * and frees it: with its parts carved from room in the handle's own
 * allocation, that is one allocation instead of one per part. */

static inline struct cm__room *rec_room(const struct cm__rec *r)
{
	if (!r || !(r->packed & CM__REC_ROOM))
		return NULL;
	return (struct cm__room *)(uintptr_t)r - 1;
}

static inline int in_room(const struct cm__room *rm, const void *p)
{
	return (uintptr_t)p - (uintptr_t)rm->at < rm->cap;
}

/* Free part p of an object that is going away (or its list element), rm
 * the room of its record (NULL if none): room bytes go with the handle. */
static inline void part_drop(cm_store *s, const struct cm__room *rm, void *p)
{
	if (!rm || !in_room(rm, p))
		cm__free(s, p);
}

void *cm__part_alloc(cm_store *s, struct cm__rec *r, size_t n)
{
	struct cm__room *rm = rec_room(r);
	size_t need = PACK_ALIGN(n);
	void *p;

	if (!rm)
		return cm__alloc(s, n);
	if (need > rm->cap - rm->used) {
		rm->spilled = 1;
		return cm__alloc(s, n);
	}
	p = rm->at + rm->used;
	rm->last = rm->used;
	rm->used += (uint32_t)need;
	return p;
}

char *cm__part_dup(cm_store *s, struct cm__rec *r, const void *p, size_t len)
{
	char *d = cm__part_alloc(s, r, len + 1);

	if (!d)
		return NULL;
	memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

void cm__part_free(cm_store *s, struct cm__rec *r, void *p)
{
	struct cm__room *rm = rec_room(r);

	if (!rm || !in_room(rm, p))
		cm__free(s, p);
	else if ((char *)p == rm->at + rm->last)
		rm->used = rm->last;
}

/* Part p of r, of old bytes (NULL: none), made n bytes long (n > old),
 * or NULL if out of memory (p unchanged). The room's last carve grows in
 * place. */
static void *part_grow(cm_store *s, struct cm__rec *r, void *p, size_t old,
		       size_t n)
{
	struct cm__room *rm = rec_room(r);
	void *q;

	if (!rm || (p && !in_room(rm, p)))
		return cm__realloc(s, p, n);
	if (p && (char *)p == rm->at + rm->last &&
	    PACK_ALIGN(n) <= rm->cap - rm->last) {
		rm->used = rm->last + (uint32_t)PACK_ALIGN(n);
		return p;
	}
	if (!(q = cm__part_alloc(s, r, n)))
		return NULL;
	if (p) {
		memcpy(q, p, old);
		cm__part_free(s, r, p);
	}
	return q;
}

/* ---- sparse texts ------------------------------------------------------ */

/* A schema's rarely set texts (CM__TEXT_SPARSE) share one block at one
 * offset: entries <tag byte><text>NUL, then a 0 byte; NULL when none is
 * set. An object without any pays one pointer for them all. */
#define IS_SPARSE(f) ((f)->type == CM__F_TEXT && (f)->check == CM__TEXT_SPARSE)

/* Bytes of a sparse block, its end mark included. */
static size_t sparse_len(const char *b)
{
	const char *p = b;

	while (*p)
		p += 2 + strlen(p + 1);
	return (size_t)(p - b) + 1;
}

const char *cm__field_text(const struct cm__field *f, const void *obj)
{
	const char *p = *CFIELD(obj, f, char *);

	if (f->check != CM__TEXT_SPARSE || !p)
		return p;
	for (; *p; p += 2 + strlen(p + 1))
		if ((unsigned char)*p == f->tag)
			return p + 1;
	return NULL;
}

/* cm__field_set_text of obj, record r or one of its list elements (r as
 * for cm__part_alloc). */
static int field_put(cm_store *s, struct cm__rec *r, const struct cm__field *f,
		     void *obj, const char *v, size_t len)
{
	char **slot = FIELD(obj, f, char *);
	char *nb = NULL, *at;
	const char *p;
	size_t keep = 0, n;

	assert(f->check != CM__TEXT_BORROWED);
	if (f->check != CM__TEXT_SPARSE) {
		if (v && !(nb = cm__part_dup(s, r, v, len)))
			return CM_ENOMEM;
		cm__part_free(s, r, *slot);
		*slot = nb;
		return CM_OK;
	}
	for (p = *slot; p && *p; p += n) {
		n = 2 + strlen(p + 1);
		if ((unsigned char)*p != f->tag)
			keep += n;
	}
	if (keep || v) {
		if (!(nb = cm__part_alloc(s, r, keep + (v ? len + 2 : 0) + 1)))
			return CM_ENOMEM;
		at = nb;
		for (p = *slot; p && *p; p += n) {
			n = 2 + strlen(p + 1);
			if ((unsigned char)*p != f->tag) {
				memcpy(at, p, n);
				at += n;
			}
		}
		if (v) {
			*at++ = (char)f->tag;
			memcpy(at, v, len);
			at += len;
			*at++ = '\0';
		}
		*at = '\0';
	}
	cm__part_free(s, r, *slot);
	*slot = nb;
	return CM_OK;
}

int cm__field_set_text(cm_store *s, const struct cm__field *f, void *obj,
		       const char *v, size_t len)
{
	return field_put(s, NULL, f, obj, v, len);
}

/* ---- rare lists --------------------------------------------------------- */

/* A schema's rarely used lists (CM__LIST_RARE) share one block of struct
 * cm__list behind one pointer at one offset, NULL when none was used. */
#define IS_RARE(f) ((f)->type == CM__F_LIST && (f)->check == CM__LIST_RARE)
#define RARE_BLOCK(obj, f) (*FIELD(obj, f, struct cm__list *))
#define RARE_CBLOCK(obj, f) (*CFIELD(obj, f, struct cm__list *))

static const struct cm__list no_list;

const struct cm__list *cm__field_list(const struct cm__field *f,
				      const void *obj)
{
	const struct cm__list *b;

	if (!IS_RARE(f))
		return CFIELD(obj, f, struct cm__list);
	b = RARE_CBLOCK(obj, f);
	return b ? &b[f->min] : &no_list;
}

struct cm__list *cm__field_list_mut(cm_store *s, struct cm__rec *r,
				    const struct cm__field *f, void *obj)
{
	size_t n = (size_t)f->maxval * sizeof(struct cm__list);
	struct cm__list *b;

	if (!IS_RARE(f))
		return FIELD(obj, f, struct cm__list);
	if (!(b = RARE_BLOCK(obj, f))) {
		if (!(b = cm__part_alloc(s, r, n)))
			return NULL;
		RARE_BLOCK(obj, f) = memset(b, 0, n);
	}
	return &b[f->min];
}

/* 1 if some list of the rare block b (of field f's schema) has elements. */
static int rare_used(const struct cm__field *f, const struct cm__list *b)
{
	int64_t i;

	for (i = 0; b && i < f->maxval; i++)
		if (b[i].count)
			return 1;
	return 0;
}

/* ---- walks ------------------------------------------------------------- */

/* Packing, clearing and interning only touch a schema's texts and lists:
 * each kind's schema, and the schemas of its lists' elements, get once
 * the list of those fields (a walk), so that those walks skip the integer
 * fields and the sparse texts after the first (which share its block)
 * without testing each field of each object. */

enum step_op {
	STEP_TEXT,   /* a text of its own (CM__TEXT_OWN) */
	STEP_SHARED, /* a text a packed version may share (INTERN, CLIENT) */
	STEP_SPARSE, /* the sparse block, at the schema's first sparse text */
	STEP_BORROWED, /* a text never owned (CM__TEXT_BORROWED) */
	STEP_LIST,   /* a list of its own */
	STEP_RARE,   /* a rare list */
	STEP_NONE    /* nothing to do (integers, later sparse texts) */
};

struct walk;

struct walk_step {
	const struct cm__field *f;
	const struct walk *elem; /* lists: their elements', or NULL */
	uint8_t op;              /* enum step_op */
};

struct walk {
	const struct cm__schema *sc;
	const struct walk_step *step;
	uint32_t n;
	/* A rare list field (all share the block), or NULL: clearing frees
	 * the block after the lists. */
	const struct cm__field *rare;
};

/* Room for the walks of every schema the kinds reach (20 schemas with 69
 * steps in all today). A schema that finds no room gets no walk: its
 * objects are walked field by field (chunk_fill), as are those of a
 * schema reached by no kind (cm__list_remove of any schema). */
#define WALK_MAX 64
#define WALK_STEP_MAX 256

static struct walk walks[WALK_MAX];
static struct walk_step walk_steps[WALK_STEP_MAX];
static size_t nwalks, nwalk_steps;
static const struct walk *kind_walks[CM__KIND_MAX];
static pthread_once_t walks_once = PTHREAD_ONCE_INIT;
static atomic_int walks_ready;

/* What the walks do with field f; *sparse: a sparse text came before. */
static enum step_op field_op(const struct cm__field *f, int *sparse)
{
	switch (f->type) {
	case CM__F_TEXT:
		if (f->check == CM__TEXT_SPARSE) {
			if (*sparse)
				return STEP_NONE;
			*sparse = 1;
			return STEP_SPARSE;
		}
		if (f->check == CM__TEXT_BORROWED)
			return STEP_BORROWED;
		return f->check == CM__TEXT_INTERN || f->check == CM__TEXT_CLIENT
			       ? STEP_SHARED
			       : STEP_TEXT;
	case CM__F_LIST:
		return f->check == CM__LIST_RARE ? STEP_RARE : STEP_LIST;
	default:
		return STEP_NONE;
	}
}

/* The walk of sc, built if need be; NULL if there is no room. */
static const struct walk *walk_build(const struct cm__schema *sc)
{
	struct walk *w;
	struct walk_step *st, *first;
	size_t i, n = 0;
	int sparse = 0;

	for (i = 0; i < nwalks; i++)
		if (walks[i].sc == sc)
			return &walks[i];
	for (i = 0; i < sc->nfields; i++)
		if (field_op(&sc->fields[i], &sparse) != STEP_NONE)
			n++;
	if (nwalks == WALK_MAX || n > WALK_STEP_MAX - nwalk_steps)
		return NULL;
	w = &walks[nwalks++];
	st = first = &walk_steps[nwalk_steps];
	nwalk_steps += n;
	w->sc = sc;
	w->step = st;
	w->n = (uint32_t)n;
	w->rare = NULL;
	sparse = 0;
	for (i = 0; i < sc->nfields; i++) {
		const struct cm__field *f = &sc->fields[i];
		enum step_op op = field_op(f, &sparse);
		if (op == STEP_NONE)
			continue;
		st->f = f;
		st->op = (uint8_t)op;
		st->elem = NULL;
		st++;
		if (op == STEP_RARE)
			w->rare = f;
	}
	/* Elements after the steps: w is registered, so a schema reached
	 * again (or through itself) finds it. */
	for (i = 0; i < n; i++)
		if (first[i].op == STEP_LIST || first[i].op == STEP_RARE)
			first[i].elem = walk_build(first[i].f->elem);
	return w;
}

static void walks_build(void)
{
	int k;

	for (k = 0; k < CM__KIND_MAX; k++)
		if (cm__kinds[k])
			kind_walks[k] = walk_build(cm__kinds[k]->schema);
	atomic_store_explicit(&walks_ready, 1, memory_order_release);
}

/* The walk of kind k's records, or NULL (walked field by field). */
static inline const struct walk *kind_walk(int32_t k)
{
	if (!atomic_load_explicit(&walks_ready, memory_order_acquire))
		pthread_once(&walks_once, walks_build);
	return kind_walks[k];
}

/* The steps of a schema without a walk, a few at a time: the walks run
 * over an array of steps either way. */
#define WALK_CHUNK 16

struct walk_chunk {
	const struct cm__schema *sc;
	size_t i;   /* the next field to look at */
	int sparse; /* a sparse text came before it */
	struct walk_step step[WALK_CHUNK];
};

static void chunk_start(struct walk_chunk *ch, const struct cm__schema *sc)
{
	ch->sc = sc;
	ch->i = 0;
	ch->sparse = 0;
}

/* Fill ch->step with the next fields that need work; how many (0: none
 * left). */
static size_t chunk_fill(struct walk_chunk *ch)
{
	size_t n = 0;

	while (n < WALK_CHUNK && ch->i < ch->sc->nfields) {
		const struct cm__field *f = &ch->sc->fields[ch->i++];
		enum step_op op = field_op(f, &ch->sparse);
		if (op == STEP_NONE)
			continue;
		ch->step[n].f = f;
		ch->step[n].elem = NULL;
		ch->step[n].op = (uint8_t)op;
		n++;
	}
	return n;
}

/* ---- objects ----------------------------------------------------------- */

/* Clearing frees what an object owns, except what lies in rm, the room
 * of the record it belongs to (NULL if none), which goes with the
 * record's handle. */
static void obj_clear(cm_store *s, const struct cm__room *rm,
		      const struct walk *w, const struct cm__schema *sc,
		      void *obj);

static const struct cm__field *clear_steps(cm_store *s,
					   const struct cm__room *rm,
					   const struct walk_step *st, size_t n,
					   void *obj, const struct cm__field *rare);

static void rare_free(cm_store *s, const struct cm__room *rm,
		      const struct cm__field *rare, void *obj)
{
	if (rare && RARE_BLOCK(obj, rare)) {
		part_drop(s, rm, RARE_BLOCK(obj, rare));
		RARE_BLOCK(obj, rare) = NULL;
	}
}

static void list_clear(cm_store *s, const struct cm__room *rm,
		       const struct walk_step *st, struct cm__list *l)
{
	const struct walk *ew = st->elem;
	size_t j, esz = st->f->elem->size;
	char *e = l->items;

	/* Elements with neither texts nor lists own nothing. */
	if (!ew) {
		for (j = 0; j < l->count; j++)
			obj_clear(s, rm, NULL, st->f->elem, e + j * esz);
	} else if (ew->n) {
		for (j = 0; j < l->count; j++) {
			clear_steps(s, rm, ew->step, ew->n, e + j * esz, NULL);
			rare_free(s, rm, ew->rare, e + j * esz);
		}
	}
	part_drop(s, rm, l->items);
	memset(l, 0, sizeof(*l));
}

/* Clear the fields of steps st..st+n of obj; the rare list field if it
 * met one (else rare). */
static const struct cm__field *clear_steps(cm_store *s,
					   const struct cm__room *rm,
					   const struct walk_step *st, size_t n,
					   void *obj, const struct cm__field *rare)
{
	const struct walk_step *end = st + n;

	for (; st < end; st++) {
		const struct cm__field *f = st->f;
		char **t;
		switch (st->op) {
		case STEP_TEXT:
		case STEP_SHARED:
		case STEP_SPARSE:
			/* Most are unset: no call to free NULL. */
			if (*(t = FIELD(obj, f, char *))) {
				part_drop(s, rm, *t);
				*t = NULL;
			}
			break;
		case STEP_BORROWED:
			*FIELD(obj, f, char *) = NULL;
			break;
		case STEP_RARE:
			rare = f;
			if (RARE_BLOCK(obj, f))
				list_clear(s, rm, st, &RARE_BLOCK(obj, f)[f->min]);
			break;
		case STEP_LIST:
			/* Many are empty, never given storage. */
			if (FIELD(obj, f, struct cm__list)->items)
				list_clear(s, rm, st, FIELD(obj, f, struct cm__list));
			break;
		}
	}
	return rare;
}

static void obj_clear(cm_store *s, const struct cm__room *rm,
		      const struct walk *w, const struct cm__schema *sc,
		      void *obj)
{
	const struct cm__field *rare = NULL;
	struct walk_chunk ch;
	size_t n;

	if (w)
		rare = clear_steps(s, rm, w->step, w->n, obj, rare);
	else
		for (chunk_start(&ch, sc); (n = chunk_fill(&ch));)
			rare = clear_steps(s, rm, ch.step, n, obj, rare);
	rare_free(s, rm, rare, obj);
}

/* Deep-copy the fields of src into dst (a raw memcpy of src already done;
 * dst has no room). On failure, dst's pointer fields that were not yet
 * copied are NULLed so that clearing dst frees exactly what was
 * allocated. */
static int obj_copy(cm_store *s, const struct cm__schema *sc, void *dst,
		    const void *src)
{
	size_t i, j;
	int rc = CM_OK;

	for (i = 0; i < sc->nfields; i++) {
		const struct cm__field *f = &sc->fields[i];
		if (rc) {
			/* Earlier failure: neutralise shared pointers (a
			 * sparse block copied already is dst's own). */
			if (f->type == CM__F_TEXT &&
			    *FIELD(dst, f, char *) == *CFIELD(src, f, char *))
				*FIELD(dst, f, char *) = NULL;
			else if (IS_RARE(f)) {
				/* A block copied already is dst's own and
				 * zeroed where nothing was copied. */
				if (RARE_BLOCK(dst, f) == RARE_CBLOCK(src, f))
					RARE_BLOCK(dst, f) = NULL;
			} else if (f->type == CM__F_LIST)
				memset(FIELD(dst, f, struct cm__list), 0,
				       sizeof(struct cm__list));
			continue;
		}
		if (IS_SPARSE(f)) {
			const char *t = *CFIELD(src, f, char *);
			if (!t || *FIELD(dst, f, char *) != t)
				continue; /* none, or copied with an earlier field */
			if (!(*FIELD(dst, f, char *) = cm__memdup0(s, t, sparse_len(t))))
				rc = CM_ENOMEM;
		} else if (f->type == CM__F_TEXT &&
			   f->check == CM__TEXT_BORROWED) {
			continue; /* the pointer, copied */
		} else if (f->type == CM__F_TEXT) {
			const char *t = *CFIELD(src, f, char *);
			*FIELD(dst, f, char *) = NULL;
			if (t && !(*FIELD(dst, f, char *) = cm__strdup(s, t)))
				rc = CM_ENOMEM;
		} else if (f->type == CM__F_LIST) {
			const struct cm__list *sl = cm__field_list(f, src);
			struct cm__list *dl;
			size_t esz = f->elem->size;
			if (IS_RARE(f)) {
				const struct cm__list *sb = RARE_CBLOCK(src, f);
				if (!sb)
					continue; /* dst's pointer: NULL too */
				if (RARE_BLOCK(dst, f) == sb &&
				    !(RARE_BLOCK(dst, f) = cm__zalloc(
					      s, (size_t)f->maxval * sizeof(*sb)))) {
					rc = CM_ENOMEM; /* dst's pointer: NULL */
					continue;
				}
				dl = &RARE_BLOCK(dst, f)[f->min];
			} else {
				dl = FIELD(dst, f, struct cm__list);
			}
			memset(dl, 0, sizeof(*dl));
			if (sl->count == 0)
				continue;
			dl->items = cm__alloc(s, sl->count * esz);
			if (!dl->items) {
				rc = CM_ENOMEM;
				continue;
			}
			dl->cap = sl->count;
			memcpy(dl->items, sl->items, sl->count * esz);
			for (j = 0; j < sl->count; j++) {
				void *de = (char *)dl->items + j * esz;
				if (rc) {
					/* Not copied: zero so clear skips it. */
					memset(de, 0, esz);
					continue;
				}
				rc = obj_copy(s, f->elem, de,
					      (const char *)sl->items + j * esz);
				/* A failed element was cleaned inside. */
				if (rc)
					obj_clear(s, NULL, NULL, f->elem, de);
			}
			dl->count = sl->count;
		}
	}
	return rc;
}

/* ---- records ----------------------------------------------------------- */

/* Make the zeroed r a fresh record of kind k, with the kind's defaults. */
static struct cm__rec *rec_init(struct cm__rec *r, const struct cm__kind *k)
{
	atomic_init(&r->refs, 1);
	r->kind = (int16_t)k->kind;
	r->created = CM_TIME_NONE;
	r->updated = CM_TIME_NONE;
	if (k->init)
		k->init(r);
	return r;
}

struct cm__rec *cm__rec_new(cm_store *s, const struct cm__kind *k)
{
	struct cm__rec *r = cm__zalloc(s, k->schema->size);

	return r ? rec_init(r, k) : NULL;
}

int cm__rec_clone(cm_store *s, const struct cm__kind *k, struct cm__rec **out,
		  const struct cm__rec *src)
{
	struct cm__rec *r = cm__alloc(s, k->schema->size);

	if (!r)
		return CM_ENOMEM;
	/* Skip the reference count: other threads may be changing src's
	 * atomically while we copy. */
	memcpy((char *)r + offsetof(struct cm__rec, kind),
	       (const char *)src + offsetof(struct cm__rec, kind),
	       k->schema->size - offsetof(struct cm__rec, kind));
	atomic_init(&r->refs, 1);
	r->id = NULL;
	r->packed = 0;
	/* After obj_copy (even a failed one) r owns exactly its own fields. */
	if (obj_copy(s, k->schema, r, src) != CM_OK ||
	    (src->id && !(r->id = cm__strdup(s, src->id)))) {
		obj_clear(s, NULL, NULL, k->schema, r);
		cm__free(s, r);
		return CM_ENOMEM;
	}
	*out = r;
	return CM_OK;
}

/* ---- packed versions ---------------------------------------------------- */

/* Where a shallow copy (CM__PACKED_SHALLOW) keeps its base version: after
 * its head, in the same allocation. */
static struct cm__rec **shallow_base(const struct cm__kind *k,
				     struct cm__rec *r)
{
	return (struct cm__rec **)(void *)((char *)r +
					   PACK_ALIGN(k->schema->size));
}

/* Packing copies the record's head as it is, then fixes what points out
 * of it: each set text and each used list gets its bytes in the block
 * (or a pointer to a shared copy), each list that is empty but not zeroed
 * and each rare-list pointer without a used block is cleared. One walk
 * over the record (place_obj) finds the fixes and the block's size; the
 * fixes it found are then replayed into the allocated block, without a
 * second walk. A record with more fixes than the context keeps is walked
 * a second time, applying them as they are found. */
enum fix_op {
	FIX_TEXT,   /* copy n bytes from src to `to`; the text at `at` */
	FIX_SHARED, /* the text at `at` is src, a long-lived shared copy */
	FIX_CLIENT, /* FIX_SHARED for the record's client: its slot's id */
	FIX_LIST,   /* copy n elements of esz bytes from src to `to`; the
		       list at `at` holds them */
	FIX_BLOCK,  /* a rare block of n zero bytes at `to`; its pointer at
		       `at` */
	FIX_ZERO    /* zero n bytes at `at` (an empty list, a rare block's
		       pointer to an unused block) */
};

struct pack_fix {
	const void *src;
	size_t at, to; /* offsets in the packed block */
	uint32_t n, esz;
	uint8_t op;    /* enum fix_op */
};

/* Fixes a context keeps: a record's texts and used lists, counted with
 * its elements' (a care plan with three goals has about a dozen). */
#define PACK_FIXES 32

struct pack_ctx {
	cm_store *s;
	const cm_txn *txn; /* finds clients staged with the record; or NULL */
	/* The texts are a packed version's (the record is a shallow copy,
	 * CM__PACKED_SHALLOW): each short one of an interned field is the
	 * intern table's copy already, which the version's commit kept. */
	int borrowed;
	int rc;     /* CM_ENOMEM if interning failed */
	char *base; /* the block, once allocated: fixes are applied */
	unsigned nfix; /* fixes kept; PACK_FIXES + 1: more were found */
	struct pack_fix fix[PACK_FIXES];
};

/* The long-lived copy a packed version points at for text t of field f
 * instead of holding its own, or NULL to hold its own. While sizing (no
 * block yet), may add t to the intern table (c->rc is then CM_ENOMEM on
 * failure); once the block is there, only finds: both answer alike for
 * the same store state, which only the packing transaction's holder
 * changes, so that the walk that applies finds what the walk that sized
 * found. */
static const char *find_shared(struct pack_ctx *c, const struct cm__field *f,
			       const char *t)
{
	const struct cm__slot *sl;
	size_t n;

	switch (f->check) {
	case CM__TEXT_CLIENT:
		/* The slot's id is the record's id byte for byte. A slot
		 * staged in c->txn is freed only with the txn's ops, this
		 * packed version among them. */
		sl = c->txn ? cm__txn_slot(c->txn, CM_KIND_CLIENT, t)
			    : cm__slot_find(c->s, CM_KIND_CLIENT, t);
		return sl ? CM__SLOT_ID(sl) : NULL;
	case CM__TEXT_INTERN:
		n = strlen(t);
		if (n > CM__INTERN_MAX)
			return NULL;
		if (c->borrowed)
			return t;
		/* A save adds what it packs (a transaction that does not
		 * commit takes it back: cm__intern_undo). */
		if (c->base)
			return cm__intern_find(c->s, t, n);
		if (!(t = cm__intern(c->s, t, n)))
			c->rc = CM_ENOMEM;
		return t;
	default:
		return NULL;
	}
}

static void fix_apply(char *base, const struct pack_fix *x)
{
	struct cm__list *l;

	switch (x->op) {
	case FIX_TEXT:
		memcpy(base + x->to, x->src, x->n);
		*(char **)(void *)(base + x->at) = base + x->to;
		break;
	case FIX_CLIENT:
		((struct cm__rec *)(void *)base)->packed |= CM__PACKED_CLIENT;
		/* fall through */
	case FIX_SHARED:
		*(const void **)(void *)(base + x->at) = x->src;
		break;
	case FIX_LIST:
		memcpy(base + x->to, x->src, (size_t)x->n * x->esz);
		l = (struct cm__list *)(void *)(base + x->at);
		l->items = base + x->to;
		l->count = l->cap = x->n;
		break;
	case FIX_BLOCK:
		*(void **)(void *)(base + x->at) = memset(base + x->to, 0, x->n);
		break;
	case FIX_ZERO:
		memset(base + x->at, 0, x->n);
		break;
	}
}

/* Keep fix (op, at, to, src, n, esz), or apply it if the block is there. */
static inline void fix_add(struct pack_ctx *c, uint8_t op, size_t at, size_t to,
			   const void *src, size_t n, size_t esz)
{
	struct pack_fix *x, spare;

	if (c->base)
		x = &spare;
	else if (c->nfix < PACK_FIXES)
		x = &c->fix[c->nfix++];
	else {
		c->nfix = PACK_FIXES + 1;
		return;
	}
	x->op = op;
	x->at = at;
	x->to = to;
	x->src = src;
	x->n = (uint32_t)n;
	x->esz = (uint32_t)esz;
	if (c->base)
		fix_apply(c->base, x);
}

static size_t place_obj(struct pack_ctx *c, const struct walk *w,
			const struct cm__schema *sc, const void *obj, size_t off,
			size_t n);

/* Place list l (non-empty) of step st, whose struct goes at offset at of
 * the block, with its elements' texts and lists, from offset n; the
 * offset after them. */
static size_t place_list(struct pack_ctx *c, const struct walk_step *st,
			 const struct cm__list *l, size_t at, size_t n)
{
	const struct cm__schema *el = st->f->elem;
	const struct walk *ew = st->elem;
	size_t esz = el->size, to = PACK_ALIGN(n), j;

	fix_add(c, FIX_LIST, at, to, l->items, l->count, esz);
	n = to + l->count * esz;
	/* Elements with neither texts nor lists are placed with the list. */
	if (!ew || ew->n)
		for (j = 0; j < l->count && !c->rc; j++)
			n = place_obj(c, ew, el, (const char *)l->items + j * esz,
				      to + j * esz, n);
	return PACK_ALIGN(n);
}

/* Place the texts and lists of steps st..st+k of obj, at offset off of
 * the block, from offset n; the offset after them. *rare: the offset of
 * obj's rare block once placed (its first rare list comes first). */
static size_t place_steps(struct pack_ctx *c, const struct walk_step *st,
			  size_t k, const void *obj, size_t off, size_t n,
			  size_t *rare)
{
	const struct walk_step *end = st + k;

	for (; st < end && !c->rc; st++) {
		const struct cm__field *f = st->f;
		const struct cm__list *l;
		const char *t, *sh;
		size_t len;
		switch (st->op) {
		case STEP_SHARED:
			if (!(t = *CFIELD(obj, f, char *)))
				break;
			if ((sh = find_shared(c, f, t))) {
				fix_add(c, f->check == CM__TEXT_CLIENT && off == 0
						   ? FIX_CLIENT : FIX_SHARED,
					off + f->offset, 0, sh, 0, 0);
				break;
			}
			len = strlen(t) + 1;
			goto own;
		case STEP_BORROWED:
			if ((t = *CFIELD(obj, f, char *)))
				fix_add(c, FIX_SHARED, off + f->offset, 0, t, 0, 0);
			break;
		case STEP_TEXT:
			if (!(t = *CFIELD(obj, f, char *)))
				break;
			len = strlen(t) + 1;
			goto own;
		case STEP_SPARSE:
			if (!(t = *CFIELD(obj, f, char *)))
				break;
			len = sparse_len(t);
own:
			fix_add(c, FIX_TEXT, off + f->offset, n, t, len, 0);
			n += len;
			break;
		case STEP_LIST:
			l = CFIELD(obj, f, struct cm__list);
			if (l->count)
				n = place_list(c, st, l, off + f->offset, n);
			else if (l->items || l->cap)
				fix_add(c, FIX_ZERO, off + f->offset, 0, NULL,
					sizeof(*l), 0);
			break;
		case STEP_RARE:
			l = RARE_CBLOCK(obj, f);
			if (f->min == 0 && l) {
				/* The block, if any of its lists is used. */
				if (rare_used(f, l)) {
					*rare = PACK_ALIGN(n);
					n = *rare + (size_t)f->maxval * sizeof(*l);
					fix_add(c, FIX_BLOCK, off + f->offset, *rare,
						NULL, n - *rare, 0);
				} else {
					fix_add(c, FIX_ZERO, off + f->offset, 0,
						NULL, sizeof(struct cm__list *), 0);
				}
			}
			if (l && l[f->min].count)
				n = place_list(c, st, &l[f->min],
					       *rare + (size_t)f->min * sizeof(*l), n);
			break;
		}
	}
	return n;
}

static size_t place_obj(struct pack_ctx *c, const struct walk *w,
			const struct cm__schema *sc, const void *obj, size_t off,
			size_t n)
{
	struct walk_chunk ch;
	size_t k, rare = 0;

	if (w)
		return place_steps(c, w->step, w->n, obj, off, n, &rare);
	for (chunk_start(&ch, sc); !c->rc && (k = chunk_fill(&ch));)
		n = place_steps(c, ch.step, k, obj, off, n, &rare);
	return n;
}

int cm__rec_pack(cm_store *s, const struct cm__kind *k, struct cm__rec **out,
		 const struct cm__rec *src, const char *id, const cm_txn *txn)
{
	const struct walk *w;
	struct pack_ctx c;
	size_t head = PACK_ALIGN(k->schema->size), size, i;
	struct cm__rec *r;
	int slab;

	c.s = s;
	c.txn = txn;
	c.borrowed = (src->packed & CM__PACKED_SHALLOW) != 0;
	c.rc = CM_OK;
	c.base = NULL;
	c.nfix = 0;
	w = kind_walk(k->kind);
	size = place_obj(&c, w, k->schema, src, 0, head);
	slab = size <= CM__PACK_SLAB_MAX;
	if (c.rc || !(r = slab ? cm__pack_alloc(s, size) : cm__alloc(s, size)))
		return CM_ENOMEM;
	memcpy((char *)r + offsetof(struct cm__rec, kind),
	       (const char *)src + offsetof(struct cm__rec, kind),
	       k->schema->size - offsetof(struct cm__rec, kind));
	atomic_init(&r->refs, 1);
	r->packed = CM__PACKED;
	if (slab)
		r->packed |= (uint16_t)(CM__PACKED_SLAB | (size + 7) / 8 << 8);
	r->id = (char *)(uintptr_t)id;
	c.base = (char *)r;
	if (c.nfix <= PACK_FIXES)
		for (i = 0; i < c.nfix; i++)
			fix_apply(c.base, &c.fix[i]);
	else
		place_obj(&c, w, k->schema, src, 0, head);
	*out = r;
	return CM_OK;
}

void cm__rec_retain(struct cm__rec *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
}

void cm__rec_release(cm_store *s, struct cm__rec *r)
{
	const struct cm__kind *k;

	if (!r)
		return;
	if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (!(r->packed & (CM__PACKED | CM__PACKED_SHALLOW))) {
		const struct cm__room *rm = rec_room(r);
		/* Parts all in its room: nothing to walk. */
		if (rm && !rm->spilled)
			return;
		k = cm__kind_of(r->kind);
		obj_clear(s, rm, kind_walk(r->kind), k->schema, r);
		part_drop(s, rm, r->id);
		if (rm)
			return; /* its memory is its handle's */
	} else if (r->packed & CM__PACKED_SHALLOW) {
		cm__rec_release(s, *shallow_base(cm__kind_of(r->kind), r));
	}
	if (r->packed & CM__PACKED_SLAB)
		cm__pack_release(s, r, CM__PACK_UNITS(r) * 8);
	else
		cm__free(s, r);
}

uint64_t cm__digest_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t obj_digest(const struct cm__schema *sc, const void *obj,
			   uint64_t h)
{
	size_t i, j;

	for (i = 0; i < sc->nfields; i++) {
		const struct cm__field *f = &sc->fields[i];
		h = cm__digest_bytes(h, &f->tag, sizeof(f->tag));
		switch (f->type) {
		case CM__F_TEXT: {
			const char *t = cm__field_text(f, obj);
			h = t ? cm__digest_bytes(h, t, strlen(t) + 1)
			      : cm__digest_bytes(h, "\xff", 1);
			break;
		}
		case CM__F_I32:
			h = cm__digest_bytes(h, CFIELD(obj, f, int32_t), 4);
			break;
		case CM__F_I64:
			h = cm__digest_bytes(h, CFIELD(obj, f, int64_t), 8);
			break;
		case CM__F_LIST: {
			const struct cm__list *l = cm__field_list(f, obj);
			h = cm__digest_bytes(h, &l->count, sizeof(l->count));
			for (j = 0; j < l->count; j++)
				h = obj_digest(f->elem,
					       (const char *)l->items + j * f->elem->size,
					       h);
			break;
		}
		}
	}
	return h;
}

uint64_t cm__rec_digest(const struct cm__kind *k, const struct cm__rec *r,
			uint64_t h)
{
	{
		int32_t kind = r->kind; /* as before packing existed */
		h = cm__digest_bytes(h, &kind, sizeof(kind));
	}
	h = cm__digest_bytes(h, &r->revision, sizeof(r->revision));
	h = cm__digest_bytes(h, &r->created, sizeof(r->created));
	h = cm__digest_bytes(h, &r->updated, sizeof(r->updated));
	h = cm__digest_bytes(h, r->id, strlen(r->id) + 1);
	return obj_digest(k->schema, r, h);
}

/* ---- lists ------------------------------------------------------------- */

int cm__list_push(cm_store *s, struct cm__rec *r, struct cm__list *l,
		  const struct cm__schema *el, size_t max, void **out_elem)
{
	void *e;

	if (l->count >= max)
		return CM_ERANGE;
	if (l->count == l->cap) {
		/* A status history mostly gets one or two entries. */
		uint32_t ncap = l->cap ? l->cap * 2
				       : el == &cm__hist_schema ? 2 : 4;
		void *p = part_grow(s, r, l->items, (size_t)l->cap * el->size,
				    (size_t)ncap * el->size);
		if (!p)
			return CM_ENOMEM;
		l->items = p;
		l->cap = ncap;
	}
	e = (char *)l->items + (size_t)l->count * el->size;
	memset(e, 0, el->size);
	l->count++;
	*out_elem = e;
	return CM_OK;
}

void cm__list_remove(cm_store *s, struct cm__rec *r, struct cm__list *l,
		     const struct cm__schema *el, size_t index)
{
	char *base = l->items;

	obj_clear(s, rec_room(r), NULL, el, base + index * el->size);
	memmove(base + index * el->size, base + (index + 1) * el->size,
		(l->count - index - 1) * el->size);
	l->count--;
}

/* ---- handles ----------------------------------------------------------- */

static void handle_init(struct cm__handle *h, cm_store *s,
			const struct cm__kind *k, struct cm__rec *rec, int owned)
{
	h->store = s;
	h->kind = k;
	h->rec = rec;
	h->owned = owned;
	h->mods = 0;
	h->saved_mods = 0;
	h->txn = NULL;
	h->held = 0;
	atomic_init(&h->refs, 1);
	cm__store_ref(s);
}

int cm__handle_new(struct cm__handle **out, cm_store *s,
		   const struct cm__kind *k, struct cm__rec *rec, int owned)
{
	struct cm__handle *h = cm__alloc(s, sizeof(*h));

	if (!h)
		return cm__err(s, CM_ENOMEM, "out of memory for a %s handle",
			       k->name);
	handle_init(h, s, k, rec, owned);
	*out = h;
	return CM_OK;
}

void cm__handle_release(struct cm__handle *h)
{
	cm_store *s;

	if (!h)
		return;
	if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
		return;
	s = h->store;
	cm__rec_release(s, h->rec);
	cm__free(s, h);
	cm__store_unref(s);
}

/* 1 if the calling thread holds s's open transaction. */
static int txn_is_mine(cm_store *s)
{
	int mine;

	pthread_mutex_lock(&s->meta);
	mine = s->txn_active && pthread_equal(s->txn_owner, pthread_self());
	pthread_mutex_unlock(&s->meta);
	return mine;
}

void cm__handle_free(struct cm__handle *h)
{
	if (!h)
		return;
	/* Staged in a transaction (refs > 1) that this thread holds: the
	 * transaction needs only its own copy (op->rec) and, with the caller
	 * gone, no handle to update after commit, so it lets go of the handle
	 * and its record now. A handle passed to another thread while staged
	 * is only released: that thread must not touch the transaction. */
	if (atomic_load_explicit(&h->refs, memory_order_acquire) > 1 &&
	    txn_is_mine(h->store)) {
		struct cm__rec *r;
		if (h->txn && cm__txn_unhold(h->txn, h))
			cm__handle_release(h);
		if (atomic_load_explicit(&h->refs, memory_order_acquire) > 1) {
			/* Still held by an op (saved under two ids): it skips
			 * a handle whose caller has let go (refs == 1). */
			r = h->rec;
			h->rec = NULL;
			cm__rec_release(h->store, r);
		}
	}
	cm__handle_release(h);
}

/* 1 if the handle's record is its own full copy, which setters change in
 * place. */
static inline int rec_own(const struct cm__handle *h)
{
	return h->owned && !(h->rec->packed & CM__PACKED_SHALLOW);
}

struct cm__rec *cm__handle_mut(struct cm__handle *h)
{
	struct cm__rec *copy;

	if (rec_own(h))
		return h->rec;
	if (cm__rec_clone(h->store, h->kind, &copy, h->rec) != CM_OK) {
		cm__err(h->store, CM_ENOMEM, "out of memory copying a %s",
			h->kind->name);
		return NULL;
	}
	cm__rec_release(h->store, h->rec);
	h->rec = copy;
	h->owned = 1;
	return copy;
}

/* cm__handle_mut without a call for most setter calls, which find the
 * handle's own copy. */
static inline struct cm__rec *rec_mut(struct cm__handle *h)
{
	return rec_own(h) ? h->rec : cm__handle_mut(h);
}

/* A record the handle may change the own scalar fields of: its private
 * copy if it has one, else a copy of a packed version's head that borrows
 * the version's texts and lists (one allocation instead of one per text
 * and list: a recorded contact moves one date). NULL (CM_ENOMEM, the
 * handle unchanged) on failure.
 * Packing a shallow copy shares its short interned texts as they are
 * (pack_ctx.borrowed), which holds because h->rec is a committed version
 * (whose texts the intern table keeps) and a shallow copy only ever has
 * its integers changed: any other change makes a full copy first. */
static struct cm__rec *handle_mut_head(struct cm__handle *h)
{
	const struct cm__kind *k = h->kind;
	struct cm__rec *copy;

	if (h->owned || !(h->rec->packed & CM__PACKED))
		return rec_mut(h);
	copy = cm__alloc(h->store, PACK_ALIGN(k->schema->size) +
					   sizeof(struct cm__rec *));
	if (!copy) {
		cm__err(h->store, CM_ENOMEM, "out of memory copying a %s",
			k->name);
		return NULL;
	}
	memcpy((char *)copy + offsetof(struct cm__rec, kind),
	       (const char *)h->rec + offsetof(struct cm__rec, kind),
	       k->schema->size - offsetof(struct cm__rec, kind));
	atomic_init(&copy->refs, 1);
	copy->packed = CM__PACKED_SHALLOW;
	*shallow_base(k, copy) = h->rec; /* the handle's reference */
	h->rec = copy;
	h->owned = 1;
	return copy;
}

int cm__handle_get(struct cm__handle **out, cm_store *s,
		   const struct cm__kind *k, const char *id)
{
	struct cm__slot *slot;
	struct cm__rec *rec = NULL;
	int rc;

	if (!out || !s || !id)
		return cm__err(s, CM_EINVAL, "%s get: NULL argument", k->name);
	rc = cm__store_usable(s);
	if (rc)
		return rc;
	CM__RDLOCK(s);
	slot = cm__slot_find(s, k->kind, id);
	if (slot) {
		rec = slot->cur;
		cm__rec_retain(rec);
	}
	CM__UNLOCK(s);
	if (!rec)
		return cm__err(s, CM_ENOTFOUND, "no %s with id '%.64s'", k->name, id);
	rc = cm__handle_new(out, s, k, rec, 0);
	if (rc)
		cm__rec_release(s, rec);
	return rc;
}

int cm__handle_create(struct cm__handle **out, cm_store *s,
		      const struct cm__kind *k)
{
	size_t head = PACK_ALIGN(k->schema->size);
	struct cm__handle *h;
	struct cm__room *rm;
	struct cm__rec *r;
	int rc;

	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	if (!k->room) {
		if (!(r = cm__rec_new(s, k)))
			return cm__err(s, CM_ENOMEM, "out of memory for a %s",
				       k->name);
		rc = cm__store_new_id(s, &r->id);
		if (rc == CM_OK)
			rc = cm__handle_new(out, s, k, r, 1);
		if (rc)
			cm__rec_release(s, r);
		return rc;
	}
	/* The handle, the room's header, the record, the room. */
	_Static_assert(sizeof(struct cm__handle) % 8 == 0 &&
			       sizeof(struct cm__room) % 8 == 0,
		       "the record after them is aligned");
	if (!(h = cm__alloc(s, sizeof(*h) + sizeof(*rm) + head + k->room)))
		return cm__err(s, CM_ENOMEM, "out of memory for a %s", k->name);
	rm = (struct cm__room *)(void *)(h + 1);
	r = (struct cm__rec *)(void *)(rm + 1);
	memset(r, 0, k->schema->size);
	rec_init(r, k)->packed = CM__REC_ROOM;
	rm->at = (char *)r + head;
	rm->used = rm->last = 0;
	rm->cap = k->room;
	rm->spilled = 0;
	/* Room for it (a generated id is 36 characters): cannot fail. */
	r->id = cm__part_alloc(s, r, CM__UUID_BUF);
	if ((rc = cm__store_new_id_into(s, r->id)) != CM_OK) {
		cm__rec_release(s, r);
		cm__free(s, h);
		return rc;
	}
	handle_init(h, s, k, r, 1);
	*out = h;
	return CM_OK;
}

struct cm__handle *cm__handle_of(const void *p, const struct cm__kind *k)
{
	const struct cm__handle *h = p;
	return (h && h->kind == k) ? (struct cm__handle *)(uintptr_t)h : NULL;
}

const struct cm__rec *cm__handle_rec(const void *p, const struct cm__kind *k)
{
	const struct cm__handle *h = cm__handle_of(p, k);
	return h ? h->rec : NULL;
}

int cm__handle_check_mutable(const struct cm__handle *h)
{
	if (h->kind->immutable && h->rec->revision != 0)
		return cm__err(h->store, CM_ESTATE,
			       "a committed %s cannot change: record an amending "
			       "one instead", h->kind->name);
	return CM_OK;
}

static const struct cm__field *field_find(const struct cm__schema *sc,
					  int cls, int32_t pub)
{
	size_t i;

	for (i = 0; i < sc->nfields; i++)
		if (sc->fields[i].pub_class == cls && sc->fields[i].pub == pub)
			return &sc->fields[i];
	return NULL;
}

/* The object an accessor works on: the record itself (e == NULL) or
 * element e->index of the list e->list. Recomputed after every
 * cm__handle_mut, which may have replaced the record. */
static void *obj_of(struct cm__rec *r, const struct cm__elem *e)
{
	struct cm__list *l;

	if (!e)
		return r;
	/* Read only: a list holding element e->index has its storage. */
	l = (struct cm__list *)(uintptr_t)cm__field_list(e->list, r);
	return (char *)l->items + e->index * e->schema->size;
}

static const struct cm__schema *schema_of(const struct cm__handle *h,
					  const struct cm__elem *e)
{
	return e ? e->schema : h->kind->schema;
}

const char *cm__obj_text(const struct cm__handle *h, const struct cm__elem *e,
			 int32_t field)
{
	const struct cm__field *f = field_find(schema_of(h, e), CM__PUB_TEXT, field);
	return f ? cm__field_text(f, obj_of(h->rec, e)) : NULL;
}

int cm__obj_set_text(struct cm__handle *h, const struct cm__elem *e,
		     int32_t field, const char *v)
{
	const struct cm__schema *sc = schema_of(h, e);
	const struct cm__field *f = field_find(sc, CM__PUB_TEXT, field);
	struct cm__rec *r;
	size_t n;
	int rc;

	if (!f)
		return cm__err(h->store, CM_ERANGE, "%s has no text field %d",
			       sc->name, (int)field);
	if ((rc = cm__handle_check_mutable(h)) != CM_OK)
		return rc;
	rc = cm__check_text_len(h->store, v, f->max, f->name, 1, &n);
	if (rc)
		return rc;
	if (!(r = rec_mut(h)))
		return CM_ENOMEM;
	/* "" (n == 0) clears. */
	if (field_put(h->store, r, f, obj_of(r, e), n ? v : NULL, n))
		return cm__err(h->store, CM_ENOMEM, "%s: out of memory", f->name);
	h->mods++;
	return CM_OK;
}

int cm__obj_get_int(int64_t *out, const struct cm__handle *h,
		    const struct cm__elem *e, int32_t field)
{
	const struct cm__schema *sc = schema_of(h, e);
	const struct cm__field *f = field_find(sc, CM__PUB_INT, field);
	const void *o = obj_of(h->rec, e);

	if (!f)
		return cm__err(h->store, CM_ERANGE, "%s has no integer field %d",
			       sc->name, (int)field);
	*out = f->type == CM__F_I32 ? *CFIELD(o, f, int32_t) : *CFIELD(o, f, int64_t);
	return CM_OK;
}

int cm__obj_set_int(struct cm__handle *h, const struct cm__elem *e,
		    int32_t field, int64_t v)
{
	const struct cm__schema *sc = schema_of(h, e);
	const struct cm__field *f = field_find(sc, CM__PUB_INT, field);
	struct cm__rec *r;
	void *o;
	int rc;

	if (!f)
		return cm__err(h->store, CM_ERANGE, "%s has no integer field %d",
			       sc->name, (int)field);
	if ((rc = cm__handle_check_mutable(h)) != CM_OK)
		return rc;
	switch (f->check) {
	case CM__CHECK_DATE:
		if (v != CM_DATE_NONE && !cm__days_valid(v))
			return cm__err(h->store, CM_EDATE, "%s: %lld is not a valid date",
				       f->name, (long long)v);
		break;
	case CM__CHECK_TIME:
		if (v != CM_TIME_NONE && !cm__time_valid(v))
			return cm__err(h->store, CM_EDATE, "%s: %lld is not a valid time",
				       f->name, (long long)v);
		break;
	default:
		if (v < f->min || v > f->maxval)
			return cm__err(h->store, CM_ERANGE,
				       "%s: %lld is outside %lld..%lld", f->name,
				       (long long)v, (long long)f->min,
				       (long long)f->maxval);
		break;
	}
	/* A sub-element lives in a list: changing it needs a full copy. */
	if (!(r = e ? rec_mut(h) : handle_mut_head(h)))
		return CM_ENOMEM;
	o = obj_of(r, e);
	if (f->type == CM__F_I32)
		*FIELD(o, f, int32_t) = (int32_t)v;
	else
		*FIELD(o, f, int64_t) = v;
	h->mods++;
	return CM_OK;
}

const char *cm__handle_text(const struct cm__handle *h, int32_t field)
{
	return cm__obj_text(h, NULL, field);
}

int cm__handle_set_text(struct cm__handle *h, int32_t field, const char *v)
{
	return cm__obj_set_text(h, NULL, field, v);
}

int cm__handle_get_int(int64_t *out, const struct cm__handle *h, int32_t field)
{
	return cm__obj_get_int(out, h, NULL, field);
}

int cm__handle_set_int(struct cm__handle *h, int32_t field, int64_t v)
{
	return cm__obj_set_int(h, NULL, field, v);
}

/* 1 if c may be in an id: A-Z a-z 0-9 - . (tests without branches, so
 * that a loop over an id's bytes is vectorised). */
static inline int id_byte(unsigned char c)
{
	return ((unsigned char)(c - '0') < 10) |
	       ((unsigned char)((c | 0x20) - 'a') < 26) |
	       ((unsigned char)(c - '-') < 2);
}

int cm__handle_set_id(struct cm__handle *h, const char *id)
{
	size_t n, i;
	struct cm__rec *r;
	char *copy;
	int bad = 0;

	if (!id)
		return cm__err(h->store, CM_EINVAL, "id: NULL");
	if (h->rec->revision != 0)
		return cm__err(h->store, CM_ESTATE,
			       "the id of a saved %s cannot change", h->kind->name);
	n = strnlen(id, 65);
	if (n == 0 || n > 64)
		return cm__err(h->store, CM_EINVAL, "id: must be 1 to 64 characters");
	for (i = 0; i < n; i++)
		bad |= !id_byte((unsigned char)id[i]);
	if (bad)
		return cm__err(h->store, CM_EINVAL,
			       "id: only A-Z a-z 0-9 - . are allowed");
	if (!(r = rec_mut(h)))
		return CM_ENOMEM;
	/* The record's own id (it is not packed) has room when the new one
	 * is no longer: a new record's is a generated id of 36 characters,
	 * which a loader replaces with ids of that size. */
	if (r->id && strlen(r->id) >= n) {
		memcpy(r->id, id, n + 1);
	} else {
		if (!(copy = cm__part_dup(h->store, r, id, n)))
			return cm__err(h->store, CM_ENOMEM, "out of memory");
		cm__part_free(h->store, r, r->id);
		r->id = copy;
	}
	h->mods++;
	return CM_OK;
}

static const struct cm__lifecycle *kind_lifecycle(const struct cm__kind *k,
						  struct cm__lifecycle *lc)
{
	lc->name = k->name;
	lc->status_off = k->status_off;
	lc->history_off = k->history_off;
	lc->status_max = k->status_max;
	lc->codes = k->status_codes;
	lc->transition_ok = k->transition_ok;
	lc->history_field = NULL;
	return lc;
}

int32_t cm__obj_status(const struct cm__handle *h, const struct cm__elem *e,
		       const struct cm__lifecycle *lc)
{
	return *(const int32_t *)(const void *)((const char *)obj_of(h->rec, e) +
						lc->status_off);
}

int32_t cm__handle_status(const struct cm__handle *h)
{
	struct cm__lifecycle lc;
	return cm__obj_status(h, NULL, kind_lifecycle(h->kind, &lc));
}

int cm__obj_set_status(struct cm__handle *h, const struct cm__elem *e,
		       const struct cm__lifecycle *lc, int32_t to,
		       const char *reason)
{
	struct cm__rec *r;
	struct cm__list *hl;
	struct cm__hist *he;
	char *rcopy, *o;
	int32_t from = cm__obj_status(h, e, lc);
	size_t n;
	int rc;

	if (!reason || !reason[0])
		return cm__err(h->store, CM_EINVAL, "a status change needs a reason");
	rc = cm__check_text_len(h->store, reason, 1000, "reason", 0, &n);
	if (rc)
		return rc;
	if (to < 1 || to > lc->status_max)
		return cm__err(h->store, CM_ERANGE, "%d is not a %s status",
			       (int)to, lc->name);
	if (!lc->transition_ok(from, to))
		return cm__err(h->store, CM_ETRANSITION,
			       "%s status cannot change from %s to %s", lc->name,
			       lc->codes[from], lc->codes[to]);
	if (!(rcopy = cm__part_dup(h->store, h->rec, reason, n)))
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	if (!(r = rec_mut(h))) {
		cm__part_free(h->store, h->rec, rcopy);
		return CM_ENOMEM;
	}
	o = obj_of(r, e);
	hl = lc->history_field
		     ? cm__field_list_mut(h->store, r, lc->history_field, o)
		     : (struct cm__list *)(void *)(o + lc->history_off);
	rc = hl ? cm__list_push(h->store, r, hl, &cm__hist_schema, UINT32_MAX,
				(void **)&he)
		: CM_ENOMEM;
	if (rc) {
		cm__part_free(h->store, r, rcopy);
		return cm__err(h->store, CM_ENOMEM, "out of memory");
	}
	he->from = from;
	he->to = to;
	he->time = CM_TIME_NONE;
	he->actor = NULL;
	he->reason = rcopy;
	*(int32_t *)(void *)(o + lc->status_off) = to;
	h->mods++;
	return CM_OK;
}

int cm__handle_set_status(struct cm__handle *h, int32_t to, const char *reason)
{
	struct cm__lifecycle lc;
	return cm__obj_set_status(h, NULL, kind_lifecycle(h->kind, &lc), to, reason);
}

static const struct cm__list *obj_list(const struct cm__handle *h,
				       const struct cm__elem *e, size_t off)
{
	return (const struct cm__list *)(const void *)((const char *)obj_of(
							       h->rec, e) + off);
}

size_t cm__handle_history_count(const struct cm__handle *h)
{
	return obj_list(h, NULL, h->kind->history_off)->count;
}

int cm__obj_history_at(int32_t *from, int32_t *to, int64_t *time,
		       const char **actor, const char **reason,
		       const struct cm__handle *h, const struct cm__elem *e,
		       size_t history_off, size_t index)
{
	return cm__hist_at(from, to, time, actor, reason, h,
			   obj_list(h, e, history_off), index);
}

int cm__hist_at(int32_t *from, int32_t *to, int64_t *time, const char **actor,
		const char **reason, const struct cm__handle *h,
		const struct cm__list *l, size_t index)
{
	const struct cm__hist *he;

	if (index >= l->count)
		return cm__err(h->store, CM_ERANGE, "no status history entry %zu", index);
	he = CM__LIST_AT(l, const struct cm__hist, index);
	if (from)
		*from = he->from;
	if (to)
		*to = he->to;
	if (time)
		*time = he->time;
	if (actor)
		*actor = he->actor;
	if (reason)
		*reason = he->reason;
	return CM_OK;
}

int cm__handle_history_at(int32_t *from, int32_t *to, int64_t *time,
			  const char **actor, const char **reason,
			  const struct cm__handle *h, size_t index)
{
	return cm__obj_history_at(from, to, time, actor, reason, h, NULL,
				  h->kind->history_off, index);
}

int cm__handle_get_revision(struct cm__handle **out, cm_store *s,
			    const struct cm__kind *k, const char *id,
			    int64_t revision)
{
	struct cm__slot *slot;
	struct cm__rec *rec = NULL;
	int rc;

	if (!out || !s || !id)
		return cm__err(s, CM_EINVAL, "%s get revision: NULL argument",
			       k->name);
	if ((rc = cm__store_usable(s)) != CM_OK)
		return rc;
	CM__RDLOCK(s);
	slot = cm__slot_find(s, k->kind, id);
	if (slot && (rec = cm__slot_revision(slot, revision)))
		cm__rec_retain(rec);
	CM__UNLOCK(s);
	if (!slot)
		return cm__err(s, CM_ENOTFOUND, "no %s with id '%.64s'", k->name, id);
	if (!rec)
		return cm__err(s, CM_ENOTFOUND, "%s '%.64s' has no revision %lld",
			       k->name, id, (long long)revision);
	rc = cm__handle_new(out, s, k, rec, 0);
	if (rc)
		cm__rec_release(s, rec);
	return rc;
}

int cm__handle_save(cm_txn *txn, struct cm__handle *h, const struct cm__kind *k)
{
	if (!txn || !h)
		return cm__err(txn ? txn->store : NULL, CM_EINVAL,
			       "%s save: NULL argument", k->name);
	return cm__txn_save(txn, h);
}

int cm__ref_id_check(const cm_store *s, const char *id, const char *what)
{
	size_t n;

	if (!id)
		return cm__err(s, CM_EINVAL, "%s: NULL", what);
	n = strnlen(id, CM__ID_MAX + 1);
	if (n == 0 || n > CM__ID_MAX)
		return cm__err(s, CM_EINVAL, "%s: must be 1 to %d characters",
			       what, CM__ID_MAX);
	return CM_OK;
}

const char *cm__code_of(const char *const *codes, int32_t max, int32_t v)
{
	return (v >= 1 && v <= max) ? codes[v] : NULL;
}

int cm__code_parse(int32_t *out, const char *const *codes, int32_t max,
		   const char *code)
{
	int32_t i;

	if (!out || !code)
		return CM_EINVAL;
	for (i = 1; i <= max; i++)
		if (strcmp(codes[i], code) == 0) {
			*out = i;
			return CM_OK;
		}
	return CM_ERANGE;
}
