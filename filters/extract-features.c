/* extract-features: appends one feature section per item modality file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "ingest/featload.h"

static const char usage[] =
    "extract-features [-v] -m NAME:ROLE[:VALUES][@COLUMN]=FILE ... [--item-column COL]\n"
    "        [--separator C] [--na TEXT] [--dim D] [--skip-short] [--standardize]\n"
    "        [-o FILE] [STREAM]\n";

enum { OPT_ITEM_COLUMN = CLI_FIRST_TOOL_OPTION, OPT_SEPARATOR, OPT_NA, OPT_DIM,
	OPT_SKIP_SHORT, OPT_STANDARDIZE };

struct specs {
	struct feat_spec *s;
	int n, cap;
};

/* Drops the feature sections of the names this run writes anew. */
static int keep_section(const struct hs_section *sec, void *arg)
{
	const struct specs *sp = arg;
	const msgpack_object *name;
	int k;
	if (strcmp(sec->name, "feature") != 0)
		return 1;
	name = hs_get(sec->meta, "name");
	for (k = 0; name && k < sp->n; k++)
		if (hs_str_eq(name, sp->s[k].name))
			return 0;
	return 1;
}

static void report(const struct feature *f)
{
	char shape[48];
	if (f->kind == FEAT_DENSE)
		snprintf(shape, sizeof shape, "dense %lld-d", (long long)f->dim);
	else
		snprintf(shape, sizeof shape, "bag of %lld ids", (long long)f->vocab);
	verbose("%s (%s, %s%s) from %s (%s%s%s): %lld rows; %lld of %lld items have a row, "
	    "%lld missing; %lld empty, %lld short, %lld unknown, %lld duplicates", f->name,
	    feat_role_name(f->role), shape, f->standardized ? ", standardized" : "", f->source,
	    f->format, f->column[0] ? ", " : "", f->column, (long long)f->n.rows,
	    (long long)(f->items - f->n.missing), (long long)f->items, (long long)f->n.missing,
	    (long long)f->n.empty, (long long)f->n.shortv, (long long)f->n.unknown,
	    (long long)f->n.duplicates);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'm', "modality", "NAME:ROLE[:VALUES][@COLUMN]=FILE",
	    "a modality (ROLE exposure or content) from FILE" },
	{ OPT_ITEM_COLUMN, "item-column", "COL", "the item id's column or key, by name or number" },
	{ OPT_SEPARATOR, "separator", "C", "between the labels of a multi field (default |)" },
	{ OPT_NA, "na", "TEXT", "the marker of a missing value (default NA)" },
	{ OPT_DIM, "dim", "D", "the length every vector must have" },
	{ OPT_SKIP_SHORT, "skip-short", NULL, "skip vectors of another length, not fail" },
	{ OPT_STANDARDIZE, "standardize", NULL, "standardise each column of a dense modality" },
	CLI_OPTION_OUTPUT,
	{ 'v', "verbose", NULL, "each modality's shape and counts on stderr" },
	{ 'j', "threads", "N", "accepted; loading uses one thread" },
	CLI_OPTION_NO_PROGRESS,
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct specs sp = { NULL, 0, 0 };
	struct feat_spec shared;
	struct load_error e;
	const char *output = NULL, *input = "-";
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	struct dataset d;
	int c, k, j;

	tool_init("extract-features", argc, argv);
	memset(&shared, 0, sizeof shared);
	shared.separator = '|';
	shared.na = "NA";
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'm':
			if (sp.n == sp.cap) {
				sp.cap = sp.cap ? 2 * sp.cap : 4;
				sp.s = xreallocarray(sp.s, (size_t)sp.cap, sizeof *sp.s);
			}
			if (feat_spec_parse(optarg, &sp.s[sp.n], &e) != 0)
				cli_usage_error(usage, "%s", e.msg);
			for (j = 0; j < sp.n; j++)
				if (strcmp(sp.s[j].name, sp.s[sp.n].name) == 0)
					cli_usage_error(usage, "-m: the name '%s' is given twice",
					    sp.s[j].name);
			sp.n++;
			break;
		case OPT_ITEM_COLUMN:
			if (!optarg[0])
				cli_usage_error(usage, "--item-column: expected a name or a number");
			shared.item_column = optarg;
			break;
		case OPT_SEPARATOR:
			if (strlen(optarg) != 1)
				cli_usage_error(usage, "--separator: expected one character, got '%s'",
				    optarg);
			shared.separator = optarg[0];
			break;
		case OPT_NA: shared.na = optarg; break;
		case OPT_DIM: shared.dim = opt_long("--dim", optarg, 1, 1L << 24); break;
		case OPT_SKIP_SHORT: shared.skip_short = 1; break;
		case OPT_STANDARDIZE: shared.standardize = 1; break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (sp.n == 0)
		cli_usage_error(usage, "no modality: give at least one -m");
	if (argc - optind > 1)
		cli_usage_error(usage, "one input stream at most, got %d", argc - optind);
	if (optind < argc)
		input = argv[optind];
	for (k = 0; k < sp.n; k++) {
		struct stat st;
		sp.s[k].item_column = shared.item_column;
		sp.s[k].separator = shared.separator;
		sp.s[k].na = shared.na;
		sp.s[k].dim = shared.dim;
		sp.s[k].skip_short = shared.skip_short;
		sp.s[k].standardize = shared.standardize;
		/* a file that is not there fails before any output is written */
		if (stat(sp.s[k].path, &st) != 0)
			die(HCR_EXIT_IO, "%s: cannot open: %s", sp.s[k].path, strerror(errno));
	}

	in = hs_in_open(input);
	out = hs_out_open(output);
	hs_in_tee(in, out, keep_section, &sp);
	dataset_init(&d);
	while (hs_next_section(in, &sec))
		if (strcmp(sec.name, "vocab") == 0)
			dataset_take(in, &sec, &d);
	if (!d.have_vocab)
		hs_missing(in, "vocab", "expected a stream from split-chrono");
	for (k = 0; k < sp.n; k++) {
		struct feature f;
		if (feature_load(&sp.s[k], &d.items, &f, &e) != 0)
			die(e.code, "%s", e.msg);
		report(&f);
		feature_write(out, &f);
		feature_free(&f);
		feat_spec_free(&sp.s[k]);
	}
	hs_in_close(in);
	hs_out_close(out);
	dataset_free(&d);
	free(sp.s);
	return HCR_EXIT_OK;
}
