/*
 * first_client.c - the casemgr API in one page.
 *
 * Open an in-memory store, enrol a client, save it in a transaction, read it
 * back by MRN, change its case status, and look at the audit trail.
 * Every call returns 0 or a negative CM_E* code; cm_store_errmsg() says why.
 */
#include <stdio.h>
#include <stdlib.h>

#include <casemgr.h>

#define CHECK(store, call)                                                    \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != CM_OK) {                                           \
			fprintf(stderr, "%s failed: %s (%s)\n", #call,        \
				cm_strerror(rc_), cm_store_errmsg(store));    \
			exit(1);                                              \
		}                                                             \
	} while (0)

int main(void)
{
	cm_store *store;
	cm_client *client;
	cm_txn *txn;
	cm_audit_iter *audit;
	int32_t birth;
	char when[CM_TIME_BUFSIZE];
	int rc;

	CHECK(NULL, cm_store_open(&store, NULL)); /* in memory, defaults */

	/* A new client is a handle you own; setters validate at once. */
	CHECK(store, cm_client_new(&client, store));
	CHECK(store, cm_client_set_text(client, CM_CLIENT_FAMILY, "Rivera"));
	CHECK(store, cm_client_set_text(client, CM_CLIENT_GIVEN, "Ana"));
	CHECK(store, cm_date_parse(&birth, "1948-02-29"));
	CHECK(store, cm_client_set_int(client, CM_CLIENT_BIRTH_DATE, birth));
	CHECK(store, cm_client_set_text(client, CM_CLIENT_LANGUAGE, "es"));
	CHECK(store, cm_client_set_int(client, CM_CLIENT_INTERPRETER, 1));
	CHECK(store, cm_client_set_identifier(client, "MRN", "MRN000123456"));
	CHECK(store, cm_client_add_coverage(client, "Medicare", "1EG4-TE5-MK73", "Part A/B"));
	CHECK(store, cm_client_add_care_team_member(client, "primary care physician",
						    "Dr. Osei", "555-0100"));
	CHECK(store, cm_client_set_text(client, CM_CLIENT_CASE_MANAGER, "cm-jordan"));

	/* Writes happen in a transaction with an actor: all or nothing. */
	CHECK(store, cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(store, cm_client_save(txn, client));
	CHECK(store, cm_txn_commit(txn)); /* ends and frees txn */
	printf("enrolled %s %s, id %s, revision %lld\n",
	       cm_client_text(client, CM_CLIENT_GIVEN),
	       cm_client_text(client, CM_CLIENT_FAMILY), cm_client_id(client),
	       (long long)cm_client_revision(client));
	cm_client_free(client);

	/* Read it back by an identifier; bad input is refused with a code. */
	CHECK(store, cm_client_find(&client, store, "MRN", "MRN000123456"));
	rc = cm_client_set_status(client, CM_CASE_FINISHED, "no reason");
	printf("planned -> finished: %s (%s)\n", cm_error_name(rc), cm_store_errmsg(store));
	CHECK(store, cm_client_set_status(client, CM_CASE_ACTIVE, "assessment booked"));
	CHECK(store, cm_txn_begin(&txn, store, "jordan.lee"));
	CHECK(store, cm_client_save(txn, client));
	CHECK(store, cm_txn_commit(txn));
	printf("status now %s (revision %lld)\n",
	       cm_case_status_code(cm_client_status(client)),
	       (long long)cm_client_revision(client));
	cm_client_free(client);

	/* Every committed change is in the audit trail. */
	CHECK(store, cm_audit_query(&audit, store, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE));
	while (cm_audit_iter_next(audit) == CM_OK) {
		cm_time_format(when, sizeof(when), cm_audit_iter_time(audit));
		printf("audit: %s %s %s %s rev %lld\n", when,
		       cm_audit_iter_actor(audit),
		       cm_action_name(cm_audit_iter_action(audit)),
		       cm_kind_name(cm_audit_iter_kind(audit)),
		       (long long)cm_audit_iter_revision(audit));
	}
	cm_audit_iter_free(audit);
	cm_store_close(store);
	return 0;
}
