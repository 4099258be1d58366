/*
 * durable_commit.c - commit throughput: casemgr on its file journal vs
 * SQLite in WAL mode, at matched durability, measured in the same run.
 *
 *   durable_commit [N]      N commits per system and mode (default 1000)
 *
 * Each commit adds one client (family and given name, an MRN, a case
 * manager): on casemgr one cm_txn_commit of a new cm_client; on SQLite one
 * BEGIN / INSERT INTO clients (...) / COMMIT with a prepared statement (the
 * table has the same columns, the MRN indexed unique, as a host's own
 * schema would). Two durability levels:
 *
 *   full    fsync at every commit: CM_SYNC_FULL vs PRAGMA synchronous=FULL
 *   none    no fsync at commit:    CM_SYNC_NORMAL vs PRAGMA synchronous=OFF
 *
 * Output: commits/s of each system, and casemgr/SQLite as a ratio. Both run
 * on files in one fresh directory under $TMPDIR (so, the same file system).
 * After each run the data is reopened and counted, so that the program
 * fails, rather than reports a figure, when a commit was lost: the meson
 * test runs it with a tiny N for exactly that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <casemgr.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void remove_files(const char *base)
{
	const char *sfx[] = { "", "-wal", "-shm" };
	char p[640];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", base, sfx[i]);
		unlink(p);
	}
}

/* ---- casemgr on its journal ------------------------------------------------ */

/* N commits of one new client each; returns commits/s, or < 0 on failure. */
static double run_casemgr(const char *path, int32_t sync, int n, long long *bytes)
{
	cm_store *s;
	cm_client *c;
	cm_client_iter *it;
	cm_txn *txn;
	char mrn[32];
	double t0, t;
	size_t count;
	int i, rc;

	rc = cm_store_open_journal(&s, path, sync, NULL);
	if (rc != CM_OK) {
		fprintf(stderr, "cm_store_open_journal(%s): %s\n", path, cm_error_name(rc));
		return -1;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		snprintf(mrn, sizeof(mrn), "MRN%09d", i);
		if ((rc = cm_client_new(&c, s)) != CM_OK ||
		    (rc = cm_client_set_text(c, CM_CLIENT_FAMILY, "Rivera")) != CM_OK ||
		    (rc = cm_client_set_text(c, CM_CLIENT_GIVEN, "Ana")) != CM_OK ||
		    (rc = cm_client_set_identifier(c, "MRN", mrn)) != CM_OK ||
		    (rc = cm_client_set_text(c, CM_CLIENT_CASE_MANAGER, "cm-jordan")) != CM_OK ||
		    (rc = cm_txn_begin(&txn, s, "bench")) != CM_OK) {
			fprintf(stderr, "casemgr: %s (%s)\n", cm_error_name(rc), cm_store_errmsg(s));
			return -1;
		}
		if ((rc = cm_client_save(txn, c)) != CM_OK) {
			cm_txn_rollback(txn);
		} else {
			rc = cm_txn_commit(txn);
		}
		if (rc != CM_OK) {
			fprintf(stderr, "casemgr commit %d: %s (%s)\n", i,
				cm_error_name(rc), cm_store_errmsg(s));
			return -1;
		}
		cm_client_free(c);
	}
	t = now_s() - t0;
	cm_store_close(s);
	*bytes = file_size(path);

	/* Everything committed is there after reopening. */
	rc = cm_store_open_journal(&s, path, sync, NULL);
	if (rc != CM_OK || cm_client_list(&it, s, 0, NULL, NULL) != CM_OK) {
		fprintf(stderr, "casemgr reopen: %s\n", cm_error_name(rc));
		return -1;
	}
	count = cm_client_iter_count(it);
	cm_client_iter_free(it);
	cm_store_close(s);
	if (count != (size_t)n) {
		fprintf(stderr, "casemgr: %zu clients after reopening, expected %d\n",
			count, n);
		return -1;
	}
	return n / t;
}

/* ---- SQLite, WAL mode --------------------------------------------------------- */

static int sql(sqlite3 *db, const char *q)
{
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "SQLite: %s: %s\n", q, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static double run_sqlite(const char *path, int full, int n, long long *bytes)
{
	char wal[640], mrn[32], id[32];
	sqlite3 *db;
	sqlite3_stmt *ins, *cnt;
	long long count = -1;
	double t0, t;
	int i;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sql(db, "PRAGMA journal_mode = WAL") ||
	    sql(db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF") ||
	    sql(db, "CREATE TABLE clients (id TEXT PRIMARY KEY, family TEXT, "
		"given TEXT, mrn TEXT UNIQUE, case_manager TEXT)") ||
	    sqlite3_prepare_v2(db, "INSERT INTO clients VALUES (?1, 'Rivera', 'Ana', "
			       "?2, 'cm-jordan')", -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "SQLite %s: %s\n", path, sqlite3_errmsg(db));
		return -1;
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "client-%d", i);
		snprintf(mrn, sizeof(mrn), "MRN%09d", i);
		if (sql(db, "BEGIN"))
			return -1;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, mrn, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "SQLite insert: %s\n", sqlite3_errmsg(db));
			return -1;
		}
		sqlite3_reset(ins);
		if (sql(db, "COMMIT"))
			return -1;
	}
	t = now_s() - t0;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	*bytes = file_size(path) + file_size(wal); /* before the closing checkpoint */
	sqlite3_finalize(ins);
	sqlite3_close(db);

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM clients", -1, &cnt, NULL) != SQLITE_OK) {
		fprintf(stderr, "SQLite reopen: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(cnt) == SQLITE_ROW)
		count = sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	sqlite3_close(db);
	if (count != n) {
		fprintf(stderr, "SQLite: %lld rows after reopening, expected %d\n", count, n);
		return -1;
	}
	return n / t;
}

/* ---- the comparison ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], jpath[600], dpath[600];
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int full, failed = 0;

	if (n < 1) {
		fprintf(stderr, "usage: %s [N commits, >= 1]\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/casemgr-bench-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	printf("%d commits of one new client each, per system and mode, in %s\n"
	       "casemgr %s, SQLite %s (WAL)\n\n", n, dir, cm_version_string(),
	       sqlite3_libversion());
	printf("%-34s %14s %14s %8s\n", "durability", "casemgr /s", "SQLite /s",
	       "ratio");
	for (full = 1; full >= 0; full--) {
		long long jbytes = 0, dbytes = 0;
		double cm, sq;

		snprintf(jpath, sizeof(jpath), "%s/%s.journal", dir, full ? "full" : "none");
		snprintf(dpath, sizeof(dpath), "%s/%s.db", dir, full ? "full" : "none");
		cm = run_casemgr(jpath, full ? CM_SYNC_FULL : CM_SYNC_NORMAL, n, &jbytes);
		sq = run_sqlite(dpath, full, n, &dbytes);
		if (cm < 0 || sq < 0) {
			failed = 1;
		} else {
			printf("%-34s %14.0f %14.0f %8.2f\n",
			       full ? "fsync per commit (FULL / FULL)"
				    : "no fsync (NORMAL / synchronous=OFF)",
			       cm, sq, cm / sq);
			printf("%-34s %11lld KiB %10lld KiB\n", "  on disk", jbytes / 1024,
			       dbytes / 1024);
		}
		unlink(jpath);
		remove_files(dpath);
	}
	/* The journal may leave "<path>.torn-<n>" files only after a crash;
	 * none here, so the directory is empty now. */
	if (rmdir(dir) != 0)
		fprintf(stderr, "note: %s not removed\n", dir);
	return failed;
}
