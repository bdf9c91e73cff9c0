/* roundtrip.h: what a reader accepted, written by the library's writer and read back by
 * the same reader, must come back equal; any die() on the way back is a failure, since
 * the library then refuses its own output.  Inside FUZZ_TRY only. */
#ifndef HCR_FUZZ_ROUNDTRIP_H
#define HCR_FUZZ_ROUNDTRIP_H

#include "common/loaderr.h"
#include "ingest/clicklog.h"
#include "ingest/dataset.h"
#include "ingest/feature.h"
#include "ingest/graph.h"

/* Any of d (its vocab and split, if it has them), gs and fs may be NULL. */
void rt_stream(const struct dataset *d, const struct graph_set *gs,
    const struct feature_set *fs);
void rt_feature(const struct feature *f);

/* Dies through fuzz_fail unless the parts are equal (what names the place). */
void rt_vocab_eq(const char *what, const struct vocab *a, const struct vocab *b);
void rt_split_eq(const struct split *a, const struct split *b);
void rt_graph_eq(const struct graph *a, const struct graph *b);
void rt_feature_eq(const struct feature *a, const struct feature *b);

/* Touches every element a structure claims to hold, so that a claim larger than its
 * memory shows as an overflow, and checks the invariants its reader promises. */
void rt_check_graph(const struct graph *g);
void rt_check_feature(const struct feature *f);
void rt_check_split(const struct split *s, int64_t users, int64_t items);

/* After log_read of an input named "mem" into log: 1 when it refused the input (as
 * a data or usage error naming it; log freed and the input ended), else 0 after
 * checking that every click names ids of the vocabularies. */
int rt_log_refused(int rc, const struct load_error *err, struct clicklog *log);
/* The split s made of log, checked, written with the log's vocabularies as
 * split-chrono writes them and read back equal; frees s and log and ends the input. */
void rt_log_split(struct split *s, struct clicklog *log);

#endif
