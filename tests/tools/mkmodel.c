/* mkmodel: copies a stream holding a vocab and appends a model section whose
 * representations are given rather than trained, standing in for train-mtl in the
 * tests and the scoring benchmark.
 *   mkmodel METHOD DIM SD [LABEL]     entries drawn normal with sd SD (a fixed seed)
 *   mkmodel METHOD DIM @FILE [LABEL]  the numbers of FILE (blank-separated, # comments),
 *                                     for each tower and group the method scores with
 *                                     (tower 1 z, e, c, then tower 2 ...), the users'
 *                                     rows then the items'
 * Reads standard input, writes standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ingest/dataset.h"
#include "train/methods/methods.h"
#include "train/model.h"
#include "train/train.h"

/* The next number of fp, skipping blanks and # comments. */
static float next_number(FILE *fp, const char *path)
{
	float v;
	int c;
	for (;;) {
		if (fscanf(fp, " %f", &v) == 1)
			return v;
		c = fgetc(fp);
		if (c == '#') {
			while ((c = fgetc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		die(HCR_EXIT_DATA, "%s: expected more numbers", path);
	}
}

int main(int argc, char **argv)
{
	struct train_config cfg;
	struct train_data data;
	struct train_result res;
	struct dataset ds;
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	struct rng r;
	const struct method *m;
	FILE *fp = NULL;
	double sd = 0;
	int k, g;

	tool_init("mkmodel", argc, argv);
	if (argc < 4 || argc > 5 || !(m = method_find(argv[1])))
		die(HCR_EXIT_USAGE, "usage: mkmodel METHOD DIM SD|@FILE [LABEL] < stream");
	if (argv[3][0] == '@') {
		fp = fopen(argv[3] + 1, "r");
		if (!fp)
			die(HCR_EXIT_IO, "%s: cannot open", argv[3] + 1);
	} else {
		sd = opt_double("SD", argv[3], 0, 1e3);
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.method = m;
	cfg.bb.kind = BB_MF;
	cfg.bb.dim = (int)opt_long("DIM", argv[2], 1, 4096);
	in = hs_in_open("-");
	out = hs_out_open("-");
	hs_in_tee(in, out, NULL, NULL);
	dataset_init(&ds);
	while (hs_next_section(in, &sec))
		dataset_take(in, &sec, &ds);
	if (!ds.have_vocab)
		hs_missing(in, "vocab", NULL);
	memset(&data, 0, sizeof data);
	data.nu = ds.users.n;
	data.ni = ds.items.n;
	cfg.heads = heads_default;
	memset(&res, 0, sizeof res);
	res.rs.towers = m->towers;
	res.rs.nu = data.nu;
	res.rs.ni = data.ni;
	res.rs.dim = cfg.bb.dim;
	res.rs.heads = cfg.heads;
	res.stopped = "given";
	rng_init(&r, 1, 0);
	for (k = 0; k < m->towers; k++)
		for (g = 0; g < GROUP_COUNT; g++) {
			size_t n = (size_t)(data.nu + data.ni) * (size_t)res.rs.dim, i;
			if (!(method_groups(&cfg, k) & (1u << g)))
				continue;
			res.rs.rep[k][g] = xmalloc(n * sizeof(float));
			for (i = 0; i < n; i++)
				res.rs.rep[k][g][i] = fp ? next_number(fp, argv[3] + 1)
				                         : (float)(sd * rng_normal(&r));
		}
	model_write(out, &cfg, &data, &res, argc == 5 ? argv[4] : m->name);
	hs_in_close(in);
	hs_out_close(out);
	if (fp)
		fclose(fp);
	repset_free(&res.rs);
	dataset_free(&ds);
	return 0;
}
