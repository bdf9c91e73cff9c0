/* loaderr.h: how a reader of outside bytes (a log, a feature file, an outside ranking)
 * fails: an exit code and a message with the place, returned rather than exited, so
 * that a fuzzing harness can call the reader on any input. */
#ifndef HCR_LOADERR_H
#define HCR_LOADERR_H

#include <stddef.h>

#include "common/util.h"

/* code: HCR_EXIT_DATA, HCR_EXIT_IO or HCR_EXIT_USAGE; msg: "FILE: line N, column C:
 * expected X, got 'Y'" (or "byte N" in a binary file). */
struct load_error {
	int code;
	char msg[1024];
};

/* Fills e and returns -1, for `return load_fail(e, ...)`. */
int load_fail(struct load_error *e, int code, const char *fmt, ...) HCR_PRINTF(3, 4);
/* s as a message shows it in "got '...'": tabs, line ends and other control bytes
 * escaped, cut after 40 bytes with "..."; written to buf of n bytes. */
const char *load_shown(const char *s, size_t len, char *buf, size_t n);

#endif
