/* Test harness: counting/failing allocator and settable clock. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store_impl.h"

static int should_fail(struct th_alloc *a)
{
	a->count++;
	if (a->fail_at && (a->count == a->fail_at ||
			   (a->fail_after && a->count > a->fail_at))) {
		a->failures++;
		return 1;
	}
	return 0;
}

static void *th_malloc(void *ctx, size_t n)
{
	struct th_alloc *a = ctx;
	void *p;
	if (n > a->largest)
		a->largest = n;
	if (should_fail(a))
		return NULL;
	p = malloc(n);
	if (p)
		a->live++;
	return p;
}

static void *th_realloc(void *ctx, void *ptr, size_t n)
{
	struct th_alloc *a = ctx;
	void *p;
	if (n > a->largest)
		a->largest = n;
	if (should_fail(a))
		return NULL;
	p = realloc(ptr, n);
	if (p && !ptr)
		a->live++;
	return p;
}

static void th_free(void *ctx, void *ptr)
{
	struct th_alloc *a = ctx;
	if (ptr)
		a->live--;
	free(ptr);
}

static int th_now(void *ctx, int64_t *out)
{
	struct th_clock *c = ctx;
	if (c->fail)
		return -1;
	*out = c->now;
	return 0;
}

void th_options(cm_store_options *opts, struct th_env *env)
{
	assert_int_equal(cm_store_options_init(opts, CM_STORE_OPTIONS_VERSION), CM_OK);
	opts->alloc_ctx = &env->alloc;
	opts->malloc_fn = th_malloc;
	opts->realloc_fn = th_realloc;
	opts->free_fn = th_free;
	opts->clock_ctx = &env->clock;
	opts->clock_fn = th_now;
	opts->id_seed = 42;
}

void th_open(struct th_env *env)
{
	cm_store_options o;

	memset(env, 0, sizeof(*env));
	env->clock.now = TH_T0;
	th_options(&o, env);
	assert_int_equal(cm_store_open(&env->store, &o), CM_OK);
}

void th_open_journal(struct th_env *env, const char *path)
{
	cm_store_options o;

	memset(env, 0, sizeof(*env));
	env->clock.now = TH_T0;
	th_options(&o, env);
	assert_int_equal(cm_store_open_journal(&env->store, path, CM_SYNC_NORMAL, &o),
			 CM_OK);
}

void th_close(struct th_env *env)
{
	cm_store_close(env->store);
	env->store = NULL;
	assert_int_equal(env->alloc.live, 0);
}

long th_alloc_sweep(struct th_env *env, void (*open)(struct th_env *),
		    void (*close)(struct th_env *), th_scenario_fn scenario,
		    int fail_after)
{
	long n;
	int rc;

	for (n = 1;; n++) {
		uint64_t before = 0;
		open(env);
		env->alloc.fail_at = env->alloc.count + n;
		env->alloc.fail_after = fail_after;
		rc = scenario(env, &before);
		env->alloc.fail_at = 0;
		if (rc != CM_OK) {
			assert_int_equal(rc, CM_ENOMEM);
			assert_true(env->alloc.failures > 0);
			assert_true(cm__store_digest(env->store) == before);
		}
		close(env);
		if (rc == CM_OK)
			return n;
	}
}
