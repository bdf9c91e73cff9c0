/* util.c: errors, memory, numbers, atomic outputs, shared by every tool. */
#include "common/util.h"


#include <cblas.h>
#undef I
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct hcr_tool hcr_tool = { "hcr", 0, NULL, -1, 1, 0, 0 };

/* The -o file being written, removed on error or signal; a static buffer so the
 * signal handler needs nothing but unlink. */
static char tmp_path[4096];
static char final_path[4096];
static FILE *tmp_fp;
static FILE *direct_fp;   /* an -o that is not a regular file: /dev/null, a FIFO */

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
	tmp_path[0] = '\0';
}

static void on_signal(int sig)
{
	if (tmp_path[0])
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* OpenBLAS 0.3.21 falls back to its slowest kernel, Prescott, on processors it does
 * not recognise, though they run the Haswell kernel (AVX2 and FMA) correctly and
 * twice as fast, and the SkylakeX one (AVX-512) where they have AVX-512, faster
 * still (sgemm of training's shapes: 50-60 against 65-100 GFLOP/s on one core
 * of this machine, the same results to float rounding).  When nobody chose a
 * kernel, choose the best of those and start again, so the choice is made before
 * OpenBLAS loads; the stream headers record it.  Setting OPENBLAS_CORETYPE (any
 * value) or HCR_KEEP_BLAS_CORE keeps OpenBLAS's own pick. */
static void pick_blas_kernel(char **argv)
{
	const char *core;
	if (getenv("OPENBLAS_CORETYPE") || getenv("HCR_KEEP_BLAS_CORE") || !argv)
		return;
	if (strcmp(openblas_get_corename(), "Prescott") != 0)
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return;
	/* the instruction sets OpenBLAS's SkylakeX kernels are built for */
	core = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
	    __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl") ? "SkylakeX" : "Haswell";
	setenv("OPENBLAS_CORETYPE", core, 1);
	execv("/proc/self/exe", argv);
	unsetenv("OPENBLAS_CORETYPE"); /* no exec: carry on with the slow kernel */
}

void tool_init(const char *name, int argc, char **argv)
{
	pick_blas_kernel(argv);
	hcr_tool.name = name;
	hcr_tool.argc = argc > 0 ? argc - 1 : 0;
	hcr_tool.argv = argc > 0 ? argv + 1 : argv;
	hcr_tool.progress = isatty(STDERR_FILENO);
	/* One BLAS thread unless -j: six filters in a pipe must not each take every core. */
	openblas_set_num_threads(1);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

void tool_set_threads(int n)
{
	hcr_tool.threads = n < 1 ? 1 : n;
	openblas_set_num_threads(hcr_tool.threads);
}

/* Formats a message as one line: it may quote input bytes, and a control byte among
 * them must neither break the line nor drive the terminal. */
static void vformat(char *out, size_t n, const char *fmt, va_list ap)
{
	char msg[4096];
	size_t i, k = 0;
	vsnprintf(msg, sizeof msg, fmt, ap);
	for (i = 0; msg[i] && k + 5 < n; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c == '\t' || c == '\n')
			out[k++] = '\\', out[k++] = c == '\t' ? 't' : 'n';
		else if (c < 0x20 || c == 0x7f)
			k += (size_t)snprintf(out + k, n - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	out[k] = '\0';
}

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char line[8192];
	vformat(line, sizeof line, fmt, ap);
	fflush(stdout);
	/* above a progress line a terminal shows in place, which comes back below */
	if (hcr_stderr_around)
		hcr_stderr_around(0);
	fprintf(stderr, "%s: %s%s\n", hcr_tool.name, prefix, line);
	if (hcr_stderr_around)
		hcr_stderr_around(1);
}

void (*hcr_stderr_around)(int after);

void (*hcr_die_hook)(int code, const char *msg);

void die(int code, const char *fmt, ...)
{
	va_list ap;
	if (hcr_die_hook) {
		char line[8192];
		va_start(ap, fmt);
		vformat(line, sizeof line, fmt, ap);
		va_end(ap);
		hcr_die_hook(code, line);
	}
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	remove_tmp();
	exit(code);
}

void warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void verbose(const char *fmt, ...)
{
	va_list ap;
	if (!hcr_tool.verbose)
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void progress(const char *fmt, ...)
{
	va_list ap;
	if (!hcr_tool.progress)
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void die_write(const char *what, int err)
{
	if (err == EPIPE) {
		/* The reader went away: end as a killed pipe writer does, silently. */
		remove_tmp();
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(HCR_EXIT_IO);
	}
	die(HCR_EXIT_IO, "%s: write error: %s", what, strerror(err ? err : EIO));
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(HCR_EXIT_FAIL, "out of memory (asked for %zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die(HCR_EXIT_FAIL, "out of memory (asked for %zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(HCR_EXIT_FAIL, "out of memory (asked for %zu bytes)", n);
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die(HCR_EXIT_FAIL, "out of memory (%zu x %zu bytes overflows)", n, size);
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c;
	if (need <= *cap)
		return;
	c = *cap ? *cap : 16;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	*p = xreallocarray(*p, c, size);
	*cap = c;
}

int parse_double(const char *s, size_t len, double *out)
{
	char buf[64], *end;
	double v;
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* strtod skips leading blanks and reads "nan" and "inf"; neither is a number here. */
	if (buf[0] == ' ' || buf[0] == '\t' || buf[0] == '\n' || buf[0] == '\r')
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (end != buf + len || !isfinite(v))
		return -1;
	if (errno == ERANGE && fabs(v) > 1.0)
		return -1;
	*out = v;
	return 0;
}

int parse_i64(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	int neg = 0;
	if (len == 0)
		return -1;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		if (++i == len)
			return -1;
	}
	for (; i < len; i++) {
		int d = s[i] - '0';
		if (d < 0 || d > 9)
			return -1;
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 0;
}

long opt_long(const char *opt, const char *arg, long min, long max)
{
	int64_t v;
	if (parse_i64(arg, strlen(arg), &v) != 0 || v < min || v > max)
		die(HCR_EXIT_USAGE, "%s: expected a whole number from %ld to %ld, got '%s'",
		    opt, min, max, arg);
	return (long)v;
}

double opt_double(const char *opt, const char *arg, double min, double max)
{
	double v;
	if (parse_double(arg, strlen(arg), &v) != 0 || v < min || v > max)
		die(HCR_EXIT_USAGE, "%s: expected a number from %g to %g, got '%s'", opt, min,
		    max, arg);
	return v;
}

FILE *out_open(const char *path, int binary)
{
	int fd;
	if (!path || strcmp(path, "-") == 0) {
		if (binary && isatty(STDOUT_FILENO))
			die(HCR_EXIT_USAGE,
			    "refusing to write a binary stream to a terminal; pipe it, redirect it, "
			    "or give -o FILE");
		return stdout;
	}
	if (tmp_fp || direct_fp)
		die(HCR_EXIT_FAIL, "internal: a second -o output is open");
	{
		/* Renaming a finished file over a device or a FIFO would replace it (as root,
		 * even /dev/null): write such outputs in place. */
		struct stat st;
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			if (S_ISDIR(st.st_mode))
				die(HCR_EXIT_IO, "%s: is a directory", path);
			direct_fp = fopen(path, "wb");
			if (!direct_fp)
				die(HCR_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
			snprintf(final_path, sizeof final_path, "%s", path);
			return direct_fp;
		}
	}
	if (strlen(path) + 16 > sizeof tmp_path)
		die(HCR_EXIT_USAGE, "%s: path too long", path);
	strcpy(final_path, path);
	{
		/* The temporary file goes beside the target so that rename is atomic. */
		const char *slash = strrchr(path, '/');
		size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
		snprintf(tmp_path, sizeof tmp_path, "%.*s.%s.tmpXXXXXX", (int)dir, path,
		    path + dir);
	}
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		int e = errno;
		tmp_path[0] = '\0';
		die(HCR_EXIT_IO, "%s: cannot create: %s", path, strerror(e));
	}
	fchmod(fd, 0644);
	tmp_fp = fdopen(fd, "wb");
	if (!tmp_fp)
		die(HCR_EXIT_IO, "%s: %s", path, strerror(errno));
	return tmp_fp;
}

void out_close(FILE *fp)
{
	if (fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			die_write("standard output", errno);
		return;
	}
	if (fp && fp == direct_fp) {
		direct_fp = NULL;
		if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0)
			die_write(final_path, errno);
		return;
	}
	if (fp != tmp_fp)
		die(HCR_EXIT_FAIL, "internal: out_close of a file out_open did not open");
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		tmp_fp = NULL;
		die(HCR_EXIT_IO, "%s: write error: %s", final_path, strerror(errno ? errno : EIO));
	}
	tmp_fp = NULL;
	if (rename(tmp_path, final_path) != 0)
		die(HCR_EXIT_IO, "%s: cannot rename into place: %s", final_path, strerror(errno));
	tmp_path[0] = '\0';
}

FILE *in_open(const char *path)
{
	FILE *fp;
	if (!path || strcmp(path, "-") == 0)
		return stdin;
	fp = fopen(path, "rb");
	if (!fp)
		die(HCR_EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
	return fp;
}

void in_close(FILE *fp)
{
	if (fp && fp != stdin)
		fclose(fp);
}

const char *in_name(const char *path)
{
	return (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
