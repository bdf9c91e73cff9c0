/* fuzz.h: what the harnesses of tests/fuzz share.  A harness defines
 * LLVMFuzzerTestOneInput; it is linked with libFuzzer (make fuzz) or with replay.c,
 * which runs the committed corpus through it in make check.
 *
 * The library's readers end on bad input by die(); a harness runs them inside
 *
 *	if (FUZZ_TRY()) { ...read...; free what was read; fuzz_end(); }
 *	else { close what the library did not allocate (FILEs, an hs_in); fuzz_release(); }
 *
 * (fuzz_release_in and fuzz_release_file do both for a harness with one input.)
 *
 * die() returns to the else branch by longjmp, after checking that the input was
 * refused as bad data (any other exit code, or a message that is not one line of
 * text, aborts: a crash for the fuzzer).  The library's malloc, calloc, realloc and
 * free are wrapped at link time (-Wl,--wrap), so that fuzz_release can free what a
 * die() stranded, and fuzz_end can tell a leak on a normal return.
 * Variables set inside the try and used in the else branch must be volatile.
 */
#ifndef HCR_FUZZ_H
#define HCR_FUZZ_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

extern jmp_buf fuzz_env;

/* Exit codes a die() may end an input with (a bit per code); HCR_EXIT_DATA by default,
 * 0 for readers that report errors by return value and must never die. */
extern unsigned fuzz_die_codes;

#define FUZZ_TRY() (fuzz_start(), setjmp(fuzz_env) == 0)
void fuzz_start(void);
/* An input ended normally: everything the library allocated for it must be freed. */
void fuzz_end(void);
/* An input ended by die(): frees what the library allocated for it. */
void fuzz_release(void);
/* The same after closing the harness's input, an hs_in or a FILE (NULL: none yet). */
struct hs_in;
void fuzz_release_in(struct hs_in *in);
void fuzz_release_file(FILE *fp);

/* Aborts with a message: an input broke a promise a reader makes. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Checks what die() would print: one line of printable text. */
void fuzz_check_message(const char *what, const char *msg);
/* Checks an error a reader returns: it names the input (begins with name). */
void fuzz_check_error(const char *what, const char *msg, const char *name);

/* The input as a path to a file holding exactly those bytes (one memfd, rewritten). */
const char *fuzz_path(const uint8_t *data, size_t size);
/* The input as a FILE to read (close it with fclose). */
FILE *fuzz_file(const uint8_t *data, size_t size);
/* A folder of the harness's own, emptied on each call (for readers of folders). */
const char *fuzz_dir(void);
/* Writes size bytes to dir/name. */
void fuzz_write_file(const char *dir, const char *name, const void *data, size_t size);

/* Standard output is a memory file: emptied here, and named by a path to read it back. */
void fuzz_out_rewind(void);
const char *fuzz_out_path(void);

#endif
