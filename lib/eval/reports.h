/* reports.h: what evaluate writes: text for people, JSON for jq, TSV for plots, and the
 * per-user records. */
#ifndef HCR_REPORTS_H
#define HCR_REPORTS_H

#include <stdio.h>

#include "common/stream.h"
#include "common/vocab.h"
#include "eval/breakdown.h"

/* Text: a table for each breakdown, for people.  JSON: one
 * object, runs by label, then part, then the breakdowns (evaluate(1)).  TSV: one row
 * a number, "run part breakdown group metric k value users", for plots.  Per user: the
 * users' records, as TSV or as an evaluation section. */
void eval_write_text(FILE *fp, const struct eval_result *res);
void eval_write_json(FILE *fp, const struct eval_result *res);
void eval_write_tsv(FILE *fp, const struct eval_result *res);
void eval_write_users_tsv(FILE *fp, const struct eval_result *res, const struct vocab *users,
    const struct eval_data *d);
void eval_write_users(struct hs_out *out, const struct eval_result *res,
    const struct vocab *users, const struct eval_data *d);

#endif
