/* fuzz_model: the model section reader (lib/train/model.c), as score-frontdoor loads what
 * train-mtl wrote: each model section against the vocabulary before it, and then
 * every representation and extra array it kept, read whole and finite. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "ingest/dataset.h"
#include "train/model.h"

static volatile float sink;

static void touch(const float *v, size_t n)
{
	size_t k;
	float s = 0;
	for (k = 0; k < n; k++) {
		if (!isfinite(v[k]))
			fuzz_fail("a model value that is not finite");
		s += v[k];
	}
	sink += s;
}

static void check(const struct model *m, int64_t nu, int64_t ni)
{
	const struct repset *rs = &m->rs;
	int k, g;
	if (rs->nu != nu || rs->ni != ni || rs->dim < 1 || rs->towers < 1 ||
	    rs->towers > REPSET_MAX_TOWERS || rs->nextra > REPSET_MAX_EXTRA ||
	    (rs->heads.h1_tower != 1 && rs->heads.h1_tower != 2))
		fuzz_fail("a model read with sizes it does not hold");
	for (k = 0; k < REPSET_MAX_TOWERS; k++)
		for (g = 0; g < GROUP_COUNT; g++)
			if (rs->rep[k][g])
				touch(rs->rep[k][g], (size_t)(nu + ni) * (size_t)rs->dim);
	for (k = 0; k < rs->nextra; k++)
		touch(rs->extra[k].data, (size_t)rs->extra[k].rows * (size_t)rs->extra[k].cols);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_in *volatile in = NULL;
	struct hs_section sec;
	struct dataset d;
	struct model m;

	if (FUZZ_TRY()) {
		dataset_init(&d);
		in = hs_in_open(fuzz_path(data, size));
		while (hs_next_section(in, &sec)) {
			if (strcmp(sec.name, "vocab") == 0) {
				dataset_take(in, &sec, &d);
			} else if (strcmp(sec.name, "model") == 0) {
				model_read(in, &sec, d.users.n, d.items.n, &m);
				check(&m, d.users.n, d.items.n);
				model_free(&m);
			}
		}
		hs_in_close(in);
		in = NULL;
		dataset_free(&d);
		fuzz_end();
	} else {
		fuzz_release_in(in);
	}
	return 0;
}
