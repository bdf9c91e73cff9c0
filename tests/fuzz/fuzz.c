/* fuzz.c: the support every harness links with (see fuzz.h). */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/stream.h"
#include "common/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif

jmp_buf fuzz_env;
unsigned fuzz_die_codes = 1u << HCR_EXIT_DATA;
static int armed;

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- the library's allocations, tracked while an input runs ----
 * A hash set of pointers (linear probing), kept in memory of its own. */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static void **set;
static size_t set_cap, set_n;
static int tracking;

static size_t home(const void *p, size_t cap)
{
	return (size_t)(((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static void set_put(void *p);

static void set_grow(void)
{
	void **old = set;
	size_t k, cap = set_cap;
	set_cap = cap ? cap * 2 : 1024;
	set = __real_calloc(set_cap, sizeof *set);
	if (!set)
		fuzz_fail("out of memory tracking allocations");
	set_n = 0;
	for (k = 0; k < cap; k++)
		if (old[k])
			set_put(old[k]);
	__real_free(old);
}

static void set_put(void *p)
{
	size_t k;
	if ((set_n + 1) * 2 > set_cap)
		set_grow();
	for (k = home(p, set_cap); set[k]; k = (k + 1) & (set_cap - 1))
		;
	set[k] = p;
	set_n++;
}

/* Forgets p: 1 if it was tracked. */
static int set_del(void *p)
{
	size_t i, j, h, mask = set_cap - 1;
	if (!set_n)
		return 0;
	for (i = home(p, set_cap); set[i] != p; i = (i + 1) & mask)
		if (!set[i])
			return 0;
	set[i] = NULL;
	set_n--;
	/* close the gap: move back each later entry of the run that may not skip it */
	for (j = (i + 1) & mask; set[j]; j = (j + 1) & mask) {
		h = home(set[j], set_cap);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			set[i] = set[j];
			set[j] = NULL;
			i = j;
		}
	}
	return 1;
}

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);
	if (p && tracking)
		set_put(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = __real_calloc(n, size);
	if (p && tracking)
		set_put(p);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	int was = p && set_del(p);
	void *q = __real_realloc(p, n);
	if (q && (tracking || was))
		set_put(q);
	else if (!q && was && n)
		set_put(p);   /* on failure the old block stays, and stays tracked */
	return q;
}

void __wrap_free(void *p)
{
	if (p)
		set_del(p);
	__real_free(p);
}

/* ---- die() ---- */

void fuzz_check_message(const char *what, const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;
	if (!*s)
		fuzz_fail("%s: an empty message", what);
	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			fuzz_fail("%s: a message that is not one line of text (byte 0x%02x at %zu): %s",
			    what, *s, (size_t)(s - (const unsigned char *)msg), msg);
}

void fuzz_check_error(const char *what, const char *msg, const char *name)
{
	size_t n = strlen(name);
	/* "NAME: ..." or, for a file of a folder, "NAME/FILE: ..." */
	if (strncmp(msg, name, n) != 0 || (strncmp(msg + n, ": ", 2) != 0 && msg[n] != '/') ||
	    !msg[n + 1] || !msg[n + 2])
		fuzz_fail("%s: an error that does not begin with the input's name: %s", what, msg);
}

static void on_die(int code, const char *msg)
{
	if (!armed)
		fuzz_fail("die(%d) outside an input: %s", code, msg);
	if (code < 0 || code > 31 || !(fuzz_die_codes & 1u << code))
		fuzz_fail("die(%d), an exit code this reader must not end with: %s", code, msg);
	fuzz_check_message("die", msg);
	longjmp(fuzz_env, 1);
}

void fuzz_start(void)
{
	if (set_n)
		fuzz_fail("internal: %zu allocations tracked before an input", set_n);
	armed = tracking = 1;
	fuzz_die_codes = 1u << HCR_EXIT_DATA;
}

void fuzz_end(void)
{
	size_t k;
	armed = tracking = 0;
	if (!set_n)
		return;
#if FUZZ_ASAN
	/* forgotten, so that LeakSanitizer sees them unreachable and says where they came from */
	for (k = 0; k < set_cap; k++)
		set[k] = NULL;
	set_n = 0;
#else
	(void)k;
	fuzz_fail("%zu allocations of the library leaked on a normal return", set_n);
#endif
}

void fuzz_release(void)
{
	size_t k;
	armed = tracking = 0;
	for (k = 0; k < set_cap; k++)
		if (set[k]) {
			__real_free(set[k]);
			set[k] = NULL;
		}
	set_n = 0;
}

void fuzz_release_in(struct hs_in *in)
{
	if (in)
		hs_in_close(in);
	fuzz_release();
}

void fuzz_release_file(FILE *fp)
{
	if (fp)
		fclose(fp);
	fuzz_release();
}

/* ---- inputs as files ---- */

static int in_fd = -1;
static char in_path[64];
static char dir_path[256];

const char *fuzz_path(const uint8_t *data, size_t size)
{
	size_t done = 0;
	if (ftruncate(in_fd, 0) != 0)
		fuzz_fail("ftruncate: %s", strerror(errno));
	while (done < size) {
		ssize_t n = pwrite(in_fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			fuzz_fail("pwrite: %s", strerror(errno));
		done += (size_t)n;
	}
	return in_path;
}

FILE *fuzz_file(const uint8_t *data, size_t size)
{
	FILE *fp = fopen(fuzz_path(data, size), "rb");
	if (!fp)
		fuzz_fail("%s: %s", in_path, strerror(errno));
	return fp;
}

static void remove_dir_files(void)
{
	DIR *d = opendir(dir_path);
	struct dirent *de;
	char p[512];
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", dir_path, de->d_name);
			unlink(p);
		}
	closedir(d);
}

static void remove_dir(void)
{
	remove_dir_files();
	rmdir(dir_path);
}

const char *fuzz_dir(void)
{
	if (!dir_path[0]) {
		const char *t = getenv("TMPDIR");
		struct stat st;
		if (!t || !*t)
			t = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
		snprintf(dir_path, sizeof dir_path, "%s/hcr-fuzz-XXXXXX", t);
		if (!mkdtemp(dir_path))
			fuzz_fail("mkdtemp %s: %s", dir_path, strerror(errno));
		atexit(remove_dir);
	}
	remove_dir_files();
	return dir_path;
}

void fuzz_write_file(const char *dir, const char *name, const void *data, size_t size)
{
	char p[512];
	FILE *fp;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	fp = fopen(p, "wb");
	if (!fp || (size && fwrite(data, size, 1, fp) != 1) || fclose(fp) != 0)
		fuzz_fail("%s: cannot write", p);
}

void fuzz_out_rewind(void)
{
	fflush(stdout);
	if (ftruncate(STDOUT_FILENO, 0) != 0 || lseek(STDOUT_FILENO, 0, SEEK_SET) != 0)
		fuzz_fail("rewinding standard output: %s", strerror(errno));
}

const char *fuzz_out_path(void)
{
	return "/proc/self/fd/1";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;
	(void)argc;
	(void)argv;
	hcr_tool.name = "fuzz";
	/* small stream buffers: a few bytes of input refill and grow them */
	hs_buffer_bytes = 64;
	hcr_die_hook = on_die;
	in_fd = memfd_create("fuzz-input", 0);
	if (in_fd < 0)
		fuzz_fail("memfd_create: %s", strerror(errno));
	snprintf(in_path, sizeof in_path, "/proc/self/fd/%d", in_fd);
	/* standard output is a memory file too, so that what a harness writes can be read back */
	fd = memfd_create("fuzz-output", 0);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		fuzz_fail("standard output as a memory file: %s", strerror(errno));
	close(fd);
	return 0;
}
