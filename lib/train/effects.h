/* effects.h: where a model's heads put what is alike for every user: each head's item
 * main effect against item columns (a simulator's price and hidden quality, a feature
 * of real data), by Pearson's correlation (score-frontdoor --effects). */
#ifndef HCR_EFFECTS_H
#define HCR_EFFECTS_H

#include <stdint.h>
#include <stdio.h>

#include "rank/outside.h"
#include "rank/repset.h"
#include "train/method.h"

/* Writes a line "label head column items pearson" for every head of the model (m, rs)
 * and every column of c, over the items with a value that are kept (keep[i] nonzero;
 * NULL: every item).  Returns the lines written. */
int effects_report(FILE *fp, const char *label, const struct method *m,
    const struct repset *rs, const struct item_columns *c, const uint8_t *keep);

#endif
