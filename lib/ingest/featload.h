/* featload.h: loading an item modality from its file into a struct feature.
 *
 * A modality is given as NAME:ROLE[:VALUES][@COLUMN]=FILE (extract-features(1)).  The
 * loaders report errors by return value with the place in the message, never by
 * exiting, so that a fuzzing harness can call them on any input.
 */
#ifndef HCR_FEATLOAD_H
#define HCR_FEATLOAD_H

#include <stdio.h>

#include "common/loaderr.h"
#include "common/vocab.h"
#include "ingest/featspec.h"
#include "ingest/feature.h"

/* Loads the modality of s aligned to items: a folder of .npy files, JSON lines, or
 * CSV/TSV, told by the path and the first bytes.  0, or -1 with e filled; f is left
 * empty on failure. */
int feature_load(const struct feat_spec *s, const struct vocab *items, struct feature *f,
    struct load_error *e);

/* The same from an open input named name (not a folder): for tests and fuzzing. */
int feature_load_file(const struct feat_spec *s, FILE *fp, const char *name,
    const struct vocab *items, struct feature *f, struct load_error *e);

/* A one-hot matrix (Coat's NAME.ascii) from an open input, its columns named by the
 * lines of map (the bytes of NAME_map.txt, map_name in messages); items are the
 * matrix's 0-based line numbers.  feature_load reads FILE.ascii so when
 * FILE_map.txt is beside it. */
int feature_load_onehot(const struct feat_spec *s, FILE *fp, const char *name,
    const char *map, size_t map_len, const char *map_name, const struct vocab *items,
    struct feature *f, struct load_error *e);

#endif
