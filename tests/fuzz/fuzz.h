/*
 * Shared by the fuzz targets: a failed property aborts (libFuzzer and the
 * replay driver both report an abort as a crash, with the input saved).
 */
#ifndef CM_FUZZ_H
#define CM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casemgr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Internal, from the static library: a digest of a store's whole state. */
uint64_t cm__store_digest(cm_store *s);

#define FZ_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: property failed: %s\n",      \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* A deterministic clock for stores opened by the targets:
 * 2026-11-23T09:00:00Z. */
static inline int fz_clock(void *ctx, int64_t *out)
{
	(void)ctx;
	*out = INT64_C(1795424400);
	return 0;
}

static inline void fz_options(cm_store_options *o)
{
	cm_store_options_init(o, CM_STORE_OPTIONS_VERSION);
	o->clock_fn = fz_clock;
	o->id_seed = 42;
}

/* A reader over the fuzz input: runs out into zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline unsigned fz_byte(struct fz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t v = fz_byte(in);
	v |= (uint32_t)fz_byte(in) << 8;
	v |= (uint32_t)fz_byte(in) << 16;
	return v | (uint32_t)fz_byte(in) << 24;
}

/* A NUL-terminated string of up to max bytes: a length byte, then text. */
static inline void fz_str(struct fz_in *in, char *buf, size_t max)
{
	size_t len = fz_byte(in), i;
	if (len > max)
		len = max;
	for (i = 0; i < len && in->n; i++)
		buf[i] = (char)fz_byte(in);
	buf[i] = '\0';
}

#endif
