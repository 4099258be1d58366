/*
 * The store's intern table (see intern.h): an open-addressing set of
 * pointers to NUL-terminated copies kept in arena blocks.
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

/* The entry holding t, or the empty entry where it would go. */
static const char **probe(const struct cm__intern *in, const char *t,
			  size_t len)
{
	size_t mask = in->cap - 1, i = cm__hash(t, len) & mask;

	for (;; i = (i + 1) & mask) {
		const char *e = in->tab[i];
		/* strncmp: e may be shorter than len bytes. */
		if (!e || (strncmp(e, t, len) == 0 && e[len] == '\0'))
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
			*probe(in, old[i], strlen(old[i])) = old[i];
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

const char *cm__intern(cm_store *s, const char *t, size_t len)
{
	struct cm__intern *in = s->intern;
	const char **slot;
	char *copy;

	if (!in) {
		if (!(in = cm__zalloc(s, sizeof(*in))))
			return NULL;
		s->intern = in;
	}
	if (in->n) {
		slot = probe(in, t, len);
		if (*slot)
			return *slot;
	}
	if (grow(s, in))
		return NULL;
	if (!(copy = arena_take(s, in, len + 1)))
		return NULL;
	memcpy(copy, t, len);
	copy[len] = '\0';
	*probe(in, copy, len) = copy;
	in->n++;
	return copy;
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
	size_t mask = in->cap - 1, len = strlen(e), i, j;

	i = (size_t)(probe(in, e, len) - in->tab);
	for (j = i;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!in->tab[j])
			break;
		home = cm__hash(in->tab[j], strlen(in->tab[j])) & mask;
		if (cm__probe_moves(home, i, j)) {
			in->tab[i] = in->tab[j];
			i = j;
		}
	}
	in->tab[i] = NULL;
	in->n--;
}

/* Take the copies in b->data[from, used) out of the table (a block holds
 * its copies one after the other). */
static void remove_copies(struct cm__intern *in, struct cm__iblock *b,
			  size_t from)
{
	const char *p = b->data + from, *end = b->data + b->used;

	for (; p < end; p += strlen(p) + 1)
		remove_copy(in, p);
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
