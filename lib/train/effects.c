/* effects.c: a head's item effects and a column, paired over the items both have. */
#include "train/effects.h"

#include <math.h>
#include <stdlib.h>

#include "common/numeric.h"
#include "common/util.h"

int effects_report(FILE *fp, const char *label, const struct method *m,
    const struct repset *rs, const struct item_columns *c, const uint8_t *keep)
{
	struct method_effect e[METHOD_MAX_EFFECTS];
	double *x = xmalloc(((size_t)rs->ni + 1) * sizeof *x);
	double *y = xmalloc(((size_t)rs->ni + 1) * sizeof *y);
	int ne = method_effects(m, rs, e), h, k, lines = 0;
	for (h = 0; h < ne; h++)
		for (k = 0; k < c->ncols; k++) {
			int64_t i, n = 0;
			for (i = 0; i < rs->ni; i++) {
				double v = c->v[i * c->ncols + k];
				if ((keep && !keep[i]) || isnan(v))
					continue;
				x[n] = e[h].mu[i];
				y[n++] = v;
			}
			fprintf(fp, "%s\t%s\t%s\t%lld\t%.4f\n", label, e[h].name, c->names[k], (long long)n,
			    pearson(x, y, n));
			lines++;
		}
	method_effects_free(e, ne);
	free(x);
	free(y);
	return lines;
}
