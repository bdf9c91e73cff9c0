/* model.h: the model section: what train-mtl learned, as score-frontdoor needs it.
 * Reading it takes no part of training. */
#ifndef HCR_MODEL_H
#define HCR_MODEL_H

#include <stdint.h>

#include "common/stream.h"
#include "rank/repset.h"

struct train_config;
struct train_data;
struct train_result;

struct model {
	char label[64];
	char method[32];
	char backbone[16];
	char default_rule[32];
	int best_epoch;
	struct repset rs;    /* what the rules score with */
};

/* Writes the model section of a training run. */
void model_write(struct hs_out *out, const struct train_config *cfg,
    const struct train_data *data, const struct train_result *res, const char *label);
/* Reads a model section whose header was just read; checks its sizes against the
 * vocabulary (nu, ni) and that every value is finite. */
void model_read(struct hs_in *in, const struct hs_section *sec, int64_t nu, int64_t ni,
    struct model *m);
void model_free(struct model *m);

#endif
