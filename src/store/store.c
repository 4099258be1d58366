/* The store: open, close, options, clock, ids, error message. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casemgr/storage.h"
#include "client/client_dir.h"
#include "core/text.h"
#include "store/intern.h"
#include "store/store_impl.h"

/* Under AddressSanitizer, slab memory that is not handed out (the rest of
 * a slab, released slots) is poisoned: a use of a freed slot is caught as
 * a use of freed heap memory would be. */
#if defined(__SANITIZE_ADDRESS__)
#define CM__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CM__ASAN 1
#endif
#endif
#ifdef CM__ASAN
#include <sanitizer/asan_interface.h>
#define SLAB_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define SLAB_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SLAB_POISON(p, n) ((void)(p), (void)(n))
#define SLAB_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A rarely taken path, kept out of line so that its callers' common path
 * saves no registers for it. */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline, cold))
#else
#define SLOW_PATH
#endif

/* Within 64 KiB with malloc's header, and at most CM__REF_BLOCK (slots are
 * named by references into the slabs). */
#define SLAB_BYTES ((size_t)64 * 1024 - 64)
_Static_assert(SLAB_BYTES <= CM__REF_BLOCK, "a slab is a reference block");
_Static_assert(CM__PACK_SLAB_MAX / 8 <= 255, "units fit the high byte of packed");

extern const struct cm__kind cm__client_kind;
extern const struct cm__kind cm__txnlog_kind;
extern const struct cm__kind cm__assessment_kind;
extern const struct cm__kind cm__plan_kind;
extern const struct cm__kind cm__provider_kind;
extern const struct cm__kind cm__service_kind;
extern const struct cm__kind cm__event_kind;

/* Indexed by kind: commits look kinds up per op and per kind. */
const struct cm__kind *const cm__kinds[CM__KIND_MAX] = {
	[CM_KIND_CLIENT] = &cm__client_kind,
	[CM_KIND_ASSESSMENT] = &cm__assessment_kind,
	[CM_KIND_PLAN] = &cm__plan_kind,
	[CM_KIND_PROVIDER] = &cm__provider_kind,
	[CM_KIND_SERVICE] = &cm__service_kind,
	[CM_KIND_EVENT] = &cm__event_kind,
	[CM_KIND_TXNLOG] = &cm__txnlog_kind,
};

const char *cm_kind_name(int32_t kind)
{
	const struct cm__kind *k = cm__kind_get(kind);
	return k ? k->name : NULL;
}

const char *cm_action_name(int32_t action)
{
	switch (action) {
	case CM_ACTION_CREATE: return "create";
	case CM_ACTION_UPDATE: return "update";
	case CM_ACTION_STATUS: return "status";
	case CM_ACTION_READ: return "read";
	default: return NULL;
	}
}

/* ---- defaults ---------------------------------------------------------- */

static int default_clock(void *ctx, int64_t *out_now)
{
	struct timespec ts;
	(void)ctx;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	*out_now = (int64_t)ts.tv_sec;
	return 0;
}

/* ---- options ----------------------------------------------------------- */

int cm_store_options_init(cm_store_options *opts, uint32_t version)
{
	if (!opts)
		return CM_EINVAL;
	if (version == 0 || version > CM_STORE_OPTIONS_VERSION)
		return CM_EVERSION;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return CM_OK;
}

static void store_destroy(cm_store *s);
static void slabs_free(cm_store *s, struct cm__slabs *sl);
static void slot_clear(cm_store *s, const struct cm__kind *k,
		       struct cm__slot *sl);

/* ---- open / close ------------------------------------------------------ */

/* How many bytes of cm_store_options each version has: an older caller's
 * smaller block is read only that far. */
static const size_t options_size[] = {
	0,
	offsetof(cm_store_options, storage),
	sizeof(cm_store_options),
};

static int open_fail(const cm_store_options *o, int code, const char *msg)
{
	if (o->errbuf && o->errbuf_size) {
		size_t n = strlen(msg);
		if (n >= o->errbuf_size)
			n = o->errbuf_size - 1;
		memcpy(o->errbuf, msg, n);
		o->errbuf[n] = '\0';
	}
	return code;
}

/* How many bytes of cm_storage each version has. */
static const size_t storage_size[CM_STORAGE_VERSION + 1] = {
	0,
	offsetof(cm_storage, load_since),
	sizeof(cm_storage),
};

int cm_store_open(cm_store **out, const cm_store_options *opts)
{
	cm_store_options o = CM_STORE_OPTIONS_INIT;
	cm_store *s;
	int64_t now = 0;
	int rc;

	if (opts) {
		if (opts->version == 0 || opts->version > CM_STORE_OPTIONS_VERSION)
			return CM_EVERSION;
		memcpy(&o, opts, options_size[opts->version]);
	}
	if (!out)
		return open_fail(&o, CM_EINVAL, "store open: out is NULL");
	if (o.flags != 0)
		return open_fail(&o, CM_EINVAL, "store open: flags must be 0");
	if ((o.malloc_fn || o.realloc_fn || o.free_fn) &&
	    !(o.malloc_fn && o.realloc_fn && o.free_fn))
		return open_fail(&o, CM_EINVAL,
				 "store open: give malloc_fn, realloc_fn and free_fn together");
	if (o.storage && (o.storage->version == 0 ||
			  o.storage->version > CM_STORAGE_VERSION))
		return open_fail(&o, CM_EVERSION,
				 "store open: unknown storage table version");
	if (!o.malloc_fn) {
		o.malloc_fn = cm__libc_malloc;
		o.realloc_fn = cm__libc_realloc;
		o.free_fn = cm__libc_free;
		o.alloc_ctx = NULL;
	}
	if (!o.clock_fn) {
		o.clock_fn = default_clock;
		o.clock_ctx = NULL;
	}
	s = o.malloc_fn(o.alloc_ctx, sizeof(*s));
	if (!s)
		return open_fail(&o, CM_ENOMEM, "store open: out of memory");
	memset(s, 0, sizeof(*s));
	atomic_init(&s->refs, 1);
	atomic_init(&s->closed, 0);
	s->alloc_ctx = o.alloc_ctx;
	s->malloc_fn = o.malloc_fn;
	s->realloc_fn = o.realloc_fn;
	s->free_fn = o.free_fn;
	s->clock_ctx = o.clock_ctx;
	s->clock_fn = o.clock_fn;
	if (cm__rw_init(&s->lock) != 0)
		goto fail0;
	if (pthread_mutex_init(&s->txn_mutex, NULL) != 0)
		goto fail1;
	if (pthread_mutex_init(&s->meta, NULL) != 0)
		goto fail2;
	if (pthread_mutex_init(&s->err_mutex, NULL) != 0)
		goto fail3;
	if (pthread_mutex_init(&s->pack_mutex, NULL) != 0)
		goto fail4;
	for (int k = 0; k < CM__KIND_MAX; k++) { /* a slot's id is its key */
		s->tables[k].ids.key_off = offsetof(struct cm__slot, kid) + 1;
		s->tables[k].ids.dir = &s->slabs.dir;
	}
	/* A client's assessments, services, plans and events: buckets in
	 * front of its slot (cm__client_kind.slot_buckets). Events last,
	 * next to the slot: a timeline reads the slot's id (the look-up)
	 * then the bucket, mostly in the same cache line. */
	s->slabs.max = CM__REF_BLOCKS_MAX;
	s->pack_slabs.max = UINT32_MAX / 2;
	s->clients_by_cm.dir = s->events_by_client.dir = &s->slabs.dir;
	s->services_by_client.dir = s->plans_by_client.dir = &s->slabs.dir;
	s->assessments_by_client.dir = &s->slabs.dir;
	cm__mindex_home(&s->assessments_by_client, &s->tables[CM_KIND_CLIENT], 0);
	cm__mindex_home(&s->services_by_client, &s->tables[CM_KIND_CLIENT], 1);
	cm__mindex_home(&s->plans_by_client, &s->tables[CM_KIND_CLIENT], 2);
	cm__mindex_home(&s->events_by_client, &s->tables[CM_KIND_CLIENT], 3);
	cm__contact_intervals_default(s->contact_interval);
	cm__reassess_intervals_default(s->reassess_interval);
	if (o.id_seed) {
		s->rng = o.id_seed;
	} else {
		if (s->clock_fn(s->clock_ctx, &now) != 0)
			now = 0;
		s->rng = (uint64_t)now ^ (uint64_t)(uintptr_t)s ^
			 ((uint64_t)clock() << 32);
	}
	if (o.storage) {
		/* Only the members of the table's version: a v1 table
		 * may end before load_since. */
		memcpy(&s->storage_copy, o.storage,
		       storage_size[o.storage->version]);
		s->storage = &s->storage_copy;
		s->storage_id = o.storage;
		s->storage_ctx = o.storage_ctx;
		rc = cm__store_load(s);
		if (rc) {
			open_fail(&o, rc, s->errmsg);
			store_destroy(s);
			return rc;
		}
	}
	*out = s;
	return CM_OK;
fail4:
	pthread_mutex_destroy(&s->err_mutex);
fail3:
	pthread_mutex_destroy(&s->meta);
fail2:
	pthread_mutex_destroy(&s->txn_mutex);
fail1:
	cm__rw_destroy(&s->lock);
fail0:
	o.free_fn(o.alloc_ctx, s);
	return open_fail(&o, CM_ENOMEM, "store open: out of memory");
}

static void store_destroy(cm_store *s)
{
	size_t k, i;
	cm_free_fn free_fn = s->free_fn;
	void *ctx = s->alloc_ctx;

	/* Last reference gone: no transaction can be writing any more. */
	if (s->storage && s->storage->close)
		s->storage->close(s->storage_ctx);
	for (k = 0; k < CM__KIND_MAX; k++) {
		const struct cm__kind *kd = cm__kind_get((int32_t)k);
		/* Whether its slots own arrays (events' own none). */
		int owns = kd && (kd->keep_revisions || kd->slot_buckets);
		struct cm__table *t = &s->tables[k];
		for (i = 0; i < t->count; i++) {
			struct cm__slot *sl = cm__table_slot(t, i);
			struct cm__revs *rv = cm__slot_revs(sl);
			uint32_t j;
			for (j = 0; rv && j < rv->n; j++)
				cm__rec_release(s, rv->v[j]);
			cm__rec_release(s, sl->cur);
			/* Its memory goes with the slabs, below. */
			if (owns)
				slot_clear(s, kd, sl);
		}
		cm__free(s, t->slots);
		cm__kmap_free(s, &t->ids);
	}
	cm__txn_spare_free(s);
	cm__cdir_free(s);
	cm__cix_free(s);
	cm__assess_cfg_free(s);
	cm__mindex_free(s, &s->clients_by_cm);
	cm__mindex_free(s, &s->events_by_client);
	cm__mindex_free(s, &s->services_by_client);
	cm__mindex_free(s, &s->plans_by_client);
	cm__mindex_free(s, &s->assessments_by_client);
	cm__map_free(s, &s->amended_by);
	cm__map_free(s, &s->amend_waiting);
	cm__audit_free(s);
	cm__intern_free(s);
	assert(s->pack_live == 0); /* every packed version was released */
	slabs_free(s, &s->slabs);
	slabs_free(s, &s->pack_slabs);
	pthread_mutex_destroy(&s->pack_mutex);
	pthread_mutex_destroy(&s->err_mutex);
	pthread_mutex_destroy(&s->meta);
	pthread_mutex_destroy(&s->txn_mutex);
	cm__rw_destroy(&s->lock);
	free_fn(ctx, s);
}

void cm__store_ref(cm_store *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void cm__store_unref(cm_store *s)
{
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		store_destroy(s);
}

void cm_store_close(cm_store *s)
{
	if (!s)
		return;
	atomic_store(&s->closed, 1);
	cm__store_unref(s);
}

int cm__store_usable(const cm_store *s)
{
	if (atomic_load(&s->closed))
		return cm__err(s, CM_ESTATE, "the store is closed");
	return CM_OK;
}

/* ---- error message ----------------------------------------------------- */

const char *cm_store_errmsg(const cm_store *s)
{
	if (!s)
		return "no store (NULL)";
	return s->errmsg;
}

int cm_store_errmsg_copy(const cm_store *cs, char *buf, size_t size)
{
	cm_store *s = (cm_store *)cs;
	size_t len, n;

	if (!s || !buf)
		return CM_EINVAL;
	pthread_mutex_lock(&s->err_mutex);
	len = strlen(s->errmsg);
	if (size > 0) {
		n = len < size - 1 ? len : size - 1;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && n < len && ((unsigned char)s->errmsg[n] & 0xC0) == 0x80)
			n--;
		memcpy(buf, s->errmsg, n);
		buf[n] = '\0';
	}
	pthread_mutex_unlock(&s->err_mutex);
	return len > INT32_MAX ? INT32_MAX : (int)len;
}

/* ---- clock and ids ----------------------------------------------------- */

int cm__store_clock(cm_store *s, int64_t *out_now)
{
	int64_t now = 0;

	if (s->clock_fn(s->clock_ctx, &now) != 0)
		return cm__err(s, CM_ECLOCK, "the clock callback failed");
	if (now < CM_TIME_MIN || now > CM_TIME_MAX)
		return cm__err(s, CM_ECLOCK,
			       "the clock callback returned an out-of-range time");
	*out_now = now;
	return CM_OK;
}

int cm_store_now(int64_t *out_now, cm_store *s)
{
	if (!out_now || !s)
		return cm__err(s, CM_EINVAL, "store now: NULL argument");
	return cm__store_clock(s, out_now);
}

/* The two lower-case hex digits of every byte value, in order: byte b's
 * at 2 * b. */
#define HEX_ROW(d) d "0" d "1" d "2" d "3" d "4" d "5" d "6" d "7" \
		   d "8" d "9" d "a" d "b" d "c" d "d" d "e" d "f"
static const char hex_pairs[512 + 1] =
	HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
	HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9")
	HEX_ROW("a") HEX_ROW("b") HEX_ROW("c") HEX_ROW("d") HEX_ROW("e")
	HEX_ROW("f");

/* The hex digits of the low byte of v at at (one 2-byte copy). */
#define PUT_HEX2(at, v) memcpy((at), &hex_pairs[2 * (unsigned)(uint8_t)(v)], 2)

/* The UUID version 7 text of time `now` into id (CM__UUID_BUF bytes). */
static void format_id(cm_store *s, int64_t now, char *id)
{
	/* UUID version 7: 48-bit Unix milliseconds, then a 12-bit counter so
	 * that ids made in the same millisecond still sort in creation order,
	 * then 62 random bits. Lower-case hex sorts as the time does. */
	uint64_t ms, clk, next, r, hi;

	/* The next (ms, counter) after the last id's, and at least (now,
	 * 0): a counter past 0xFFF carries into the milliseconds. */
	ms = now > 0 ? (uint64_t)now * 1000 : 0;
	clk = atomic_load_explicit(&s->id_clock, memory_order_relaxed);
	do {
		next = clk + 1 > ms << 12 ? clk + 1 : ms << 12;
	} while (!atomic_compare_exchange_weak_explicit(
		&s->id_clock, &clk, next, memory_order_relaxed,
		memory_order_relaxed));
	/* splitmix64, its state advanced atomically. */
	r = atomic_fetch_add_explicit(&s->rng, UINT64_C(0x9e3779b97f4a7c15),
				      memory_order_relaxed) +
	    UINT64_C(0x9e3779b97f4a7c15);
	r = (r ^ (r >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	r = (r ^ (r >> 27)) * UINT64_C(0x94d049bb133111eb);
	r ^= r >> 31;

	/* 8-4-4-4-12 hex digits, two per byte. Bytes 0-5: the low 48 bits
	 * of the milliseconds; 6-7: the version (7) and the counter; 8: the
	 * variant (binary 10) and r's low 6 bits; 9-15: r's next bytes, from
	 * the low end. */
	hi = (next >> 12) << 16 | 0x7000 | (next & 0xFFF);
	PUT_HEX2(id + 0, hi >> 56);
	PUT_HEX2(id + 2, hi >> 48);
	PUT_HEX2(id + 4, hi >> 40);
	PUT_HEX2(id + 6, hi >> 32);
	PUT_HEX2(id + 9, hi >> 24);
	PUT_HEX2(id + 11, hi >> 16);
	PUT_HEX2(id + 14, hi >> 8);
	PUT_HEX2(id + 16, hi);
	PUT_HEX2(id + 19, 0x80 | (r & 0x3F));
	PUT_HEX2(id + 21, r >> 8);
	PUT_HEX2(id + 24, r >> 16);
	PUT_HEX2(id + 26, r >> 24);
	PUT_HEX2(id + 28, r >> 32);
	PUT_HEX2(id + 30, r >> 40);
	PUT_HEX2(id + 32, r >> 48);
	PUT_HEX2(id + 34, r >> 56);
	id[8] = id[13] = id[18] = id[23] = '-';
	id[36] = '\0';
}

int cm__store_new_id(cm_store *s, char **out_id)
{
	int64_t now = 0;
	int rc = cm__store_clock(s, &now);

	return rc ? rc : cm__store_make_id(s, now, out_id);
}

int cm__store_new_id_into(cm_store *s, char buf[CM__UUID_BUF])
{
	int64_t now = 0;
	int rc = cm__store_clock(s, &now);

	if (rc == CM_OK)
		format_id(s, now, buf);
	return rc;
}

int cm__store_make_id(cm_store *s, int64_t now, char **out_id)
{
	char *id = cm__alloc(s, CM__UUID_BUF);

	if (!id)
		return cm__err(s, CM_ENOMEM, "out of memory making an id");
	format_id(s, now, id);
	*out_id = id;
	return CM_OK;
}

/* ---- change callback --------------------------------------------------- */

int cm_store_set_change_callback(cm_store *s, cm_change_fn fn, void *ctx)
{
	if (!s)
		return CM_EINVAL;
	pthread_mutex_lock(&s->meta);
	s->change_fn = fn;
	s->change_ctx = fn ? ctx : NULL;
	pthread_mutex_unlock(&s->meta);
	return CM_OK;
}

/* ---- lookups and digest ------------------------------------------------ */

/* The size of the allocation of a slot of kind k with an id of n bytes,
 * rounded up to a multiple of 8 (what a slab hands out). */
static size_t slot_size(const struct cm__kind *k, size_t n)
{
	return (cm__slot_prefix(k) + sizeof(struct cm__slot) + n + 2 + 7) & ~(size_t)7;
}

/* A new slab, the last of sl. CM_OK or CM_ENOMEM. */
static SLOW_PATH int slab_add(cm_store *s, struct cm__slabs *sl)
{
	struct cm__refdir *d = &sl->dir;
	char *sb;

	if (d->n == d->cap) {
		/* Readers resolve references through the old array: swap it
		 * under the write lock (this runs outside it). */
		uint32_t ncap = d->cap ? d->cap * 2 : 8;
		char **nb;
		if (d->cap >= sl->max ||
		    !(nb = cm__alloc(s, ncap * sizeof(*nb))))
			return CM_ENOMEM;
		if (d->n)
			memcpy(nb, d->blocks, d->n * sizeof(*nb));
		CM__WRLOCK(s);
		char **old = d->blocks;
		d->blocks = nb;
		d->cap = ncap;
		CM__WRUNLOCK(s);
		cm__free(s, old);
	}
	if (!(sb = cm__alloc(s, SLAB_BYTES)))
		return CM_ENOMEM;
	SLAB_POISON(sb, SLAB_BYTES);
	/* Readers reach a new block only through what publishes it: a
	 * slot's entry in an id map, put with release order (hashmap.h),
	 * or a packed version, made current under the write lock. */
	d->blocks[d->n++] = sb;
	sl->used = 0;
	return CM_OK;
}

/* `size` bytes (a multiple of 8) carved from the last slab of sl, and
 * their reference; NULL if out of memory. */
static char *slab_carve(cm_store *s, struct cm__slabs *sl, size_t size,
			uint32_t *ref)
{
	struct cm__refdir *d = &sl->dir;
	char *p;

	if ((!d->n || SLAB_BYTES - sl->used < size) && slab_add(s, sl))
		return NULL;
	/* (The rest of a full slab is left unused: at most one block,
	 * under 1 percent.) */
	p = d->blocks[d->n - 1] + sl->used;
	*ref = cm__ref_make(d->n - 1, sl->used);
	sl->used += size;
	SLAB_UNPOISON(p, size);
	return p;
}

static void slabs_free(cm_store *s, struct cm__slabs *sl)
{
	uint32_t i;

	for (i = 0; i < sl->dir.n; i++) {
		SLAB_UNPOISON(sl->dir.blocks[i], SLAB_BYTES); /* the host's again */
		cm__free(s, sl->dir.blocks[i]);
	}
	cm__free(s, sl->dir.blocks);
}

/* A released slot waits in its size's free list as this node. */
struct slot_freed {
	void *next;
	uint32_t ref; /* of its first byte */
};

/* A slot of `size` bytes (slot_size: ids have at most CM__ID_MAX bytes,
 * kinds at most CM__SLOT_BUCKETS_MAX buckets, so its class is below
 * CM__SLOT_CLASSES) and the reference of its first byte. */
static char *slot_alloc(cm_store *s, size_t size, uint32_t *ref)
{
	size_t c = size / 8 - 1;
	char *p;
	struct slot_freed f;

	if ((p = s->slot_free[c]) != NULL) {
		SLAB_UNPOISON(p, size);
		memcpy(&f, p, sizeof(f));
		s->slot_free[c] = f.next;
		*ref = f.ref;
		return p;
	}
	return slab_carve(s, &s->slabs, size, ref);
}

static void slot_release(cm_store *s, char *p, size_t size, uint32_t ref)
{
	size_t c = size / 8 - 1;
	struct slot_freed f;

	f.next = s->slot_free[c];
	f.ref = ref;
	memcpy(p, &f, sizeof(f));
	s->slot_free[c] = p;
	SLAB_POISON(p, size);
}

void *cm__pack_alloc(cm_store *s, size_t size)
{
	size_t c = (size + 7) / 8 - 1;
	void *p;
	uint32_t ref;

	/* Counted as live at once: the one lock covers a carve too. */
	pthread_mutex_lock(&s->pack_mutex);
	if ((p = s->pack_free[c]) != NULL) {
		SLAB_UNPOISON(p, (c + 1) * 8);
		memcpy(&s->pack_free[c], p, sizeof(void *));
	}
	s->pack_live++;
	pthread_mutex_unlock(&s->pack_mutex);
	if (p)
		return p;
	/* Carving is the holder's alone, outside the mutex: a new slab
	 * takes the write lock, which a releasing reader may hold. */
	if (!(p = slab_carve(s, &s->pack_slabs, (c + 1) * 8, &ref))) {
		pthread_mutex_lock(&s->pack_mutex);
		s->pack_live--;
		pthread_mutex_unlock(&s->pack_mutex);
	}
	return p;
}

void cm__pack_release(cm_store *s, void *p, size_t size)
{
	size_t c = (size + 7) / 8 - 1;

	pthread_mutex_lock(&s->pack_mutex);
	memcpy(p, &s->pack_free[c], sizeof(void *));
	s->pack_free[c] = p;
	SLAB_POISON(p, (c + 1) * 8);
	s->pack_live--;
	pthread_mutex_unlock(&s->pack_mutex);
}

struct cm__slot *cm__slot_new(cm_store *s, int32_t kind, const char *id)
{
	return cm__slot_new_len(s, kind, id, strlen(id));
}

struct cm__slot *cm__slot_new_len(cm_store *s, int32_t kind, const char *id,
				  size_t n)
{
	size_t pre = cm__slot_prefix(cm__kind_get(kind));
	uint32_t ref;
	char *block = slot_alloc(s, slot_size(cm__kind_get(kind), n), &ref);
	struct cm__slot *sl;

	if (!block)
		return NULL;
	memset(block, 0, pre + sizeof(*sl));
	sl = (struct cm__slot *)(void *)(block + pre);
	/* The prefix is in the same slab, 8-byte units from its start. */
	sl->ref = ref + (uint32_t)(pre / 8);
	sl->kid[0] = (char)kind;
	memcpy(sl->kid + 1, id, n + 1);
	return sl;
}

/* Free what slot sl of kind k (NULL: none) owns: its kept-revision array,
 * its buckets' entries. */
static void slot_clear(cm_store *s, const struct cm__kind *k,
		       struct cm__slot *sl)
{
	struct cm__revs *rv;
	unsigned i;

	if ((rv = cm__slot_revs(sl)) != NULL)
		cm__free(s, rv->v);
	for (i = 0; k && i < k->slot_buckets; i++)
		cm__free(s, cm__slot_bucket(sl, i)->e);
}

void cm__slot_free(cm_store *s, struct cm__slot *sl)
{
	const struct cm__kind *k;

	if (!sl)
		return;
	k = cm__kind_get(sl->kid[0]);
	slot_clear(s, k, sl);
	slot_release(s, (char *)sl - cm__slot_prefix(k),
		     slot_size(k, strlen(CM__SLOT_ID(sl))),
		     sl->ref - (uint32_t)(cm__slot_prefix(k) / 8));
}

int cm__slot_reserve_revs(cm_store *s, struct cm__slot *sl, size_t need)
{
	struct cm__revs *rv = cm__slot_revs(sl);
	size_t cap;

	if (!rv)
		return CM_OK;
	cap = rv->cap;
	if (need > UINT32_MAX ||
	    cm__reserve(s, (void **)&rv->v, &cap, need, sizeof(*rv->v)))
		return CM_ENOMEM;
	rv->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	return CM_OK;
}

struct cm__slot *cm__slot_lookup(const cm_store *s, int32_t kind,
				 const char *id)
{
	if (kind <= 0 || kind >= CM__KIND_MAX)
		return NULL;
	return cm__kmap_get(&s->tables[kind].ids, id, strlen(id));
}

struct cm__slot *cm__slot_lookup_warm(const cm_store *s, int32_t kind,
				      const char *id)
{
	return cm__slot_probe(s, kind, id, NULL);
}

struct cm__slot *cm__slot_probe(const cm_store *s, int32_t kind,
				const char *id, struct cm__kpos *pos)
{
	struct cm__slot *sl;

	if (kind == CM_KIND_CLIENT && (sl = cm__cdir_slot(s, id)) != NULL)
		return sl;
	if (!pos)
		return cm__slot_lookup(s, kind, id);
	if (kind <= 0 || kind >= CM__KIND_MAX)
		return NULL;
	return cm__kmap_find(&s->tables[kind].ids, id, pos);
}

struct cm__slot *cm__slot_find(const cm_store *s, int32_t kind, const char *id)
{
	struct cm__slot *sl = cm__slot_lookup(s, kind, id);

	return sl && sl->cur ? sl : NULL;
}

uint64_t cm__store_digest(cm_store *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t k, i, idents;
	int idle;

	pthread_mutex_lock(&s->meta);
	idle = !s->txn_active;
	pthread_mutex_unlock(&s->meta);
	CM__RDLOCK(s);
	for (k = 1; k < CM__KIND_MAX; k++) {
		const struct cm__kind *kd = cm__kind_get((int32_t)k);
		const struct cm__table *t = &s->tables[k];
		/* With no transaction open, a pending slot left in the id map
		 * or a slot still marked staged changes the digest. */
		size_t pending = idle ? cm__kmap_count(&t->ids) - t->count : 0;
		h = cm__digest_bytes(h, &t->count, sizeof(t->count));
		h = cm__digest_bytes(h, &pending, sizeof(pending));
		for (i = 0; i < t->count; i++) {
			const struct cm__slot *sl = cm__table_slot(t, i);
			uint32_t staged = idle ? sl->staged : 0;
			h = cm__digest_bytes(h, &staged, sizeof(staged));
			h = cm__rec_digest(kd, sl->cur, h);
		}
	}
	idents = cm__cdir_ident_count(s);
	h = cm__digest_bytes(h, &idents, sizeof(idents));
	h = cm__cdir_digest(s, h);
	h = cm__cix_digest(s, h);
	h = cm__digest_bytes(h, &s->clients_by_cm.total, sizeof(size_t));
	h = cm__digest_bytes(h, &s->events_by_client.total, sizeof(size_t));
	h = cm__digest_bytes(h, &s->services_by_client.total, sizeof(size_t));
	h = cm__digest_bytes(h, &s->plans_by_client.total, sizeof(size_t));
	h = cm__digest_bytes(h, &s->assessments_by_client.total, sizeof(size_t));
	for (i = 0; i < s->naudit; i++) {
		const char *id = CM__SLOT_ID(cm__audit_slot(s, i));
		struct cm__audit_ent e = cm__audit_get(s, i);
		h = cm__digest_bytes(h, &e.revision, sizeof(e.revision));
		h = cm__digest_bytes(h, &e.action, 1);
		h = cm__digest_bytes(h, id, strlen(id));
	}
	h = cm__digest_bytes(h, &s->ntxn, sizeof(s->ntxn));
	for (i = 0; i < s->ntxn; i++) {
		const struct cm__txnlog *t = &s->txnlog[i];
		h = cm__digest_bytes(h, &t->time, sizeof(t->time));
		h = cm__digest_bytes(h, &t->end, sizeof(t->end));
		h = cm__digest_bytes(h, t->actor, strlen(t->actor) + 1);
	}
	CM__UNLOCK(s);
	return h;
}
