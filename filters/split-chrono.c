/* split-chrono: an interaction log in, the vocab and split sections out. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "ingest/logformats.h"
#include "ingest/partition.h"

static const char usage[] =
    "split-chrono [-f FORMAT] [-m global|user|loo] [-t FRACTION] [-c ROLE=NAME,...]\n"
    "                    [-d DELIM] [-l THRESHOLD] [--valid-fraction F] [-o FILE] [-v] [FILE]\n"
    "       split-chrono -m given [-f FORMAT] [-c ROLE=NAME,...] [-d DELIM] [-l THRESHOLD]\n"
    "                    [--valid-fraction F] [--valid-from train|test] [--valid-by user|users]\n"
    "                    [--seed S] [-o FILE] [-v] FOLDER | FILE | --train-file FILE\n"
    "                    [--valid-file FILE] --test-file FILE\n";

enum {
	OPT_MODE = CLI_FIRST_TOOL_OPTION, OPT_TRAIN_FILE, OPT_VALID_FILE, OPT_TEST_FILE,
	OPT_VALID_FRACTION, OPT_VALID_FROM, OPT_VALID_BY, OPT_SEED,
};

enum { MAX_FILES = 64 };

/* The files of a given split, each with its part. */
struct given_files {
	const char *path[MAX_FILES];
	int part[MAX_FILES];
	int n;
	char **owned[3];     /* a folder's files, found by log_given_files */
};

static void add_file(struct given_files *g, const char *path, int part)
{
	if (g->n == MAX_FILES)
		cli_usage_error(usage, "more than %d files of parts", MAX_FILES);
	g->path[g->n] = path;
	g->part[g->n++] = part;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Reads every file of a given split into log, each row with its part; the files
 * of a matrix format must have one shape. */
static void read_given(const struct given_files *g, const struct log_opts *lo,
    struct clicklog *log, char *format, size_t size)
{
	struct load_error err;
	int64_t mrows = -1, mcols = -1;
	const char *mfile = NULL;
	int k;
	for (k = 0; k < g->n; k++) {
		struct log_opts o = *lo;
		int64_t rows = log->rows, clicks = log->n, ignored = log->ignored;
		int64_t unclicked = log->unclicked, rand = log->rand_mismatch;
		FILE *in = in_open(g->path[k]);
		o.given = 1;
		o.part = g->part[k];
		o.exposure = 1u << PART_VALID | 1u << PART_TEST;
		/* KuaiRand says in each row whether a random policy showed it */
		if (strncmp(base_name(g->path[k]), "log_random", 10) == 0)
			o.expect_rand = 1;
		else if (strncmp(base_name(g->path[k]), "log_standard", 12) == 0)
			o.expect_rand = 0;
		if (log_read(in, in_name(g->path[k]), &o, log, &err) != 0)
			die(err.code, "%s", err.msg);
		in_close(in);
		if (k == 0)
			snprintf(format, size, "%s", log->format);
		verbose("%s: format %s, part %s: %lld rows read: %lld kept (%lld shown and not "
		    "clicked), %lld neither click nor like%s", in_name(g->path[k]), log->format,
		    o.part == LOG_PART_COLUMN ? "from its column" : o.part == PART_TRAIN ? "train" :
		    o.part == PART_VALID ? "valid" : "test", (long long)(log->rows - rows),
		    (long long)(log->n - clicks), (long long)(log->unclicked - unclicked),
		    (long long)(log->ignored - ignored), log->rand_mismatch > rand ?
		    "; some rows' is_rand disagrees with the file's name" : "");
		if (strcmp(log->format, "coat") != 0)
			continue;
		if (mfile && (log->matrix_rows != mrows || log->matrix_cols != mcols))
			die(HCR_EXIT_DATA, "%s: %lld lines of %lld ratings, where %s has %lld of %lld: "
			    "expected the same users and items in every part", in_name(g->path[k]),
			    (long long)log->matrix_rows, (long long)log->matrix_cols, in_name(mfile),
			    (long long)mrows, (long long)mcols);
		mfile = g->path[k];
		mrows = log->matrix_rows;
		mcols = log->matrix_cols;
	}
	if (log->rand_mismatch > 0)
		warnx("%lld KuaiRand rows have an is_rand that disagrees with their file "
		    "(log_random_* should hold 1, log_standard_* 0): kept as their file says",
		    (long long)log->rand_mismatch);
}

static int is_folder(const char *path)
{
	struct stat st;
	return path && strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --columns user=uid,item=iid,...: each name is copied into names[role], which the
 * caller frees once the log is read. */
static void parse_columns(struct log_opts *o, char *names[LOG_NROLES], const char *arg)
{
	char *s = xstrdup(arg), *tok, *save = NULL;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int role = eq ? log_role_parse(tok, (size_t)(eq - tok)) : -1;
		if (role < 0)
			cli_usage_error(usage, "--columns: expected ROLE=NAME with ROLE one of user, "
			    "item, time, click, like, rating, got '%s'", tok);
		free(names[role]);
		o->column[role] = names[role] = xstrdup(eq + 1);
	}
	free(s);
}

static int parse_delim(const char *arg)
{
	if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
		cli_usage_error(usage, "-d: expected one character (or 'tab'), not a quote or a "
		    "line end, got '%s'", arg);
	return (unsigned char)arg[0];
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'f', "format", "FORMAT", "the input's format (default auto: judged from it)" },
	{ 'm', "mode", "MODE", "global (default), user, loo, or given" },
	{ 't', "train", "FRACTION", "the share of clicks that train (default 0.7)" },
	{ 'c', "columns", "ROLE=NAME,...", "the columns holding user, item, time, ..." },
	{ 'd', "delimiter", "C", "the field delimiter, or 'tab', not the format's" },
	{ 'l', "like-threshold", "T", "a rating of at least T is a like" },
	{ OPT_TRAIN_FILE, "train-file", "FILE", "given: a file of training records (repeatable)" },
	{ OPT_VALID_FILE, "valid-file", "FILE", "given: a file of validation records" },
	{ OPT_TEST_FILE, "test-file", "FILE", "given: a file of test records" },
	{ OPT_VALID_FRACTION, "valid-fraction", "F", "later likes to validation, or given parts' draw" },
	{ OPT_VALID_FROM, "valid-from", "train|test", "the part it is drawn from (default train)" },
	{ OPT_VALID_BY, "valid-by", "user|users", "drawn in each user, or whole users" },
	{ OPT_SEED, "seed", "S", "the draw's seed (default 1)" },
	CLI_OPTION_OUTPUT,
	{ 'v', "verbose", NULL, "a summary of the log and the split on stderr" },
	{ CLI_PROGRESS, "progress", NULL, "rows read so far (default on a terminal)" },
	{ 'j', "threads", "N", "accepted; reading uses one thread" },
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct log_opts lo;
	struct chrono_opts co = { .mode = CHRONO_GLOBAL, .num = 7, .den = 10, .valid_from = PART_TRAIN,
		.vnum = 1, .vden = 10, .lnum = 1, .lden = 2, .seed = 1 };
	struct chrono_counts counts;
	struct load_error err;
	struct clicklog log;
	struct split s;
	struct hs_out *out;
	struct given_files gf;
	const char *output = NULL, *input;
	char *names[LOG_NROLES] = { NULL }, like_rule[96], format[32];
	int c, k, train_given = 0, mode_given = 0, valid_opts = 0, seed_given = 0, vfrac = 0;
	FILE *in;

	tool_init("split-chrono", argc, argv);
	log_opts_init(&lo);
	memset(&gf, 0, sizeof gf);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'f':
			if ((int)(lo.format = log_format_parse(optarg)) < 0)
				cli_usage_error(usage, "--format: expected auto, csv, tsv, recbole, "
				    "ratings, uirt, tiktok, kwai, taobao, userbehavior, retailrocket, yahoo, "
				    "coat, kuairand or kuairec, got '%s'", optarg);
			break;
		case 'm':
			if ((int)(co.mode = chrono_mode_parse(optarg)) < 0)
				cli_usage_error(usage, "--mode: expected global, user, loo or given, got "
				    "'%s'", optarg);
			mode_given = 1;
			break;
		case 't':
			if (chrono_fraction_parse(optarg, &co.num, &co.den) != 0)
				cli_usage_error(usage, "--train: expected a decimal fraction from 0 to 1 "
				    "(at most 9 decimals), got '%s'", optarg);
			train_given = 1;
			break;
		case 'c': parse_columns(&lo, names, optarg); break;
		case 'd': lo.delim = parse_delim(optarg); break;
		case 'l':
			lo.like_threshold = opt_double("--like-threshold", optarg, -1e300, 1e300);
			lo.have_threshold = 1;
			break;
		case 'o': output = optarg; break;
		case OPT_TRAIN_FILE: add_file(&gf, optarg, PART_TRAIN); break;
		case OPT_VALID_FILE: add_file(&gf, optarg, PART_VALID); break;
		case OPT_TEST_FILE: add_file(&gf, optarg, PART_TEST); break;
		case OPT_VALID_FRACTION:
			if (chrono_fraction_parse(optarg, &co.vnum, &co.vden) != 0)
				cli_usage_error(usage, "--valid-fraction: expected a decimal fraction from 0 "
				    "to 1 (at most 9 decimals), got '%s'", optarg);
			co.lnum = co.vnum;
			co.lden = co.vden;
			vfrac = 1;
			break;
		case OPT_VALID_FROM:
			if (strcmp(optarg, "train") == 0)
				co.valid_from = PART_TRAIN;
			else if (strcmp(optarg, "test") == 0)
				co.valid_from = PART_TEST;
			else
				cli_usage_error(usage, "--valid-from: expected train or test, got '%s'",
				    optarg);
			valid_opts = 1;
			break;
		case OPT_VALID_BY:
			if (strcmp(optarg, "user") == 0)
				co.valid_by_users = 0;
			else if (strcmp(optarg, "users") == 0)
				co.valid_by_users = 1;
			else
				cli_usage_error(usage, "--valid-by: expected user or users, got '%s'", optarg);
			valid_opts = 1;
			break;
		case OPT_SEED:
			co.seed = (uint64_t)opt_long("--seed", optarg, 0, 1L << 62);
			seed_given = 1;
			break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error(usage, "expected one input file, got %d", argc - optind);
	input = optind < argc ? argv[optind] : "-";
	/* files of parts, a data set's folder, or a format released in parts: given */
	if (!mode_given && (gf.n > 0 || is_folder(input) || lo.format == LOG_COAT ||
	    lo.format == LOG_YAHOO || lo.format == LOG_KUAIRAND || lo.format == LOG_KUAIREC))
		co.mode = CHRONO_GIVEN;
	if (train_given && (co.mode == CHRONO_LOO || co.mode == CHRONO_GIVEN))
		cli_usage_error(usage, "--train has no meaning with --mode %s",
		    chrono_mode_name(co.mode));
	if (co.mode == CHRONO_LOO && vfrac)
		cli_usage_error(usage, "--valid-fraction has no meaning with --mode loo (one "
		    "validation like a user)");
	if (co.mode != CHRONO_GIVEN && (valid_opts || seed_given))
		cli_usage_error(usage, "--valid-from, --valid-by and --seed apply to --mode given");
	if (co.valid_by_users && co.valid_from == PART_TRAIN && valid_opts &&
	    co.vnum > 0)
		cli_usage_error(usage, "--valid-by users draws whole users' test pairs: it needs "
		    "--valid-from test (a user whose training pairs all validate cannot be scored)");

	if (co.mode == CHRONO_GIVEN) {
		if (gf.n > 0 && optind < argc)
			cli_usage_error(usage, "the parts come from --train-file and --test-file, or "
			    "from one FILE or FOLDER, not both");
		if (is_folder(input)) {
			enum log_format f = lo.format;
			if (log_given_files(input, &f, gf.owned, &err) != 0)
				die(err.code, "%s", err.msg);
			lo.format = f;
			for (k = 0; k < 3; k++)
				for (c = 0; gf.owned[k][c]; c++)
					add_file(&gf, gf.owned[k][c], k);
		} else if (gf.n == 0) {
			add_file(&gf, input, LOG_PART_COLUMN);
		}
		for (k = c = 0; k < gf.n; k++)
			c |= 1 << (gf.part[k] < 0 ? 3 : gf.part[k]);
		if (c != 8 && !((c & 1) && (c & 4)))
			cli_usage_error(usage, "--mode given: expected a train and a test part "
			    "(--train-file FILE --test-file FILE), a data set's folder, or one FILE "
			    "with a part column");
		if (co.valid_by_users && co.valid_from == PART_TRAIN)
			co.valid_from = PART_TEST;
		hcr_tool.seed = (int64_t)co.seed;
	}

	out = hs_out_open(output);
	clicklog_init(&log);
	if (co.mode == CHRONO_GIVEN) {
		read_given(&gf, &lo, &log, format, sizeof format);
	} else {
		in = in_open(input);
		if (log_read(in, in_name(input), &lo, &log, &err) != 0)
			die(err.code, "%s", err.msg);
		in_close(in);
	}

	split_init(&s);
	if (co.mode == CHRONO_GIVEN) {
		snprintf(log.format, sizeof log.format, "%s", format);
		co.like_rule = log_like_rule(&lo, log_format_parse(format), like_rule,
		    sizeof like_rule);
		given_split(&log, &co, &s, &counts);
	} else {
		chrono_split(&log, &co, &s, &counts);
	}
	for (k = 0; k < LOG_NROLES; k++)
		free(names[k]);
	log_given_files_free(gf.owned);
	chrono_report(in_name(input), &log, &co, &s, &counts);
	vocab_write(out, &log.users, &log.items);
	split_write(out, &s, log.users.n, log.items.n);
	hs_out_close(out);
	split_free(&s);
	clicklog_free(&log);
	return HCR_EXIT_OK;
}
