/*
 * storage_sqlite.c - casemgr on a SQLite database, as a host does it.
 *
 * The store keeps every record in memory and serves reads from there; a
 * storage (casemgr/storage.h) only makes commits durable. This example
 * implements the cm_storage callback table on SQLite:
 *
 *   begin     BEGIN IMMEDIATE (takes the write lock at once)
 *   put       refuse a stale write (CM_ECONFLICT), else INSERT the record
 *   commit    COMMIT
 *   rollback  ROLLBACK
 *   load      every stored row, ordered by kind, id, revision
 *   load_since the rows stored after a marker: the records table's
 *             AUTOINCREMENT sequence, which grows in commit order because
 *             writers are serialized (BEGIN IMMEDIATE); cm_store_open
 *             loads through it, and cm_store_refresh takes in what other
 *             connections committed since
 *   close     finalize the statements, close the connection
 *   errmsg    sqlite3_errmsg (or our own text for a refused write)
 *
 * Schema:
 *
 *   records(seq, kind, id, revision, bytes)  UNIQUE (kind, id, revision)
 *       seq INTEGER PRIMARY KEY AUTOINCREMENT: the refresh marker.
 *       One row per record revision, the bytes opaque (the documented,
 *       checksummed casemgr record encoding). Every revision is kept, never
 *       overwritten: the library keeps earlier revisions of plans and
 *       assessments and reloads them at open, and an append-only table
 *       makes the stale-write check simple (the newest row is the current
 *       revision). The cost is space; a host may prune revisions of kinds
 *       that do not keep them (clients, providers, ...).
 *
 *   clients(id, revision, family, mrn, case_manager)  with indexes
 *       Columns for the host's own SQL (reports, look-ups by other
 *       programs). A host never decodes the bytes: it reads fields through
 *       the public handles. We fill the table from the store's change
 *       callback (cm_store_set_change_callback), which runs after each
 *       commit with the new state visible: cm_client_get, then upsert.
 *       The table is derived data, written after the records commit, so a
 *       crash in between can leave it one commit behind: at every open we
 *       bring it up to date from the loaded store (reindex_clients), which
 *       makes it self-healing. Records are the truth; columns are an index.
 *
 * The program: open a new SQLite file (argv[1], which must not exist yet,
 * or a temporary file), enrol clients, commit, close, reopen and find them
 * again; then open a second store on the same database and show that a
 * write it makes from a stale state is refused with CM_ECONFLICT and that
 * nothing changed, in its memory or in the database, and that a refresh
 * brings it up to date so the change can be redone; finally race two
 * stores on one record from two threads. Exit status 0 only if every check
 * held.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <casemgr.h>

/* ---- the storage: one SQLite connection per store ------------------------ */

struct sqlstore {
	sqlite3 *db;
	sqlite3_stmt *latest;    /* newest stored revision of (kind, id) */
	sqlite3_stmt *insert;    /* one record revision */
	sqlite3_stmt *upsert;    /* the host's clients columns */
	char msg[256];           /* our own failure text ("" if SQLite's) */
	cm_store *store;         /* set once cm_store_open succeeded */
	int closed;              /* the close callback ran */
};

static const char schema_sql[] =
	"PRAGMA journal_mode = WAL;"
	"CREATE TABLE IF NOT EXISTS records ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind INTEGER NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL, UNIQUE (kind, id, revision));"
	"CREATE TABLE IF NOT EXISTS clients ("
	"  id TEXT PRIMARY KEY, revision INTEGER NOT NULL,"
	"  family TEXT, mrn TEXT, case_manager TEXT);"
	"CREATE INDEX IF NOT EXISTS clients_family ON clients (family);"
	"CREATE INDEX IF NOT EXISTS clients_mrn ON clients (mrn);"
	"CREATE INDEX IF NOT EXISTS clients_case_manager ON clients (case_manager);";

/* A failure SQLite reported: errmsg will show sqlite3_errmsg. */
static int sql_failed(struct sqlstore *st)
{
	st->msg[0] = '\0';
	return -1; /* any non-zero value: the library reports CM_ESTORAGE */
}

static int exec_sql(struct sqlstore *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
		: sql_failed(st);
}

static int st_begin(void *ctx)
{
	/* IMMEDIATE: take the write lock now, so the revision check in put
	 * and the inserts that follow see no other writer in between. */
	return exec_sql(ctx, "BEGIN IMMEDIATE");
}

static int st_put(void *ctx, int32_t kind, const char *id, int64_t revision,
		  int64_t prev_revision, const void *bytes, size_t len)
{
	struct sqlstore *st = ctx;
	int64_t stored = 0;
	int rc;

	/* Refuse a stale write: the newest stored revision of this record
	 * must be the one this write replaces (0: the record is new). Another
	 * store on the same database may have committed since ours loaded. */
	sqlite3_reset(st->latest);
	sqlite3_bind_int(st->latest, 1, kind);
	sqlite3_bind_text(st->latest, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->latest);
	if (rc == SQLITE_ROW && sqlite3_column_type(st->latest, 0) != SQLITE_NULL)
		stored = sqlite3_column_int64(st->latest, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_failed(st);
	sqlite3_reset(st->latest);
	if (stored != prev_revision) {
		snprintf(st->msg, sizeof(st->msg),
			 "%s %s is at revision %lld in the database, this write "
			 "replaces revision %lld",
			 cm_kind_name(kind) ? cm_kind_name(kind) : "record", id,
			 (long long)stored, (long long)prev_revision);
		return CM_ECONFLICT; /* passed through by cm_txn_commit */
	}

	sqlite3_reset(st->insert);
	sqlite3_bind_int(st->insert, 1, kind);
	sqlite3_bind_text(st->insert, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->insert, 3, revision);
	/* bytes are valid during this call only: SQLITE_TRANSIENT copies. */
	sqlite3_bind_blob64(st->insert, 4, bytes, len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st->insert);
	sqlite3_reset(st->insert);
	return rc == SQLITE_DONE ? 0 : sql_failed(st);
}

static int st_commit(void *ctx)
{
	return exec_sql(ctx, "COMMIT");
}

static int st_rollback(void *ctx)
{
	struct sqlstore *st = ctx;

	/* Keep our message (the reason for the rollback), if any. */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

static int st_load(void *ctx, cm_storage_emit_fn emit, void *emit_ctx)
{
	struct sqlstore *st = ctx;
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT bytes FROM records "
			       "ORDER BY kind, id, revision", -1, &q, NULL) != SQLITE_OK)
		return sql_failed(st);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* The bytes exactly as put received them. */
		int e = emit(emit_ctx, sqlite3_column_blob(q, 0),
			     (size_t)sqlite3_column_bytes(q, 0));
		if (e) {
			sqlite3_finalize(q);
			return e; /* e.g. CM_ECORRUPT: stop and hand it back */
		}
	}
	if (rc != SQLITE_DONE) {
		sql_failed(st);
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return 0;
}

/* The rows after marker (a seq; NULL: all), in commit order; the new
 * marker is the last seq fed. One SELECT: one consistent snapshot. */
static int st_load_since(void *ctx, const char *marker, cm_storage_emit_fn emit,
			 void *emit_ctx, char *out_marker, size_t out_marker_size)
{
	struct sqlstore *st = ctx;
	sqlite3_stmt *q;
	long long last = marker ? strtoll(marker, NULL, 10) : 0;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT seq, bytes FROM records "
			       "WHERE seq > ?1 ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		return sql_failed(st);
	sqlite3_bind_int64(q, 1, last);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int e = emit(emit_ctx, sqlite3_column_blob(q, 1),
			     (size_t)sqlite3_column_bytes(q, 1));
		if (e) {
			sqlite3_finalize(q);
			return e;
		}
		last = sqlite3_column_int64(q, 0);
	}
	if (rc != SQLITE_DONE) {
		sql_failed(st);
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	snprintf(out_marker, out_marker_size, "%lld", last);
	return 0;
}

static int st_close(void *ctx)
{
	struct sqlstore *st = ctx;

	sqlite3_finalize(st->latest);
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->upsert);
	sqlite3_close(st->db);
	st->closed = 1;
	return 0;
}

static const char *st_errmsg(void *ctx)
{
	struct sqlstore *st = ctx;

	return st->msg[0] ? st->msg : sqlite3_errmsg(st->db);
}

/* The table itself is constant; the connection travels in storage_ctx. */
static const cm_storage sqlite_storage = {
	.version = CM_STORAGE_VERSION,
	.begin = st_begin,
	.put = st_put,
	.commit = st_commit,
	.rollback = st_rollback,
	.load = st_load,
	.close = st_close,
	.errmsg = st_errmsg,
	.load_since = st_load_since,
};

/* ---- the host's own columns ---------------------------------------------- */

/* Upsert one client's columns, read through the public handle. An older
 * revision never overwrites a newer one (reindexing is idempotent). */
static int index_client(struct sqlstore *st, const char *id)
{
	cm_client *c;
	int rc;

	if (cm_client_get(&c, st->store, id) != CM_OK)
		return -1;
	sqlite3_reset(st->upsert);
	sqlite3_bind_text(st->upsert, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st->upsert, 2, cm_client_revision(c));
	sqlite3_bind_text(st->upsert, 3, cm_client_text(c, CM_CLIENT_FAMILY), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st->upsert, 4, cm_client_identifier(c, "MRN"), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st->upsert, 5, cm_client_text(c, CM_CLIENT_CASE_MANAGER),
			  -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st->upsert);
	sqlite3_reset(st->upsert);
	cm_client_free(c);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Change callback: runs after each commit, once per changed record. */
static int on_change(void *ctx, int32_t kind, const char *id, int64_t revision,
		     int32_t action)
{
	struct sqlstore *st = ctx;

	(void)revision;
	(void)action;
	if (kind == CM_KIND_CLIENT && index_client(st, id) != 0)
		/* The commit stands; the columns catch up at the next open. */
		fprintf(stderr, "note: clients columns of %s not updated: %s\n",
			id, sqlite3_errmsg(st->db));
	return 0;
}

/* Bring the clients columns up to date with the loaded store. */
static int reindex_clients(struct sqlstore *st)
{
	cm_client_iter *it;
	cm_client *c;
	int rc = 0;

	if (cm_client_list(&it, st->store, 0, NULL, NULL) != CM_OK)
		return -1;
	exec_sql(st, "BEGIN");
	while (rc == 0 && cm_client_iter_next(&c, it) == CM_OK) {
		rc = index_client(st, cm_client_id(c));
		cm_client_free(c);
	}
	exec_sql(st, rc == 0 ? "COMMIT" : "ROLLBACK");
	cm_client_iter_free(it);
	return rc;
}

/* ---- opening a store on a SQLite file ------------------------------------ */

/*
 * Open the database at path and a store loaded from it. On success the
 * store owns st (its close callback closes the connection); on failure
 * everything is released and the message is printed.
 */
static int open_sqlite_store(cm_store **out, struct sqlstore *st, const char *path)
{
	cm_store_options opts = CM_STORE_OPTIONS_INIT;
	char err[256] = "";
	int rc;

	memset(st, 0, sizeof(*st));
	if (sqlite3_open(path, &st->db) != SQLITE_OK)
		goto sqlfail;
	sqlite3_busy_timeout(st->db, 5000); /* other stores share the file */
	if (exec_sql(st, schema_sql) ||
	    sqlite3_prepare_v2(st->db, "SELECT max(revision) FROM records "
			       "WHERE kind = ?1 AND id = ?2", -1, &st->latest, NULL) ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO records (kind, id, revision, bytes) "
			       "VALUES (?1, ?2, ?3, ?4)", -1, &st->insert, NULL) ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO clients (id, revision, family, mrn, "
			       "case_manager) VALUES (?1, ?2, ?3, ?4, ?5) "
			       "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, "
			       "family = excluded.family, mrn = excluded.mrn, "
			       "case_manager = excluded.case_manager "
			       "WHERE excluded.revision > clients.revision",
			       -1, &st->upsert, NULL))
		goto sqlfail;

	opts.storage = &sqlite_storage;
	opts.storage_ctx = st;
	opts.errbuf = err; /* there is no store to hold a failed open's message */
	opts.errbuf_size = sizeof(err);
	rc = cm_store_open(out, &opts); /* calls st_load_since */
	if (rc != CM_OK) {
		fprintf(stderr, "cm_store_open(%s): %s (%s)\n", path,
			cm_error_name(rc), err);
		if (!st->closed) /* the table was refused before it was taken */
			st_close(st);
		return rc;
	}
	st->store = *out;
	cm_store_set_change_callback(*out, on_change, st);
	if (reindex_clients(st) != 0)
		fprintf(stderr, "note: reindexing clients failed: %s\n",
			sqlite3_errmsg(st->db));
	return CM_OK;
sqlfail:
	fprintf(stderr, "SQLite %s: %s\n", path, sqlite3_errmsg(st->db));
	st_close(st);
	return CM_ESTORAGE;
}

/* ---- the demonstration --------------------------------------------------- */

static int failures;

/* Report one check; the program fails if any check failed. */
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

/* A call that must succeed for the demonstration to go on. */
#define MUST(store, call)                                                     \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != CM_OK) {                                           \
			fprintf(stderr, "%s failed: %s (%s)\n", #call,        \
				cm_error_name(rc_), cm_store_errmsg(store));  \
			exit(1);                                              \
		}                                                             \
	} while (0)

/* One integer from SQL run on the inspection connection (-1 on error). */
static long long sql_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *q;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (arg)
		sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* One text from SQL (copied into buf; "" if none). */
static const char *sql_text(sqlite3 *db, const char *sql, const char *arg,
			    char *buf, size_t size)
{
	sqlite3_stmt *q;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return buf;
	sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return buf;
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
	cm_client_free(c); /* allowed before commit: the txn keeps what it needs */
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
	struct sqlstore sa, sb;
	cm_store *a, *b;
	cm_client *c, *stale;
	cm_txn *txn;
	sqlite3 *look;
	char dir[] = "/tmp/casemgr-sqlite-XXXXXX", path[512], text[256], file[600];
	char rivera[80], okafor[80];
	long long rows;
	int rc;

	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "%s exists: give the path of a new database\n", path);
			return 2;
		}
		dir[0] = '\0';
	} else {
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 2;
		}
		snprintf(path, sizeof(path), "%s/cases.db", dir);
	}
	printf("database: %s (SQLite %s)\n", path, sqlite3_libversion());

	/* 1. A store on a new database: enrol two clients in one commit. */
	if (open_sqlite_store(&a, &sa, path) != CM_OK)
		return 1;
	/* A second connection, just to look at the tables with plain SQL. */
	if (sqlite3_open(path, &look) != SQLITE_OK) {
		fprintf(stderr, "SQLite %s: %s\n", path, sqlite3_errmsg(look));
		return 1;
	}
	sqlite3_busy_timeout(look, 5000);

	MUST(a, cm_txn_begin(&txn, a, "jordan.lee"));
	enrol(txn, a, "Rivera", "Ana", "MRN000123456", "cm-jordan");
	enrol(txn, a, "Okafor", "Chidi", "MRN000654321", "cm-sam");
	MUST(a, cm_txn_commit(txn)); /* BEGIN IMMEDIATE, 3 puts, COMMIT */

	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 1", NULL);
	check(rows == 2, "2 client records stored (found %lld)", rows);
	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 15", NULL);
	check(rows == 1, "1 transaction-log record stored with them (found %lld)", rows);
	sql_text(look, "SELECT family FROM clients WHERE mrn = ?1", "MRN000123456",
		 text, sizeof(text));
	check(strcmp(text, "Rivera") == 0,
	      "the clients columns find MRN000123456: family '%s'", text);

	/* A second revision: the first is kept beside it. */
	MUST(a, cm_client_find(&c, a, "MRN", "MRN000123456"));
	snprintf(rivera, sizeof(rivera), "%s", cm_client_id(c));
	MUST(a, cm_client_set_status(c, CM_CASE_ACTIVE, "assessment booked"));
	MUST(a, cm_txn_begin(&txn, a, "jordan.lee"));
	MUST(a, cm_client_save(txn, c));
	MUST(a, cm_txn_commit(txn));
	cm_client_free(c);
	rows = sql_int(look, "SELECT count(*) FROM records WHERE kind = 1 AND id = ?1",
		       rivera);
	check(rows == 2, "Rivera has 2 stored revisions (found %lld)", rows);
	rows = sql_int(look, "SELECT revision FROM clients WHERE id = ?1", rivera);
	check(rows == 2, "the clients columns follow: revision %lld", rows);
	cm_store_close(a); /* st_close closes the connection */
	check(sa.closed, "closing the store called the close callback");

	/* 2. Reopen: every record comes back from the database. */
	if (open_sqlite_store(&a, &sa, path) != CM_OK)
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

	/* 3. Two stores on one database. b loads Okafor at revision 1; then a
	 * commits revision 2. b's memory is now stale: its write must be
	 * refused by put, not silently overwrite a's. */
	if (open_sqlite_store(&b, &sb, path) != CM_OK)
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
	MUST(b, cm_client_save(txn, stale)); /* b's memory is at revision 1 */
	rc = cm_txn_commit(txn);
	check(rc == CM_ECONFLICT, "a stale write from the second store is refused: "
	      "%s (%s)", cm_error_name(rc), cm_store_errmsg(b));
	check(sql_int(look, "SELECT count(*) FROM records", NULL) == rows,
	      "the database has no new row");
	sql_text(look, "SELECT case_manager FROM clients WHERE id = ?1", okafor,
		 text, sizeof(text));
	check(strcmp(text, "cm-lee") == 0, "the database keeps the first write: "
	      "case manager '%s'", text);
	cm_client_free(stale);
	MUST(b, cm_client_get(&c, b, okafor));
	check(cm_client_revision(c) == 1 &&
	      strcmp(cm_client_text(c, CM_CLIENT_CASE_MANAGER), "cm-sam") == 0,
	      "the second store's memory is unchanged: revision %lld, '%s'",
	      (long long)cm_client_revision(c),
	      cm_client_text(c, CM_CLIENT_CASE_MANAGER));
	cm_client_free(c);

	/* The remedy for a conflict: refresh (take in what the other store
	 * committed), then redo the change. */
	{
		size_t changed = 0;
		MUST(b, cm_store_refresh(&changed, b));
		check(changed == 1, "the refresh took in %zu record", changed);
	}
	MUST(b, cm_client_get(&c, b, okafor));
	check(cm_client_revision(c) == 2 &&
	      strcmp(cm_client_text(c, CM_CLIENT_CASE_MANAGER), "cm-lee") == 0,
	      "refreshed, the second store sees revision %lld, '%s'",
	      (long long)cm_client_revision(c),
	      cm_client_text(c, CM_CLIENT_CASE_MANAGER));
	MUST(b, cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-kim"));
	MUST(b, cm_txn_begin(&txn, b, "sam.ortiz"));
	MUST(b, cm_client_save(txn, c));
	rc = cm_txn_commit(txn);
	check(rc == CM_OK, "redone from the fresh state, the write commits (%s)",
	      cm_error_name(rc));
	cm_client_free(c);
	sql_text(look, "SELECT case_manager FROM clients WHERE id = ?1", okafor,
		 text, sizeof(text));
	check(strcmp(text, "cm-kim") == 0, "the database has it: case manager '%s'",
	      text);

	cm_store_close(b);
	cm_store_close(a);

	/* 4. A race: two stores, both fresh, change the same client at the
	 * same moment from two threads. BEGIN IMMEDIATE lets one writer in;
	 * the other waits (busy timeout), then its revision check sees the
	 * winner's row: exactly one commit wins, the other gets CM_ECONFLICT. */
	if (open_sqlite_store(&a, &sa, path) != CM_OK ||
	    open_sqlite_store(&b, &sb, path) != CM_OK)
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
		sql_text(look, "SELECT case_manager FROM clients WHERE id = ?1", okafor,
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
	sqlite3_close(look);
	if (dir[0]) { /* our temporary database */
		const char *sfx[] = { "", "-wal", "-shm" };
		size_t i;
		for (i = 0; i < 3; i++) {
			snprintf(file, sizeof(file), "%s%s", path, sfx[i]);
			unlink(file);
		}
		rmdir(dir);
	}
	printf("%s\n", failures ? "some checks FAILED" : "every check held");
	return failures ? 1 : 0;
}
