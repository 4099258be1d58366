/*
 * The store's intern table (see intern.h): an open-addressing set of
 * pointers to NUL-terminated copies kept in arena blocks, each copy after
 * two bytes holding its length, so that a look-up compares lengths, then
 * the bytes word by word, without a call.
 */
#include <string.h>

#include "store/intern.h"
#include "store/store_impl.h"

struct cm__iblock {
	struct cm__iblock *next;
	size_t used, size;
	char data[];
};

struct cm__intern {
	const char **tab; /* cap entries, NULL = empty; cap a power of 2 */
	size_t n, cap;
	struct cm__iblock *blocks; /* newest first */
};

#define BLOCK_MIN 1024
#define BLOCK_MAX 65536

/* Bytes in front of a copy: its length. */
#define LEN_BYTES 2

/* The length of copy e (from the bytes before it). */
static size_t copy_len(const char *e)
{
	uint16_t n;

	memcpy(&n, e - LEN_BYTES, LEN_BYTES);
	return n;
}

/* 1 if the n bytes at a and b are the same: a word at a time, the last
 * word (or half, or the first, middle and last byte of a short text)
 * overlapping the ones before; reads no byte beyond the n. */
static int same_bytes(const char *a, const char *b, size_t n)
{
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if (cm__load64(a + i) != cm__load64(b + i))
				return 0;
		return cm__load64(a + n - 8) == cm__load64(b + n - 8);
	}
	if (n >= 4)
		return cm__load32(a) == cm__load32(b) &&
		       cm__load32(a + n - 4) == cm__load32(b + n - 4);
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
			  a[n - 1] == b[n - 1]);
}

/* The entry holding t, or the empty entry where it would go. */
static const char **probe(const struct cm__intern *in, const char *t,
			  size_t len)
{
	size_t mask = in->cap - 1, i = cm__hash_inline(t, len) & mask;

	for (;; i = (i + 1) & mask) {
		const char *e = in->tab[i];
		if (!e || (copy_len(e) == len && same_bytes(e, t, len)))
			return &in->tab[i];
	}
}

const char *cm__intern_find(const cm_store *s, const char *t, size_t len)
{
	const struct cm__intern *in = s->intern;

	return (in && in->n) ? *probe(in, t, len) : NULL;
}

/* Room for one more entry (load at most 1/2). */
static int grow(cm_store *s, struct cm__intern *in)
{
	const char **old = in->tab;
	size_t oldcap = in->cap, i;

	if ((in->n + 1) * 2 <= in->cap)
		return CM_OK;
	in->cap = oldcap ? oldcap * 2 : 64;
	in->tab = cm__zalloc(s, in->cap * sizeof(*in->tab));
	if (!in->tab) {
		in->tab = old;
		in->cap = oldcap;
		return CM_ENOMEM;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i])
			*probe(in, old[i], copy_len(old[i])) = old[i];
	cm__free(s, old);
	return CM_OK;
}

/* Room for n bytes in the newest arena block. */
static char *arena_take(cm_store *s, struct cm__intern *in, size_t n)
{
	struct cm__iblock *b = in->blocks;
	size_t size;

	if (!b || b->size - b->used < n) {
		size = b ? b->size * 2 : BLOCK_MIN;
		if (size > BLOCK_MAX)
			size = BLOCK_MAX;
		b = cm__alloc(s, sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = in->blocks;
		in->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* cm__intern of a text the table does not have (or with no table yet):
 * the rarer path, out of line. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static const char *intern_add(cm_store *s, const char *t, size_t len)
{
	struct cm__intern *in = s->intern;
	char *copy;
	uint16_t n;

	if (!in) {
		if (!(in = cm__zalloc(s, sizeof(*in))))
			return NULL;
		s->intern = in;
	}
	if (grow(s, in))
		return NULL;
	if (len > UINT16_MAX ||
	    !(copy = arena_take(s, in, LEN_BYTES + len + 1)))
		return NULL;
	n = (uint16_t)len;
	memcpy(copy, &n, LEN_BYTES);
	copy += LEN_BYTES;
	memcpy(copy, t, len);
	copy[len] = '\0';
	*probe(in, copy, len) = copy;
	in->n++;
	return copy;
}

const char *cm__intern(cm_store *s, const char *t, size_t len)
{
	const struct cm__intern *in = s->intern;
	const char *e;

	if (in && in->n && (e = *probe(in, t, len)) != NULL)
		return e;
	return intern_add(s, t, len);
}

void cm__intern_mark(const cm_store *s, struct cm__intern_mark *m)
{
	const struct cm__intern *in = s->intern;

	m->block = in ? in->blocks : NULL;
	m->used = in && in->blocks ? in->blocks->used : 0;
}

/* Take the copy at e (in the table) out of it: backward-shift deletion,
 * as the table has no tombstones. */
static void remove_copy(struct cm__intern *in, const char *e)
{
	size_t mask = in->cap - 1, i, j;

	i = (size_t)(probe(in, e, copy_len(e)) - in->tab);
	for (j = i;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!in->tab[j])
			break;
		home = cm__hash(in->tab[j], copy_len(in->tab[j])) & mask;
		if (cm__probe_moves(home, i, j)) {
			in->tab[i] = in->tab[j];
			i = j;
		}
	}
	in->tab[i] = NULL;
	in->n--;
}

/* Take the copies in b->data[from, used) out of the table (a block holds
 * them one after the other, each after its length). */
static void remove_copies(struct cm__intern *in, struct cm__iblock *b,
			  size_t from)
{
	const char *p = b->data + from, *end = b->data + b->used;

	for (; p < end; p += LEN_BYTES + copy_len(p + LEN_BYTES) + 1)
		remove_copy(in, p + LEN_BYTES);
	b->used = from;
}

void cm__intern_undo(cm_store *s, const struct cm__intern_mark *m)
{
	struct cm__intern *in = s->intern;

	if (!in)
		return;
	while (in->blocks && in->blocks != m->block) {
		struct cm__iblock *b = in->blocks;
		remove_copies(in, b, 0);
		in->blocks = b->next;
		cm__free(s, b);
	}
	if (in->blocks)
		remove_copies(in, in->blocks, m->used);
}

void cm__intern_free(cm_store *s)
{
	struct cm__intern *in = s->intern;
	struct cm__iblock *b, *next;

	if (!in)
		return;
	for (b = in->blocks; b; b = next) {
		next = b->next;
		cm__free(s, b);
	}
	cm__free(s, in->tab);
	cm__free(s, in);
	s->intern = NULL;
}
