/* featspec.h: how an item modality is asked for, NAME:ROLE[:VALUES][@COLUMN]=FILE
 * (extract-features(1)), and the settings every modality of a run shares. */
#ifndef HCR_FEATSPEC_H
#define HCR_FEATSPEC_H

#include <stdint.h>

#include "common/loaderr.h"
#include "ingest/feature.h"

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

const char *feat_values_name(int values);

/* Parses NAME:ROLE[:VALUES][@COLUMN]=FILE into s (strings are copied; the shared
 * settings are left as they are).  0, or -1 with a message in e (HCR_EXIT_USAGE). */
int feat_spec_parse(const char *arg, struct feat_spec *s, struct load_error *e);
void feat_spec_free(struct feat_spec *s);

#endif
