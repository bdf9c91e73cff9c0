/* featrow.h: the rows of a feature file on their way into a struct feature; what the
 * loaders (CSV/TSV, JSON lines, .npy folder) share.  Each loader reads a row's item id
 * and values, checks them, and hands them over here, which keeps the first row of
 * each known item and counts the rest. */
#ifndef HCR_FEATROW_H
#define HCR_FEATROW_H

#include <stddef.h>
#include <stdint.h>

#include "common/lines.h"
#include "common/loaderr.h"
#include "common/vocab.h"
#include "ingest/featspec.h"
#include "ingest/feature.h"

enum { FR_KEPT, FR_EMPTY, FR_UNKNOWN, FR_DUPLICATE };

struct featrow {
	const struct feat_spec *spec;
	const struct vocab *items;
	struct feature *f;
	int values;               /* FV_*, once known */
	uint8_t *have;            /* items: 1 once a row was kept */
	int64_t kept;
	/* dense */
	int64_t dim;              /* 0 until fixed by --dim or the first vector */
	int64_t dim_where;        /* the line (or file number) of that vector */
	float *v;
	size_t nv, vcap;
	/* bag: the row's tokens, then the kept rows' ids and weights */
	char *tt;
	size_t ttlen, ttcap;
	size_t *ts, *tl;
	float *tw;
	size_t nt, tcap;
	struct vocab tokens;
	int32_t *row_item;
	int64_t *row_at;
	size_t nrows, rcap;
	int32_t *ids;
	float *w;
	size_t n, cap;
	void *scratch;
	size_t scratch_cap;
};

void fr_init(struct featrow *r, const struct feat_spec *spec, const struct vocab *items,
    struct feature *f);
/* Fixes how values are read (FV_DENSE ... FV_CATEGORY) once the loader knows it. */
void fr_start(struct featrow *r, int values);
void fr_free(struct featrow *r);

/* A row: clear, add values or tokens, end with its item id. */
void fr_clear(struct featrow *r);
void fr_value(struct featrow *r, float v);
void fr_token(struct featrow *r, const char *s, size_t len, float w);
/* The tokens of one text field under the bag kinds: words, multi, decade, category.
 * 0, or -1 with "expected X, got 'Y'" in msg (a decade's year that is no number). */
int fr_text(struct featrow *r, const char *s, size_t len, char *msg, size_t msgsize);
/* For a dense row: 1 if its length is right (or it is empty, or it is the first and
 * fixes the dimension, at `where`), 0 if not. */
int fr_dense_len_ok(struct featrow *r, int64_t where);
/* Ends the row of item id: FR_KEPT, or why it was not kept (counted). */
int fr_end(struct featrow *r, const char *id, size_t len);

/* Fills r->f (alignment, missing count, standardisation, tokens) and frees the
 * staging.  0, or -1 with e filled (no row for any item). */
int fr_finish(struct featrow *r, const char *name, struct load_error *e);

/* The loaders, one per format (featjson.c, feattab.c, featnpy.c), for featload.c. */
int feat_load_jsonl(struct featrow *r, struct lines *src, const char *name,
    struct load_error *e);
int feat_load_table(struct featrow *r, struct lines *src, const char *name, int tsv,
    struct load_error *e);
int feat_load_npy_dir(struct featrow *r, const char *dir, struct load_error *e);
/* A one-hot matrix (src) whose columns the map's lines name (featonehot.c). */
int feat_load_onehot(struct featrow *r, struct lines *src, const char *name,
    const char *map, size_t map_len, const char *map_name, struct load_error *e);

/* Shared helpers of the loaders. */
/* A strict decimal number that fits a float: 0, or -1. */
int fr_number(const char *s, size_t len, float *out);

#endif
