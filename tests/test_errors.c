/* Error codes, messages and the version query. */
#include <string.h>

#include "harness.h"

static void test_strerror_every_code(void **state)
{
	static const int codes[] = {
		CM_OK, CM_EINVAL, CM_ENOMEM, CM_ENOTFOUND, CM_EEXIST, CM_ECONFLICT,
		CM_ETRANSITION, CM_EUTF8, CM_ETOOLONG, CM_EDATE, CM_ERANGE,
		CM_ESTATE, CM_EVERSION, CM_ESTORAGE, CM_ECORRUPT, CM_EBUSY,
		CM_ELOCKED, CM_EPOISONED, CM_EINCOMPLETE, CM_EIO,
		CM_EUNSUPPORTED, CM_ECLOCK, CM_ITEROVER
	};
	size_t i, j;
	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *name = cm_error_name(codes[i]);
		assert_non_null(name);
		assert_true(strncmp(name, "CM_", 3) == 0);
		assert_string_not_equal(cm_strerror(codes[i]), "unknown error");
		/* Every text differs from every other. */
		for (j = 0; j < i; j++)
			assert_string_not_equal(cm_strerror(codes[i]),
						cm_strerror(codes[j]));
	}
	assert_string_equal(cm_strerror(12345), "unknown error");
	assert_null(cm_error_name(-999));
}

static void test_codes_fixed(void **state)
{
	/* The ABI promise: these values never change. */
	(void)state;
	assert_int_equal(CM_EINVAL, -1);
	assert_int_equal(CM_ENOMEM, -2);
	assert_int_equal(CM_ENOTFOUND, -3);
	assert_int_equal(CM_ECONFLICT, -5);
	assert_int_equal(CM_ETRANSITION, -6);
	assert_int_equal(CM_ECLOCK, -21);
	assert_int_equal(CM_ITEROVER, -30);
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(cm_version(), CASEMGR_VERSION_NUMBER);
	assert_string_equal(cm_version_string(), CASEMGR_VERSION_STRING);
}

static void test_errmsg(void **state)
{
	struct th_env env;
	cm_client *c = NULL;
	char buf[16];
	int n;
	(void)state;

	th_open(&env);
	assert_string_equal(cm_store_errmsg(env.store), "");
	assert_int_equal(cm_client_get(&c, env.store, "nope"), CM_ENOTFOUND);
	assert_null(c);
	assert_non_null(strstr(cm_store_errmsg(env.store), "nope"));
	n = cm_store_errmsg_copy(env.store, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(cm_store_errmsg(env.store)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_true(strncmp(buf, cm_store_errmsg(env.store), sizeof(buf) - 1) == 0);
	assert_int_equal(cm_store_errmsg_copy(NULL, buf, sizeof(buf)), CM_EINVAL);
	assert_int_equal(cm_store_errmsg_copy(env.store, NULL, 1), CM_EINVAL);
	assert_non_null(cm_store_errmsg(NULL));
	th_close(&env);
}

static void test_errmsg_copy_utf8_boundary(void **state)
{
	struct th_env env;
	cm_client *c;
	char buf[64];
	size_t i, len;
	(void)state;

	th_open(&env);
	assert_int_equal(cm_client_new(&c, env.store), CM_OK);
	/* A message quoting the status codes of a refused transition; we
	 * cut it at every size and check no UTF-8 sequence is split. */
	assert_int_equal(cm_client_get(&c, env.store, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
			 CM_ENOTFOUND);
	for (i = 1; i < sizeof(buf); i++) {
		cm_store_errmsg_copy(env.store, buf, i);
		len = strlen(buf);
		assert_true(len < i);
		assert_int_equal(cm_utf8_check(buf, 1000), CM_OK);
	}
	cm_client_free(c);
	th_close(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_every_code),
		cmocka_unit_test(test_codes_fixed),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_errmsg),
		cmocka_unit_test(test_errmsg_copy_utf8_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
