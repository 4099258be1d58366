/* Fixtures shared by the suites; see fixtures.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"

void fx_client(struct th_env *env, const char *id, const char *manager,
	       int32_t tier, int32_t next_followup)
{
	cm_client *c;
	cm_txn *txn;

	assert_int_equal(cm_client_new(&c, env->store), CM_OK);
	assert_int_equal(cm_client_set_id(c, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_FAMILY, id), CM_OK);
	assert_int_equal(cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, manager), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_RISK_TIER, tier), CM_OK);
	assert_int_equal(cm_client_set_int(c, CM_CLIENT_NEXT_FOLLOWUP, next_followup), CM_OK);
	assert_int_equal(cm_client_set_status(c, CM_CASE_ACTIVE, "enrolled"), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "fixture"), CM_OK);
	assert_int_equal(cm_client_save(txn, c), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	cm_client_free(c);
}

void fx_event(struct th_env *env, char *buf, const char *client_id,
	      int32_t type, int64_t t)
{
	cm_event *e;
	cm_txn *txn;

	assert_int_equal(cm_event_new(&e, env->store, client_id, type, t), CM_OK);
	assert_int_equal(cm_txn_begin(&txn, env->store, "fixture"), CM_OK);
	assert_int_equal(cm_event_save(txn, e), CM_OK);
	assert_int_equal(cm_txn_commit(txn), CM_OK);
	if (buf)
		strcpy(buf, cm_event_id(e));
	cm_event_free(e);
}

long fx_sweep(const struct fx_scenario *sc)
{
	long n, runs = 0;
	int after, done;

	for (after = 0; after <= 1; after++) {
		done = 0;
		for (n = 1; !done; n++) {
			struct th_env env;
			int rc;
			th_open(&env);
			if (sc->setup)
				sc->setup(&env);
			env.alloc.count = 0;
			env.alloc.fail_at = n;
			env.alloc.fail_after = after;
			rc = sc->run(&env);
			runs++;
			if (rc == CM_OK)
				done = 1;
			else
				assert_int_equal(rc, CM_ENOMEM);
			env.alloc.fail_at = 0;
			cm_store_close(env.store);
			env.store = NULL;
			if (env.alloc.live != 0)
				fprintf(stderr, "sweep: leak at n=%ld after=%d rc=%d\n",
					n, after, rc);
			assert_int_equal(env.alloc.live, 0);
			assert_true(n < 100000);
		}
	}
	return runs;
}

void fx_tmpdir(char *buf, size_t size)
{
	const char *t = getenv("TMPDIR");

	assert_true((size_t)snprintf(buf, size, "%s/casemgr-XXXXXX",
				     t && t[0] ? t : "/tmp") < size);
	assert_non_null(mkdtemp(buf));
}

void fx_rmdir(const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(unlink(path), 0);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}
