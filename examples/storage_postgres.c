/*
 * storage_postgres.c - casemgr on a PostgreSQL database (libpq), as a host
 * does it.
 *
 * The same storage as storage_sqlite.c, on a server shared by any number of
 * stores and processes. Read that example first; this one differs only
 * where PostgreSQL does:
 *
 *   begin     BEGIN (READ COMMITTED)
 *   put       SELECT the newest revision of (kind, id) FOR UPDATE: a
 *             stored revision other than prev_revision refuses the write
 *             with CM_ECONFLICT (this store fell behind). The lock queues
 *             concurrent writers of one record behind the first; when the
 *             first commits, READ COMMITTED hands the second the row it
 *             waited for, not the new one, so its check can pass - but its
 *             INSERT of the same revision then fails on the primary key
 *             (SQLSTATE 23505), which is reported as CM_ECONFLICT too. So
 *             the revision check catches a stale store, and the primary
 *             key catches a race; step 4 of the demonstration races two
 *             threads to show it.
 *   commit    COMMIT
 *   rollback  ROLLBACK
 *   load      SELECT ... ORDER BY kind, id, revision in single-row mode,
 *             so the rows stream to the store instead of being buffered
 *   close     PQfinish
 *   errmsg    the server's message (or our own text for a refused write)
 *
 * Schema, as in storage_sqlite.c: records(kind, id, revision, bytes) keeps
 * every revision as an opaque bytea; clients(id, revision, family, mrn,
 * case_manager) holds indexed columns the host fills from the change
 * callback through cm_client_get, and brings up to date at every open.
 *
 * Usage: storage_postgres CONNINFO, e.g. "host=/tmp/pg port=5432
 * dbname=cases" (a database where the tables do not exist yet, or are
 * empty). tests/pg/run-with-postgres.sh starts a throwaway server and runs
 * it. Exit status 0 only if every check held.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include <casemgr.h>

/* ---- the storage: one connection per store ------------------------------- */

struct pgstore {
	PGconn *conn;
	char msg[512];      /* the last failure, for errmsg */
	cm_store *store;    /* set once cm_store_open succeeded */
	int closed;         /* the close callback ran */
};

static const char schema_sql[] =
	"SET client_min_messages = warning;" /* no NOTICE for IF NOT EXISTS */
	"CREATE TABLE IF NOT EXISTS records ("
	"  kind integer NOT NULL, id text NOT NULL, revision bigint NOT NULL,"
	"  bytes bytea NOT NULL, PRIMARY KEY (kind, id, revision));"
	"CREATE TABLE IF NOT EXISTS clients ("
	"  id text PRIMARY KEY, revision bigint NOT NULL,"
	"  family text, mrn text, case_manager text);"
	"CREATE INDEX IF NOT EXISTS clients_family ON clients (family);"
	"CREATE INDEX IF NOT EXISTS clients_mrn ON clients (mrn);"
	"CREATE INDEX IF NOT EXISTS clients_case_manager ON clients (case_manager);";

/* Keep the server's message (one line) for errmsg; frees res. */
static int pg_failed(struct pgstore *st, PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	size_t n;

	if (!m[0])
		m = PQerrorMessage(st->conn);
	snprintf(st->msg, sizeof(st->msg), "%s", m);
	n = strlen(st->msg);
	while (n && (st->msg[n - 1] == '\n' || st->msg[n - 1] == ' '))
		st->msg[--n] = '\0';
	PQclear(res);
	return -1; /* any non-zero value: the library reports CM_ESTORAGE */
}

/* Run a statement without parameters that returns no rows. */
static int exec_sql(struct pgstore *st, const char *sql)
{
	PGresult *res = PQexec(st->conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_failed(st, res);
	PQclear(res);
	return 0;
}

static int st_begin(void *ctx)
{
	return exec_sql(ctx, "BEGIN");
}

static int st_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		  int64_t prev_revision, const void *bytes, size_t len)
{
	struct pgstore *st = ctx;
	char skind[16], srev[24];
	const char *values[4];
	int lengths[4] = { 0, 0, 0, 0 };
	int formats[4] = { 0, 0, 0, 1 }; /* text, text, text, binary */
	int64_t stored = 0;
	PGresult *res;

	snprintf(skind, sizeof(skind), "%d", (int)kind);
	snprintf(srev, sizeof(srev), "%lld", (long long)revision);
	values[0] = skind;
	values[1] = id;

	/* The newest stored revision, locked until the transaction ends. */
	res = PQexecPrepared(st->conn, "latest", 2, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_failed(st, res);
	if (PQntuples(res) == 1)
		stored = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (stored != prev_revision) {
		snprintf(st->msg, sizeof(st->msg),
			 "%s %s is at revision %lld in the database, this write "
			 "replaces revision %lld",
			 cm_kind_name(kind) ? cm_kind_name(kind) : "record", id,
			 (long long)stored, (long long)prev_revision);
		return CM_ECONFLICT; /* passed through by cm_txn_commit */
	}

	values[2] = srev;
	values[3] = bytes; /* binary parameter: sent as is, no escaping */
	lengths[3] = (int)len;
	res = PQexecPrepared(st->conn, "insert", 4, values, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23505") == 0) { /* unique_violation */
			snprintf(st->msg, sizeof(st->msg),
				 "%s %s revision %lld was written by another store first",
				 cm_kind_name(kind) ? cm_kind_name(kind) : "record",
				 id, (long long)revision);
			PQclear(res);
			return CM_ECONFLICT;
		}
		return pg_failed(st, res);
	}
	PQclear(res);
	return 0;
}

static int st_commit(void *ctx)
{
	return exec_sql(ctx, "COMMIT");
}

static int st_rollback(void *ctx)
{
	struct pgstore *st = ctx;
	PGresult *res;

	/* Keep msg: it says why the transaction failed. */
	if (PQtransactionStatus(st->conn) != PQTRANS_IDLE) {
		res = PQexec(st->conn, "ROLLBACK");
		PQclear(res);
	}
	return 0;
}

static int st_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct pgstore *st = ctx;
	PGresult *res;
	int rc = 0, done = 0;

	/* resultFormat 1: bytea arrives as raw bytes. Single-row mode hands
	 * over one row at a time, however large the table. */
	if (!PQsendQueryParams(st->conn, "SELECT bytes FROM records "
			       "ORDER BY kind, id, revision",
			       0, NULL, NULL, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(st->conn))
		return pg_failed(st, NULL);
	/* Read every result to the end, even after a failure: the connection
	 * is usable again only then. */
	while ((res = PQgetResult(st->conn)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			if (rc == 0)
				rc = emit(emit_ctx, PQgetvalue(res, 0, 0),
					  (size_t)PQgetlength(res, 0, 0));
			PQclear(res);
			break;
		case PGRES_TUPLES_OK: /* the end of the rows */
			done = 1;
			PQclear(res);
			break;
		default:
			if (rc == 0)
				rc = pg_failed(st, res);
			else
				PQclear(res);
			break;
		}
	}
	if (rc == 0 && !done)
		rc = pg_failed(st, NULL);
	return rc; /* emit's own code (e.g. CM_ECORRUPT), or -1 */
}

static int st_close(void *ctx)
{
	struct pgstore *st = ctx;

	PQfinish(st->conn);
	st->conn = NULL;
	st->closed = 1;
	return 0;
}

static const char *st_errmsg(void *ctx)
{
	return ((struct pgstore *)ctx)->msg;
}

static const cm_storage postgres_storage = {
	.version = CM_STORAGE_VERSION,
	.begin = st_begin,
	.put = st_put,
	.commit = st_commit,
	.rollback = st_rollback,
	.load = st_load,
	.close = st_close,
	.errmsg = st_errmsg,
};

/* ---- the host's own columns ---------------------------------------------- */

/* Upsert one client's columns, read through the public handle; an older
 * revision never overwrites a newer one. */
static int index_client(struct pgstore *st, const char *id)
{
	cm_client *c;
	char srev[24];
	const char *values[5];
	PGresult *res;
	int rc;

	if (cm_client_get(&c, st->store, id) != CM_OK)
		return -1;
	snprintf(srev, sizeof(srev), "%lld", (long long)cm_client_revision(c));
	values[0] = id;
	values[1] = srev;
	values[2] = cm_client_text(c, CM_CLIENT_FAMILY); /* NULL: SQL NULL */
	values[3] = cm_client_identifier(c, "MRN");
	values[4] = cm_client_text(c, CM_CLIENT_CASE_MANAGER);
	res = PQexecPrepared(st->conn, "upsert", 5, values, NULL, NULL, 0);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : pg_failed(st, res);
	if (rc == 0)
		PQclear(res);
	cm_client_free(c);
	return rc;
}

static int on_change(void *ctx, int32_t kind, const char *id, int64_t revision,
		     int32_t action)
{
	struct pgstore *st = ctx;

	(void)revision;
	(void)action;
	if (kind == CM_KIND_CLIENT && index_client(st, id) != 0)
		/* The commit stands; the columns catch up at the next open. */
		fprintf(stderr, "note: clients columns of %s not updated: %s\n",
			id, st->msg);
	return 0;
}

static int reindex_clients(struct pgstore *st)
{
	cm_client_iter *it;
	cm_client *c;
	int rc;

	if (cm_client_list(&it, st->store, 0, NULL, NULL) != CM_OK)
		return -1;
	rc = exec_sql(st, "BEGIN");
	while (rc == 0 && cm_client_iter_next(&c, it) == CM_OK) {
		rc = index_client(st, cm_client_id(c));
		cm_client_free(c);
	}
	if (rc == 0)
		rc = exec_sql(st, "COMMIT");
	else
		st_rollback(st);
	cm_client_iter_free(it);
	return rc;
}

/* ---- opening a store on the database ------------------------------------- */

static int prepare(struct pgstore *st, const char *name, const char *sql)
{
	PGresult *res = PQprepare(st->conn, name, sql, 0, NULL);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_failed(st, res);
	PQclear(res);
	return 0;
}

/*
 * Connect and open a store loaded from the database. On success the store
 * owns st (its close callback ends the connection); on failure everything
 * is released and the message is printed.
 */
static int open_postgres_store(cm_store **out, struct pgstore *st,
			       const char *conninfo)
{
	cm_store_options opts = CM_STORE_OPTIONS_INIT;
	char err[512] = "";
	int rc;

	memset(st, 0, sizeof(*st));
	st->conn = PQconnectdb(conninfo);
	if (PQstatus(st->conn) != CONNECTION_OK) {
		pg_failed(st, NULL);
		goto fail;
	}
	if (exec_sql(st, schema_sql) ||
	    prepare(st, "latest", "SELECT revision FROM records "
		    "WHERE kind = $1 AND id = $2 "
		    "ORDER BY revision DESC LIMIT 1 FOR UPDATE") ||
	    prepare(st, "insert", "INSERT INTO records (kind, id, revision, bytes) "
		    "VALUES ($1, $2, $3, $4)") ||
	    prepare(st, "upsert", "INSERT INTO clients (id, revision, family, mrn, "
		    "case_manager) VALUES ($1, $2, $3, $4, $5) "
		    "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, "
		    "family = excluded.family, mrn = excluded.mrn, "
		    "case_manager = excluded.case_manager "
		    "WHERE excluded.revision > clients.revision"))
		goto fail;

	opts.storage = &postgres_storage;
	opts.storage_ctx = st;
	opts.errbuf = err;
	opts.errbuf_size = sizeof(err);
	rc = cm_store_open(out, &opts); /* calls st_load */
	if (rc != CM_OK) {
		fprintf(stderr, "cm_store_open: %s (%s)\n", cm_error_name(rc), err);
		if (!st->closed)
			st_close(st);
		return rc;
	}
	st->store = *out;
	cm_store_set_change_callback(*out, on_change, st);
	if (reindex_clients(st) != 0)
		fprintf(stderr, "note: reindexing clients failed: %s\n", st->msg);
	return CM_OK;
fail:
	fprintf(stderr, "PostgreSQL: %s\n", st->msg);
	st_close(st);
	return CM_ESTORAGE;
}

/* ---- the demonstration --------------------------------------------------- */

static int failures;

#ifdef __GNUC__
__attribute__((format(printf, 2, 3)))
#endif
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok:    " : "FAILED:");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

#define MUST(store, call)                                                     \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != CM_OK) {                                           \
			fprintf(stderr, "%s failed: %s (%s)\n", #call,        \
				cm_error_name(rc_), cm_store_errmsg(store));  \
			exit(1);                                              \
		}                                                             \
	} while (0)

/* The first column of the first row of sql (one optional parameter), as
 * text copied into buf ("" if none). */
static const char *sql_text(PGconn *db, const char *sql, const char *arg,
			    char *buf, size_t size)
{
	PGresult *res = PQexecParams(db, sql, arg ? 1 : 0, NULL, &arg, NULL, NULL, 0);

	buf[0] = '\0';
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(res));
	else if (PQntuples(res) > 0)
		snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return buf;
}

static long long sql_int(PGconn *db, const char *sql, const char *arg)
{
	char buf[32];

	sql_text(db, sql, arg, buf, sizeof(buf));
	return buf[0] ? strtoll(buf, NULL, 10) : -1;
}

static void enrol(cm_txn *txn, cm_store *store, const char *family,
		  const char *given, const char *mrn, const char *manager)
{
	cm_client *c;

	MUST(store, cm_client_new(&c, store));
	MUST(store, cm_client_set_text(c, CM_CLIENT_FAMILY, family));
	MUST(store, cm_client_set_text(c, CM_CLIENT_GIVEN, given));
	MUST(store, cm_client_set_identifier(c, "MRN", mrn));
	MUST(store, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, manager));
	MUST(store, cm_client_save(txn, c));
	cm_client_free(c);
}

/* Step 4: one thread per store, each changing the same client from the
 * same revision; both commit at once (released by a barrier). */
struct racer {
	cm_store *store;
	const char *id;
	const char *manager;
	pthread_barrier_t *go;
	int rc;
	char msg[256];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	cm_client *c = NULL;
	cm_txn *txn = NULL;

	r->rc = cm_client_get(&c, r->store, r->id);
	if (r->rc == CM_OK)
		r->rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, r->manager);
	if (r->rc == CM_OK)
		r->rc = cm_txn_begin(&txn, r->store, r->manager);
	if (r->rc == CM_OK && (r->rc = cm_client_save(txn, c)) != CM_OK) {
		cm_txn_rollback(txn);
		txn = NULL;
	}
	pthread_barrier_wait(r->go);
	if (txn)
		r->rc = cm_txn_commit(txn);
	snprintf(r->msg, sizeof(r->msg), "%s", cm_store_errmsg(r->store));
	cm_client_free(c);
	return NULL;
}

int main(int argc, char **argv)
{
	struct pgstore sa, sb;
	cm_store *a, *b;
	cm_client *c, *stale;
	cm_txn *txn;
	PGconn *look;
	char text[256], rivera[80], okafor[80];
	long long rows;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CONNINFO\n", argv[0]);
		return 2;
	}

	/* 1. A store on the database: enrol two clients in one commit. */
	if (open_postgres_store(&a, &sa, argv[1]) != CM_OK)
		return 1;
	printf("PostgreSQL server %d, libpq %d\n", PQserverVersion(sa.conn),
	       PQlibVersion());
	/* A separate connection, just to look at the tables with plain SQL. */
	look = PQconnectdb(argv[1]);
	if (PQstatus(look) != CONNECTION_OK) {
		fprintf(stderr, "PostgreSQL: %s", PQerrorMessage(look));
		return 1;
	}
	rows = sql_int(look, "SELECT count(*) FROM records", NULL);
	if (rows != 0) {
		fprintf(stderr, "the database holds records already: use an empty one\n");
		return 2;
	}

	MUST(a, cm_txn_begin(&txn, a, "jordan.lee"));
	enrol(txn, a, "Rivera", "Ana", "MRN000123456", "cm-jordan");
	enrol(txn, a, "Okafor", "Chidi", "MRN000654321", "cm-sam");
	MUST(a, cm_txn_commit(txn));

	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 1", NULL);
	check(rows == 2, "2 client records stored (found %lld)", rows);
	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 15", NULL);
	check(rows == 1, "1 transaction-log record stored with them (found %lld)", rows);
	sql_text(look, "SELECT family FROM clients WHERE mrn = $1", "MRN000123456",
		 text, sizeof(text));
	check(strcmp(text, "Rivera") == 0,
	      "the clients columns find MRN000123456: family '%s'", text);

	MUST(a, cm_client_find(&c, a, "MRN", "MRN000123456"));
	snprintf(rivera, sizeof(rivera), "%s", cm_client_id(c));
	MUST(a, cm_client_set_status(c, CM_CASE_ACTIVE, "assessment booked"));
	MUST(a, cm_txn_begin(&txn, a, "jordan.lee"));
	MUST(a, cm_client_save(txn, c));
	MUST(a, cm_txn_commit(txn));
	cm_client_free(c);
	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 1 AND id = $1",
		       rivera);
	check(rows == 2, "Rivera has 2 stored revisions (found %lld)", rows);
	rows = sql_int(look, "SELECT revision FROM clients WHERE id = $1", rivera);
	check(rows == 2, "the clients columns follow: revision %lld", rows);
	cm_store_close(a);
	check(sa.closed, "closing the store called the close callback");

	/* 2. Reopen: every record comes back from the database. */
	if (open_postgres_store(&a, &sa, argv[1]) != CM_OK)
		return 1;
	rc = cm_client_find(&c, a, "MRN", "MRN000123456");
	check(rc == CM_OK, "after reopening, MRN000123456 is found (%s)",
	      cm_error_name(rc));
	if (rc == CM_OK) {
		check(cm_client_revision(c) == 2 &&
		      cm_client_status(c) == CM_CASE_ACTIVE,
		      "it is Rivera at revision %lld, status %s",
		      (long long)cm_client_revision(c),
		      cm_case_status_code(cm_client_status(c)));
		cm_client_free(c);
	}
	{
		cm_audit_iter *it;
		int n = 0;
		MUST(a, cm_audit_query(&it, a, NULL, NULL, CM_TIME_NONE, CM_TIME_NONE));
		while (cm_audit_iter_next(it) == CM_OK)
			n++;
		cm_audit_iter_free(it);
		check(n == 3, "the audit trail came back too: %d entries", n);
	}

	/* 3. Two stores on one database: b loads Okafor at revision 1, then a
	 * commits revision 2; b's write from its stale state is refused. */
	if (open_postgres_store(&b, &sb, argv[1]) != CM_OK)
		return 1;
	MUST(b, cm_client_find(&stale, b, "MRN", "MRN000654321"));
	snprintf(okafor, sizeof(okafor), "%s", cm_client_id(stale));

	MUST(a, cm_client_get(&c, a, okafor));
	MUST(a, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-lee"));
	MUST(a, cm_txn_begin(&txn, a, "jordan.lee"));
	MUST(a, cm_client_save(txn, c));
	MUST(a, cm_txn_commit(txn));
	cm_client_free(c);

	rows = sql_int(look, "SELECT count(*) FROM records", NULL);
	MUST(b, cm_client_set_text(stale, CM_CLIENT_CASE_MANAGER, "cm-kim"));
	MUST(b, cm_txn_begin(&txn, b, "sam.ortiz"));
	MUST(b, cm_client_save(txn, stale));
	rc = cm_txn_commit(txn);
	check(rc == CM_ECONFLICT, "a stale write from the second store is refused: "
	      "%s (%s)", cm_error_name(rc), cm_store_errmsg(b));
	check(sql_int(look, "SELECT count(*) FROM records", NULL) == rows,
	      "the database has no new row");
	sql_text(look, "SELECT case_manager FROM clients WHERE id = $1", okafor,
		 text, sizeof(text));
	check(strcmp(text, "cm-lee") == 0, "the database keeps the first write: "
	      "case manager '%s'", text);
	check(PQtransactionStatus(sb.conn) == PQTRANS_IDLE,
	      "the second store's connection was rolled back, not left in a transaction");
	cm_client_free(stale);
	MUST(b, cm_client_get(&c, b, okafor));
	check(cm_client_revision(c) == 1 &&
	      strcmp(cm_client_text(c, CM_CLIENT_CASE_MANAGER), "cm-sam") == 0,
	      "the second store's memory is unchanged: revision %lld, '%s'",
	      (long long)cm_client_revision(c),
	      cm_client_text(c, CM_CLIENT_CASE_MANAGER));
	cm_client_free(c);

	/* The remedy for a conflict: reload, then redo the change. */
	cm_store_close(b);
	if (open_postgres_store(&b, &sb, argv[1]) != CM_OK)
		return 1;
	MUST(b, cm_client_get(&c, b, okafor));
	check(cm_client_revision(c) == 2 &&
	      strcmp(cm_client_text(c, CM_CLIENT_CASE_MANAGER), "cm-lee") == 0,
	      "reopened, the second store sees revision %lld, '%s'",
	      (long long)cm_client_revision(c),
	      cm_client_text(c, CM_CLIENT_CASE_MANAGER));
	MUST(b, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-kim"));
	MUST(b, cm_txn_begin(&txn, b, "sam.ortiz"));
	MUST(b, cm_client_save(txn, c));
	rc = cm_txn_commit(txn);
	check(rc == CM_OK, "redone from the fresh state, the write commits (%s)",
	      cm_error_name(rc));
	cm_client_free(c);
	sql_text(look, "SELECT case_manager FROM clients WHERE id = $1", okafor,
		 text, sizeof(text));
	check(strcmp(text, "cm-kim") == 0, "the database has it: case manager '%s'",
	      text);

	cm_store_close(b);
	cm_store_close(a);

	/* 4. A race: two stores, both fresh, change the same client at the
	 * same moment from two threads. Exactly one commit wins; the other is
	 * refused with CM_ECONFLICT, whichever way the server orders them. */
	if (open_postgres_store(&a, &sa, argv[1]) != CM_OK ||
	    open_postgres_store(&b, &sb, argv[1]) != CM_OK)
		return 1;
	{
		pthread_barrier_t go;
		pthread_t ta, tb;
		struct racer ra = { a, okafor, "cm-ana", &go, 0, "" };
		struct racer rb = { b, okafor, "cm-bo", &go, 0, "" };
		const struct racer *won, *lost;

		rows = sql_int(look, "SELECT count(*) FROM records", NULL);
		pthread_barrier_init(&go, NULL, 2);
		pthread_create(&ta, NULL, race, &ra);
		pthread_create(&tb, NULL, race, &rb);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		won = ra.rc == CM_OK ? &ra : &rb;
		lost = won == &ra ? &rb : &ra;
		check(won->rc == CM_OK && lost->rc == CM_ECONFLICT,
		      "racing writers: %s -> %s, %s -> %s (%s)", ra.manager,
		      cm_error_name(ra.rc), rb.manager, cm_error_name(rb.rc),
		      lost->msg);
		check(sql_int(look, "SELECT count(*) FROM records", NULL) == rows + 2,
		      "exactly one revision and one transaction log were stored");
		sql_text(look, "SELECT case_manager FROM clients WHERE id = $1", okafor,
			 text, sizeof(text));
		check(strcmp(text, won->manager) == 0,
		      "the database holds the winner's write: '%s'", text);
		MUST(lost->store, cm_client_get(&c, lost->store, okafor));
		check(cm_client_revision(c) == 3,
		      "the loser's memory is unchanged: revision %lld",
		      (long long)cm_client_revision(c));
		cm_client_free(c);
	}
	cm_store_close(b);
	cm_store_close(a);
	PQfinish(look);
	printf("%s\n", failures ? "some checks FAILED" : "every check held");
	return failures ? 1 : 0;
}
