/* util.h: what every tool shares: exit codes, errors, memory, numbers, output. */
#ifndef HCR_UTIL_H
#define HCR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The exit codes, the same in every tool and listed in every man page. */
enum {
	HCR_EXIT_OK = 0,
	HCR_EXIT_FAIL = 1,    /* internal failure: out of memory, a bug */
	HCR_EXIT_USAGE = 2,   /* bad command line */
	HCR_EXIT_DATA = 3,    /* bad input: malformed, cut, hostile or inconsistent */
	HCR_EXIT_IO = 4,      /* a file cannot be opened, read or written */
	HCR_EXIT_NUMERIC = 5, /* a computation went non-finite (training diverged) */
};

#if defined(__GNUC__)
#define HCR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define HCR_NORETURN __attribute__((noreturn))
#else
#define HCR_PRINTF(a, b)
#define HCR_NORETURN
#endif

/* Provenance of the running tool; stream headers copy it. */
struct hcr_tool {
	const char *name;     /* program name used in messages */
	int argc;
	char **argv;          /* arguments after the program name */
	int64_t seed;         /* -1 when the tool draws no random numbers */
	int threads;          /* 1 unless -j N */
	int verbose;          /* -v */
	int progress;         /* progress lines on stderr: a terminal, or --progress */
};
extern struct hcr_tool hcr_tool;

/* Call first in main(): names the tool, saves argv, pins BLAS to one thread. */
void tool_init(const char *name, int argc, char **argv);
void tool_set_threads(int n);

/* "tool: message" on stderr, cleanup (a half-written -o file is removed), exit. */
HCR_NORETURN void die(int code, const char *fmt, ...) HCR_PRINTF(2, 3);
/* Test-only: when set, die() hands its code and message here instead of printing; the
 * hook must not return (a fuzzing harness longjmps, to try the next input in-process). */
extern void (*hcr_die_hook)(int code, const char *msg);
/* Set by the progress line a terminal shows in place (meter.h): called before (0) and
 * after (1) every message, so that the line is taken off and drawn again below it. */
extern void (*hcr_stderr_around)(int after);
/* "tool: message" on stderr, carry on. */
void warnx(const char *fmt, ...) HCR_PRINTF(1, 2);
/* Progress line on stderr, only when hcr_tool.progress is set. */
void progress(const char *fmt, ...) HCR_PRINTF(1, 2);
/* "tool: message" on stderr when -v was given. */
void verbose(const char *fmt, ...) HCR_PRINTF(1, 2);
/* A write to stdout or a pipe failed: a closed pipe ends us quietly, else dies. */
HCR_NORETURN void die_write(const char *what, int err);

/* Memory: these never return NULL; they die with HCR_EXIT_FAIL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (holding *cap elements of size) to at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
#define XGROW(p, cap, need) xgrow((void **)&(p), &(cap), (need), sizeof *(p))

/* Strict number parsing of a whole field (no blanks, no trailing junk): 0 on
 * success, -1 if not a number; parse_double also rejects NaN and infinities. */
int parse_double(const char *s, size_t len, double *out);
int parse_i64(const char *s, size_t len, int64_t *out);
/* Command-line numbers: die with HCR_EXIT_USAGE naming the option on a bad value. */
long opt_long(const char *opt, const char *arg, long min, long max);
double opt_double(const char *opt, const char *arg, double min, double max);

/* Outputs.  out_open(NULL or "-") is stdout; a path is written to a temporary file
 * beside it and renamed by out_close, so the path appears only when complete and
 * never after an error or a signal.  binary refuses a terminal. */
FILE *out_open(const char *path, int binary);
void out_close(FILE *fp);
/* Inputs: "-" or NULL is stdin; dies with HCR_EXIT_IO naming the file. */
FILE *in_open(const char *path);
void in_close(FILE *fp);
/* The name to use for an input in messages. */
const char *in_name(const char *path);

/* Elapsed wall seconds since an arbitrary origin. */
double now_seconds(void);
/* CPU seconds of the whole process, every thread: unlike wall time, not stretched by
 * other work on a shared machine. */
double cpu_seconds(void);

#endif
