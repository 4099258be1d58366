/*
 * The file journal under kill -9: a child commits in a loop and reports
 * every acknowledged commit through a pipe; the parent kills it at a random
 * moment, reopens the journal, and checks that every acknowledged commit is
 * there and that the store loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"

#define ROUNDS 20

static void client_id(char *buf, size_t n, int round, uint32_t i)
{
	snprintf(buf, n, "r%d-%u", round, (unsigned)i);
}

/* The child: commit clients r<round>-1, -2, ... and write each number to
 * fd once committed. Never returns. */
static void committer(const char *path, int round, int fd)
{
	cm_store *s;
	uint32_t i;
	char id[32];

	if (cm_store_open_journal(&s, path, round % 2 ? CM_SYNC_NORMAL : CM_SYNC_FULL,
				  NULL) != CM_OK)
		_exit(2);
	for (i = 1;; i++) {
		cm_client *c;
		cm_txn *txn;
		client_id(id, sizeof(id), round, i);
		if (cm_client_new(&c, s) || cm_client_set_id(c, id) ||
		    cm_client_set_text(c, CM_CLIENT_FAMILY, "Crash") ||
		    cm_txn_begin(&txn, s, "crash-test") || cm_client_save(txn, c) ||
		    cm_txn_commit(txn))
			_exit(3);
		cm_client_free(c);
		if (write(fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(4);
	}
}

static void test_kill_loop(void **state)
{
	char dir[256], path[300], id[32];
	unsigned seed = (unsigned)time(NULL);
	int round;
	long acked_total = 0;
	(void)state;

	fx_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/crash.journal", dir);
	srand(seed);
	for (round = 0; round < ROUNDS; round++) {
		struct timespec delay;
		cm_store *s;
		uint32_t got, acked = 0;
		int p[2], status;
		pid_t pid;
		char err[256] = "";
		cm_store_options o = CM_STORE_OPTIONS_INIT;

		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			committer(path, round, p[1]);
		}
		close(p[1]);
		/* Even rounds kill after the first commit (slow runs, e.g. under
		 * valgrind, still commit); odd ones at any moment, open included. */
		if (round % 2 == 0 && read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
			acked = got;
		delay.tv_sec = 0;
		delay.tv_nsec = (long)(5 + rand() % 150) * 1000000L;
		nanosleep(&delay, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("round %d (seed %u): the child exited with %d", round,
				 seed, WEXITSTATUS(status));
		while (read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
			acked = got;
		close(p[0]);

		o.errbuf = err;
		o.errbuf_size = sizeof(err);
		if (cm_store_open_journal(&s, path, CM_SYNC_FULL, &o) != CM_OK)
			fail_msg("round %d (seed %u): reopen failed: %s", round, seed, err);
		for (got = 1; got <= acked; got++) {
			cm_client *c;
			client_id(id, sizeof(id), round, got);
			if (cm_client_get(&c, s, id) != CM_OK)
				fail_msg("round %d (seed %u): acknowledged commit %u is lost",
					 round, seed, (unsigned)got);
			cm_client_free(c);
		}
		/* At most the one commit in flight beyond the last ack. */
		{
			cm_client *c;
			client_id(id, sizeof(id), round, acked + 2);
			assert_int_equal(cm_client_get(&c, s, id), CM_ENOTFOUND);
		}
		cm_store_close(s);
		acked_total += acked;
	}
	assert_true(acked_total > 0);
	{
		int torn = 0;
		char tp[400];
		snprintf(tp, sizeof(tp), "%s.torn-1", path);
		while (access(tp, F_OK) == 0)
			snprintf(tp, sizeof(tp), "%s.torn-%d", path, ++torn + 1);
		fprintf(stderr, "kill -9 loop: %d rounds, %ld acknowledged commits, "
			"%d torn tails cut (seed %u)\n", ROUNDS, acked_total, torn, seed);
	}
	fx_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
