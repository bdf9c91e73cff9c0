/* featload.h: loading an item modality from its file into a struct feature.
 *
 * A modality is given as NAME:ROLE[:VALUES][@COLUMN]=FILE (extract-features(1)).  The
 * loaders report errors by return value with the place in the message, never by
 * exiting, so that a fuzzing harness can call them on any input.
 */
#ifndef HCR_FEATLOAD_H
#define HCR_FEATLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/feature.h"
#include "common/lines.h"
#include "common/vocab.h"

/* How a file's values become a modality; FV_AUTO tells dense from a bag by the file. */
enum { FV_AUTO = 0, FV_DENSE, FV_WORDS, FV_MULTI, FV_DECADE, FV_CATEGORY, FV_COUNT };

struct feat_spec {
	char name[FEAT_NAME_MAX + 1];
	int role;                 /* FEAT_EXPOSURE, FEAT_CONTENT */
	int values;               /* FV_* */
	char *column;             /* @COLUMN: a name, or a 1-based number; NULL: default */
	char *path;
	/* settings shared by every modality of a run */
	const char *item_column;  /* a name or a 1-based number; NULL: default */
	char separator;           /* between the labels of a multi-valued field */
	const char *na;           /* the marker of a missing value */
	int64_t dim;              /* the expected vector length; 0: the first vector's */
	int skip_short;           /* a vector of another length is skipped, not an error */
	int standardize;
};

/* A loader's failure: the exit code (HCR_EXIT_DATA, HCR_EXIT_IO, HCR_EXIT_USAGE) and
 * "FILE: line N, column C: expected X, got 'Y'" (or "byte N" in a binary file). */
struct load_error {
	int code;
	char msg[1024];
};

const char *feat_values_name(int values);

/* Parses NAME:ROLE[:VALUES][@COLUMN]=FILE into s (strings are copied; the shared
 * settings are left as they are).  0, or -1 with a message in e (HCR_EXIT_USAGE). */
int feat_spec_parse(const char *arg, struct feat_spec *s, struct load_error *e);
void feat_spec_free(struct feat_spec *s);

/* Loads the modality of s aligned to items: a folder of .npy files, JSON lines, or
 * CSV/TSV, told by the path and the first bytes.  0, or -1 with e filled; f is left
 * empty on failure. */
int feature_load(const struct feat_spec *s, const struct vocab *items, struct feature *f,
    struct load_error *e);

/* The same from an open input named name (not a folder): for tests and fuzzing. */
int feature_load_file(const struct feat_spec *s, FILE *fp, const char *name,
    const struct vocab *items, struct feature *f, struct load_error *e);

#endif
