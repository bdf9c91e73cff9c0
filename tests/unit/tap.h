/* tap.h: the Test Anything Protocol for the C unit tests; tests/run counts the lines. */
#ifndef HCR_TAP_H
#define HCR_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static void tap_ok(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), unused));
static void tap_ok(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", ok ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf("\n#   at %s:%d", file, line);
		tap_failed++;
	}
	putchar('\n');
	fflush(stdout);
}

/* OK(condition, "description", ...) */
#define OK(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* NEAR(got, want, tol, "description"): |got - want| <= tol, and says both on failure. */
#define NEAR(got, want, tol, ...)                                                         \
	do {                                                                              \
		double g_ = (got), w_ = (want), t_ = (tol);                               \
		int ok_ = fabs(g_ - w_) <= t_;                                            \
		tap_ok(ok_, __FILE__, __LINE__, __VA_ARGS__);                             \
		if (!ok_)                                                                 \
			printf("#   got %.17g, want %.17g, tolerance %g\n", g_, w_, t_);   \
	} while (0)

static int tap_done(void) __attribute__((unused));
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
