/* simulate: writes a data set drawn from HCR's causal graph, with its true causal
 * scores: a log for split-chrono, item features for extract-features, a truth
 * stream for evaluate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "sim/simulate.h"

static const char usage[] =
    "simulate -d DIR [-u USERS] [-i ITEMS] [-k DIM] [-c CLICKS] [-s SEED]\n"
    "                [--exposure-dim E] [--clicks-sigma S] [--min-clicks M]\n"
    "                [--click-match A] [--click-exposure B] [--click-bias BC]\n"
    "                [--like-match D] [--like-bias BL] [--confounding KAPPA]\n"
    "                [--price-corr RHO] [--drift D] [--drift-at F] [--noise SD]\n"
    "                [--price-apart] [--truth-users N]\n";

enum {
	OPT_EXPOSURE_DIM = CLI_FIRST_TOOL_OPTION, OPT_CLICKS_SIGMA, OPT_MIN_CLICKS,
	OPT_CLICK_MATCH, OPT_CLICK_EXPOSURE, OPT_CLICK_BIAS, OPT_LIKE_MATCH, OPT_LIKE_BIAS,
	OPT_CONFOUNDING, OPT_PRICE_CORR, OPT_DRIFT, OPT_DRIFT_AT, OPT_NOISE, OPT_TRUTH_USERS,
	OPT_PRICE_APART,
};

/* DIR/NAME, for out_open. */
static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void make_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0777) == 0)
		return;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	die(HCR_EXIT_IO, "%s: cannot create the folder: %s", dir,
	    errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
}

typedef void (*csv_writer)(const struct sim *, FILE *);

static void write_file(const char *dir, const char *name, const struct sim *s, csv_writer w)
{
	char *path = path_in(dir, name);
	FILE *fp = out_open(path, 0);
	setvbuf(fp, NULL, _IOFBF, (size_t)1 << 20);
	w(s, fp);
	out_close(fp);
	free(path);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'd', "dir", "DIR", "the folder to write into (required)" },
	{ 'u', "users", "N", "users (default 1000)" },
	{ 'i', "items", "N", "items (default 2000)" },
	{ 'k', "dim", "D", "size of tastes and contents (default 16)" },
	{ 'c', "clicks", "C", "mean of the lognormal clicks a user (default 40)" },
	{ OPT_CLICKS_SIGMA, "clicks-sigma", "S", "its log-scale spread (default 1)" },
	{ OPT_MIN_CLICKS, "min-clicks", "M", "fewest clicks a user is given (default 5)" },
	{ OPT_EXPOSURE_DIM, "exposure-dim", "E", "exposure features (default 4)" },
	{ OPT_CLICK_MATCH, "click-match", "A", "weight of the match in the click (default 1.5)" },
	{ OPT_CLICK_EXPOSURE, "click-exposure", "B", "weight of the exposure in the click (default 1)" },
	{ OPT_CLICK_BIAS, "click-bias", "BC", "the click's intercept (default -2.5)" },
	{ OPT_LIKE_MATCH, "like-match", "D", "weight of the match in the like (default 1.5)" },
	{ OPT_LIKE_BIAS, "like-bias", "BL", "the like's intercept (default -1)" },
	{ OPT_CONFOUNDING, "confounding", "KAPPA", "weight of the hidden quality in the like (default 1)" },
	{ OPT_PRICE_CORR, "price-corr", "RHO", "correlation of price and quality (default 0.7)" },
	{ OPT_DRIFT, "drift", "D", "share of the quality redrawn (default 0.5)" },
	{ OPT_DRIFT_AT, "drift-at", "F", "the drift point in the timeline (default 0.7)" },
	{ OPT_NOISE, "noise", "SD", "noise on the observed features (default 0.5)" },
	{ OPT_PRICE_APART, "price-apart", NULL, "write the price as a modality of its own" },
	{ OPT_TRUTH_USERS, "truth-users", "N", "users in the truth (default: see simulate(1))" },
	{ 's', "seed", "S", "the random seed (default 1)" },
	{ 'v', "verbose", NULL, "clicks drawn and each step's time on stderr" },
	{ 'j', "threads", "N", "accepted; simulate runs on one thread" },
	{ CLI_PROGRESS, "progress", NULL, "users drawn so far (default on a terminal)" },
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct sim_params p;
	struct sim s;
	struct sim_gap gap, gap_late;
	const char *dir = NULL, *bad;
	char msg[256], *path;
	int64_t rows, *users;
	float *causal, *corr, *late;
	struct hs_out *out;
	double t0;
	int c;

	tool_init("simulate", argc, argv);
	sim_defaults(&p);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'u': p.users = opt_long("--users", optarg, 1, INT32_MAX); break;
		case 'i': p.items = opt_long("--items", optarg, 1, INT32_MAX); break;
		case 'k': p.dim = (int)opt_long("--dim", optarg, 1, 1024); break;
		case 'c': p.clicks = opt_double("--clicks", optarg, 0.01, 1e6); break;
		case 's': p.seed = (uint64_t)opt_long("--seed", optarg, 0, INT64_MAX); break;
		case OPT_EXPOSURE_DIM: p.exposure_dim = (int)opt_long("--exposure-dim", optarg, 1, 1024); break;
		case OPT_CLICKS_SIGMA: p.clicks_sigma = opt_double("--clicks-sigma", optarg, 0, 4); break;
		case OPT_MIN_CLICKS: p.min_clicks = opt_long("--min-clicks", optarg, 1, INT32_MAX); break;
		case OPT_CLICK_MATCH: p.click_match = opt_double("--click-match", optarg, -50, 50); break;
		case OPT_CLICK_EXPOSURE: p.click_exposure = opt_double("--click-exposure", optarg, -50, 50); break;
		case OPT_CLICK_BIAS: p.click_bias = opt_double("--click-bias", optarg, -50, 50); break;
		case OPT_LIKE_MATCH: p.like_match = opt_double("--like-match", optarg, -50, 50); break;
		case OPT_LIKE_BIAS: p.like_bias = opt_double("--like-bias", optarg, -50, 50); break;
		case OPT_CONFOUNDING: p.confounding = opt_double("--confounding", optarg, 0, 20); break;
		case OPT_PRICE_CORR: p.price_corr = opt_double("--price-corr", optarg, 0, 1); break;
		case OPT_DRIFT: p.drift = opt_double("--drift", optarg, 0, 1); break;
		case OPT_DRIFT_AT: p.drift_at = opt_double("--drift-at", optarg, 0, 1); break;
		case OPT_NOISE: p.noise = opt_double("--noise", optarg, 0, 100); break;
		case OPT_PRICE_APART: p.price_apart = 1; break;
		case OPT_TRUTH_USERS: p.truth_users = opt_long("--truth-users", optarg, 0, INT32_MAX); break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (optind < argc)
		cli_usage_error(usage, "unexpected operand '%s': the output folder is given by -d",
		    argv[optind]);
	if (!dir)
		cli_usage_error(usage, "expected -d DIR, the folder to write the data set into");
	if ((bad = sim_check(&p, msg, sizeof msg)))
		cli_usage_error(usage, "%s", bad);
	hcr_tool.seed = (int64_t)p.seed;

	make_dir(dir);
	t0 = now_seconds();
	sim_draw(&s, &p, 0);
	verbose("drew %lld clicks and %lld likes of %lld users in %.2f s", (long long)s.nclicks,
	    (long long)s.nlikes, (long long)p.users, now_seconds() - t0);
	write_file(dir, "log.csv", &s, sim_write_log);
	write_file(dir, "content.csv", &s, sim_write_content);
	write_file(dir, "exposure.csv", &s, sim_write_exposure);
	if (p.price_apart)
		write_file(dir, "price.csv", &s, sim_write_price);
	write_file(dir, "items.csv", &s, sim_write_items);

	rows = sim_truth_rows(&p);
	users = xmalloc((size_t)rows * sizeof *users);
	sim_truth_users(&s, rows, users);
	causal = xmalloc((size_t)rows * (size_t)p.items * sizeof *causal);
	corr = xmalloc((size_t)rows * (size_t)p.items * sizeof *corr);
	late = xmalloc((size_t)rows * (size_t)p.items * sizeof *late);
	t0 = now_seconds();
	sim_truth(&s, users, rows, causal, corr, late);
	verbose("computed the truth of %lld users in %.2f s", (long long)rows, now_seconds() - t0);
	path = path_in(dir, "truth.mp");
	out = hs_out_open(path);
	sim_write_truth(&s, out, users, rows, causal, corr, late);
	hs_out_close(out);
	free(path);

	sim_truth_gap(rows, p.items, causal, corr, &gap);
	sim_truth_gap(rows, p.items, causal, late, &gap_late);
	/* params.json comes last: its presence says the folder is complete. */
	path = path_in(dir, "params.json");
	{
		FILE *fp = out_open(path, 0);
		sim_write_params(&s, fp, rows, &gap, &gap_late);
		out_close(fp);
	}
	free(path);
	free(users);
	free(causal);
	free(corr);
	free(late);
	sim_free(&s);
	return HCR_EXIT_OK;
}
