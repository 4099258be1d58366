/* Allocation through the store's allocator. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "store/store_impl.h"

void *cm__libc_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

void *cm__libc_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return realloc(p, n);
}

void cm__libc_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

void *cm__alloc(cm_store *s, size_t size)
{
	if (size == 0)
		size = 1;
	return s->malloc_fn(s->alloc_ctx, size);
}

void *cm__zalloc(cm_store *s, size_t size)
{
	void *p = cm__alloc(s, size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *cm__realloc(cm_store *s, void *ptr, size_t size)
{
	if (size == 0)
		size = 1;
	return s->realloc_fn(s->alloc_ctx, ptr, size);
}

void cm__free(cm_store *s, void *ptr)
{
	if (ptr)
		s->free_fn(s->alloc_ctx, ptr);
}

char *cm__memdup0(cm_store *s, const void *p, size_t len)
{
	char *d = cm__alloc(s, len + 1);
	if (!d)
		return NULL;
	memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

char *cm__strdup(cm_store *s, const char *str)
{
	return cm__memdup0(s, str, strlen(str));
}

int cm__reserve_with(cm_realloc_fn realloc_fn, void *ctx, void **arr,
		     size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return CM_OK;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return CM_ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return CM_ENOMEM;
	p = realloc_fn(ctx, *arr, ncap * elem);
	if (!p)
		return CM_ENOMEM;
	*arr = p;
	*cap = ncap;
	return CM_OK;
}

int cm__reserve(cm_store *s, void **arr, size_t *cap, size_t need, size_t elem)
{
	return cm__reserve_with(s->realloc_fn, s->alloc_ctx, arr, cap, need, elem);
}
