/* replay.c: runs a harness without libFuzzer over its committed corpus
 * (tests/fuzz/corpus/NAME, or the files and folders given), one TAP line a file, so
 * that every crash ever found stays a regression test on every machine.  A file that
 * still breaks the reader aborts the run after "# FILE" names it. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=\"harness\""
#endif

static FILE *tap;
static int count;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;
	if (!fp) {
		fprintf(tap, "not ok %d - %s: %s\n", ++count, path, strerror(errno));
		return;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(buf = realloc(buf, cap)))
				abort();
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	fprintf(tap, "# %s\n", path);
	fflush(tap);
	LLVMFuzzerTestOneInput(buf, len);
	fprintf(tap, "ok %d - %s: %zu bytes\n", ++count, path, len);
	fflush(tap);
	free(buf);
}

static void run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL, *p;
	size_t n = 0, k;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	if (!(d = opendir(path))) {
		fprintf(tap, "not ok %d - %s: %s\n", ++count, path, strerror(errno));
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			if (!(names = realloc(names, (n + 1) * sizeof *names)) ||
			    !(names[n++] = strdup(de->d_name)))
				abort();
		}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (k = 0; k < n; k++) {
		if (!(p = malloc(strlen(path) + strlen(names[k]) + 2)))
			abort();
		sprintf(p, "%s/%s", path, names[k]);
		run_file(p);
		free(p);
		free(names[k]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;
	/* TAP goes to the standard output of the start: the harness takes fd 1 for itself */
	tap = fdopen(dup(STDOUT_FILENO), "w");
	if (!tap)
		return 1;
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		const char *top = getenv("HCR_TESTS");
		char path[4096];
		snprintf(path, sizeof path, "%s/fuzz/corpus/%s", top ? top : "tests", FUZZ_NAME);
		run_path(path);
	}
	if (!count)
		fprintf(tap, "not ok 1 - no input to replay for %s\n", FUZZ_NAME);
	fprintf(tap, "1..%d\n", count ? count : 1);
	fclose(tap);
	return 0;
}
