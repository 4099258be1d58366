/*
 * Replay driver: a main() that feeds every file named on the command line
 * (a directory: every regular file in it, in name order) to
 * LLVMFuzzerTestOneInput, once each. It lets every build, with any
 * compiler and sanitizer, replay the committed corpora as ordinary tests;
 * the real fuzzing needs clang and -Dfuzzing=true (libFuzzer's own main).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap ? cap * 2 : 4096);
			if (!p) {
				fclose(f);
				free(buf);
				return 1;
			}
			buf = p;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	/* An exact-size copy, so that ASan sees a read past the input. */
	{
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact) {
			free(buf);
			return 1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d) {
		perror(dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));
			if (!p) {
				rc = 1;
				break;
			}
			names = p;
			cap = cap ? cap * 2 : 64;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n]) {
			rc = 1;
			break;
		}
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		struct stat st;
		if (!rc && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			rc = run_file(names[i]);
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	long count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc && !rc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = run_dir(argv[i], &count);
		} else {
			rc = run_file(argv[i]);
			count++;
		}
	}
	printf("%s: %ld inputs replayed\n", argv[0], count);
	if (!rc && count == 0) {
		fprintf(stderr, "no inputs found\n");
		return 1;
	}
	return rc;
}
