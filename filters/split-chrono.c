/* split-chrono: an interaction log in, the vocab and split sections out. */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "ingest/logformats.h"
#include "ingest/partition.h"

static const char usage[] =
    "split-chrono [-f FORMAT] [-m global|user|loo] [-t FRACTION] [-c ROLE=NAME,...]\n"
    "                    [-d DELIM] [-l THRESHOLD] [-o FILE] [-v] [FILE]\n";

enum { OPT_MODE = CLI_FIRST_TOOL_OPTION };

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
	{ 'm', "mode", "global|user|loo", "the cut: overall, per user, or leave-one-out" },
	{ 't', "train", "FRACTION", "the share of clicks that train (default 0.7)" },
	{ 'c', "columns", "ROLE=NAME,...", "the columns holding user, item, time, ..." },
	{ 'd', "delimiter", "C", "the field delimiter, or 'tab', not the format's" },
	{ 'l', "like-threshold", "T", "a rating of at least T is a like" },
	CLI_OPTION_OUTPUT,
	{ 'v', "verbose", NULL, "a summary of the log and the split on stderr" },
	{ CLI_PROGRESS, "progress", NULL, "rows read so far (default on a terminal)" },
	{ 'j', "threads", "N", "accepted; reading uses one thread" },
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct log_opts lo;
	struct chrono_opts co = { CHRONO_GLOBAL, 7, 10 };
	struct chrono_counts counts;
	struct load_error err;
	struct clicklog log;
	struct split s;
	struct hs_out *out;
	const char *output = NULL, *input;
	char *names[LOG_NROLES] = { NULL };
	int c, k, train_given = 0;
	FILE *in;

	tool_init("split-chrono", argc, argv);
	log_opts_init(&lo);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'f':
			if ((int)(lo.format = log_format_parse(optarg)) < 0)
				cli_usage_error(usage, "--format: expected auto, csv, tsv, recbole, "
				    "ratings, uirt, tiktok, kwai, taobao, userbehavior or retailrocket, "
				    "got '%s'", optarg);
			break;
		case 'm':
			if ((int)(co.mode = chrono_mode_parse(optarg)) < 0)
				cli_usage_error(usage, "--mode: expected global, user or loo, got '%s'",
				    optarg);
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
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error(usage, "expected one input file, got %d", argc - optind);
	if (train_given && co.mode == CHRONO_LOO)
		cli_usage_error(usage, "--train has no meaning with --mode loo");
	input = optind < argc ? argv[optind] : "-";

	out = hs_out_open(output);
	in = in_open(input);
	clicklog_init(&log);
	if (log_read(in, in_name(input), &lo, &log, &err) != 0)
		die(err.code, "%s", err.msg);
	in_close(in);
	for (k = 0; k < LOG_NROLES; k++)
		free(names[k]);

	split_init(&s);
	chrono_split(&log, &co, &s, &counts);
	chrono_report(in_name(input), &log, &s, &counts);
	vocab_write(out, &log.users, &log.items);
	split_write(out, &s, log.users.n, log.items.n);
	hs_out_close(out);
	split_free(&s);
	clicklog_free(&log);
	return HCR_EXIT_OK;
}
