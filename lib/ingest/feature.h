/* feature.h: an item modality in memory and on the stream (the `feature` section).
 * (Not features.h: with -Ilib that name would shadow glibc's <features.h>.) */
#ifndef HCR_FEATURE_H
#define HCR_FEATURE_H

#include <stdint.h>

#include "common/csr.h"
#include "common/stream.h"
#include "ingest/dataset.h"

/* Roles (method.md §1): seen before the click, or after it. */
enum { FEAT_EXPOSURE = 0, FEAT_CONTENT = 1 };
/* Kinds: a dense vector per item, or a sparse bag of ids for the model to embed. */
enum { FEAT_DENSE = 0, FEAT_BAG = 1 };

#define FEAT_NAME_MAX 31

/* What loading saw, kept in the section's meta and shown by -v. */
struct feat_counts {
	int64_t rows;        /* data rows (lines, files) read */
	int64_t empty;       /* rows with an empty vector or bag: as if absent */
	int64_t shortv;      /* rows with a vector of another length, skipped (--skip-short) */
	int64_t unknown;     /* rows whose item is not in the vocabulary: skipped */
	int64_t duplicates;  /* further rows of an item already given: skipped */
	int64_t missing;     /* items of the vocabulary with no row: zeros or an empty bag */
};

struct feature {
	char name[FEAT_NAME_MAX + 1];
	int role, kind;
	int64_t items;               /* rows, aligned to the item vocabulary */
	/* dense */
	int64_t dim;
	float *x;                    /* items x dim, row-major */
	int standardized;
	float *mean, *std;           /* dim each, when standardized: x = (raw - mean) / std */
	/* bag */
	int64_t vocab;               /* number of distinct ids */
	struct csr bag;              /* items x vocab, ids ascending and distinct per item */
	float *weights;              /* one per bag entry, finite and positive */
	char **tokens;               /* vocab strings naming the ids, or NULL */
	/* provenance */
	char *source;                /* the file read */
	char *format;                /* csv, tsv, jsonl, npy */
	char *column;                /* the value column or field ("" for none) */
	char *values;                /* how values were read: dense, words, multi, decade, category */
	struct feat_counts n;
};

const char *feat_role_name(int role);
const char *feat_kind_name(int kind);
/* -1 if s names no role. */
int feat_role_parse(const char *s, size_t len);
/* 1 if s is a usable modality name: 1 to 31 of [A-Za-z0-9_.-]. */
int feat_name_ok(const char *s, size_t len);

void feature_init(struct feature *f);
void feature_free(struct feature *f);

/* Per-column standardisation over the items that have a row (have[i] != 0): x becomes
 * (x - mean) / std, rows without data stay 0 (the mean); a constant column's std is
 * recorded as 1.  Means and deviations are computed in double precision. */
void feature_standardize(struct feature *f, const uint8_t *have);

/* Appends f as a `feature` section. */
void feature_write(struct hs_out *out, const struct feature *f);
/* Reads the feature section whose header was just read, for a vocab of `items` items,
 * checking what a trainer relies on: alignment, finite values, ids in range and in
 * order, positive weights.  Dies with HCR_EXIT_DATA naming the place. */
void feature_read(struct hs_in *in, const struct hs_section *sec, int64_t items,
    struct feature *f);

/* The modalities of a stream in order of appearance; a later section of the same name
 * replaces an earlier one in its place. */
struct feature_set {
	struct feature *f;
	int n, cap;
};
void feature_set_init(struct feature_set *fs);
void feature_set_free(struct feature_set *fs);
/* If sec is a feature section, reads it (against d's vocab, which must come first)
 * into fs and returns 1; else 0.  Call it in the loop over sections. */
int feature_take(struct hs_in *in, const struct hs_section *sec, const struct dataset *d,
    struct feature_set *fs);
/* The modality named name, or NULL. */
const struct feature *feature_find(const struct feature_set *fs, const char *name);

#endif
