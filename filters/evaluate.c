/* evaluate: Recall@K and NDCG@K of rankings on the validation and test likes, their
 * breakdowns by user activity, period and item quality, against a simulator's truth,
 * and paired tests against a baseline; as text, JSON or TSV. */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/lists.h"
#include "common/stream.h"
#include "eval/breakdown.h"
#include "eval/reports.h"
#include "eval/truth.h"
#include "ingest/dataset.h"
#include "rank/outside.h"
#include "rank/ranking.h"

static const char usage[] =
    "evaluate [-k K[,K...]] [--protocol all|exposed|all,exposed] [--baseline LABEL]\n"
    "                [--rankings FILE --label NAME]... [--skip-unknown] [--active F]\n"
    "                [--periods N] [--json | --tsv] [--per-user FILE] [--per-user-tsv FILE]\n"
    "                [-v] [-o FILE] [FILE ...]\n";

enum {
	OPT_BASELINE = CLI_FIRST_TOOL_OPTION, OPT_RANKINGS, OPT_LABEL, OPT_SKIP_UNKNOWN,
	OPT_ACTIVE, OPT_PERIODS, OPT_JSON, OPT_TSV, OPT_PER_USER, OPT_PER_USER_TSV, OPT_PROTOCOL,
};

enum { MAX_RUNS = 256 };

struct outside {
	const char *file, *label;
};

struct state {
	struct eval_opts o;
	struct dataset ds;           /* the data evaluated: the first stream's */
	char vocab[17], split[17];   /* its fingerprints */
	struct ranking *runs[MAX_RUNS];
	int n_runs;
	/* rankings of pairs (score-frontdoor --pairs), by label: xruns[k] is the one of
	 * runs[k]'s label, or NULL; a label with pairs alone has a NULL runs[k] */
	struct ranking *xruns[MAX_RUNS];
	struct truth truth;
	int have_truth;
};

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void parse_ks(struct eval_opts *o, char *arg)
{
	char *items[METRICS_MAX_K];
	int n = list_split(arg, items, METRICS_MAX_K), k, j;
	if (n < 0)
		cli_usage_error(usage, "-k: at most %d cut-offs", METRICS_MAX_K);
	for (k = 0; k < n; k++)
		o->ks[k] = (int)opt_long("-k", items[k], 1, 1 << 20);
	qsort(o->ks, (size_t)n, sizeof *o->ks, by_int);
	for (k = 0, j = 0; k < n; k++)
		if (j == 0 || o->ks[j - 1] != o->ks[k])
			o->ks[j++] = o->ks[k];
	o->n_k = j;
}

static const char *run_label(const struct state *st, int k)
{
	return st->runs[k] ? st->runs[k]->h.label : st->xruns[k]->h.label;
}

/* The index of the run of label, or -1. */
static int find_index(const struct state *st, const char *label)
{
	int k;
	for (k = 0; k < st->n_runs; k++)
		if (strcmp(run_label(st, k), label) == 0)
			return k;
	return -1;
}

/* A ranking read, as a new run or as more rows of the run of its label: an
 * all-ranking or a ranking of pairs, each its own slot of the run. */
static void add_run(struct state *st, struct ranking *r)
{
	int k = find_index(st, r->h.label);
	struct ranking **slot;
	if (k < 0) {
		if (st->n_runs == MAX_RUNS)
			die(HCR_EXIT_USAGE, "more than %d rankings to evaluate", MAX_RUNS);
		k = st->n_runs++;
		st->runs[k] = st->xruns[k] = NULL;
	}
	slot = r->h.candidates[0] ? &st->xruns[k] : &st->runs[k];
	if (*slot && r->h.candidates[0] && strcmp((*slot)->h.candidates, r->h.candidates) != 0)
		die(HCR_EXIT_DATA, "%s: ranking '%s' of the %s pairs beside one of the %s pairs: "
		    "give the pairs of one part", r->source, r->h.label, r->h.candidates,
		    (*slot)->h.candidates);
	if (*slot) {
		ranking_append(*slot, r);
		free(r);
		return;
	}
	*slot = r;
}

static void read_ranking(struct state *st, struct hs_in *in, const struct hs_section *sec)
{
	struct ranking *r = xmalloc(sizeof *r);
	int kmax = st->o.ks[st->o.n_k - 1];
	if (!st->ds.have_split)
		hs_die(in, "a ranking before the vocab and split it ranks: give the stream that "
		    "holds them first");
	ranking_read(in, sec, st->ds.users.n, st->ds.items.n, st->vocab, st->split, r);
	if (r->h.k < kmax && !r->h.candidates[0])
		die(HCR_EXIT_DATA, "%s: ranking '%s' lists %d items a user, fewer than K = %d: "
		    "rank more (score-frontdoor -k) or ask for less (-k)", hs_in_name(in),
		    r->h.label, r->h.k, kmax);
	add_run(st, r);
}

/* Reads one stream: the first vocab and split are the data; any later one must be
 * the same; rankings and the truth are kept. */
static void read_stream(struct state *st, const char *path)
{
	struct hs_in *in = hs_in_open(path);
	struct hs_section sec;
	struct dataset other;
	int takes_data = !st->ds.have_vocab;
	char vocab[17], split[17];

	dataset_init(&other);
	while (hs_next_section(in, &sec)) {
		if (strcmp(sec.name, "vocab") == 0 || strcmp(sec.name, "split") == 0) {
			int is_vocab = sec.name[0] == 'v';
			if (takes_data && !(is_vocab && st->ds.have_vocab)) {
				dataset_take(in, &sec, &st->ds);
				if (st->ds.have_split)
					dataset_fingerprints(&st->ds, st->vocab, st->split);
				continue;
			}
			dataset_take(in, &sec, &other);
			dataset_fingerprints(&other, vocab, split);
			if (is_vocab && strcmp(vocab, st->vocab) != 0)
				die(HCR_EXIT_DATA, "%s: its vocab differs from the one evaluated (fingerprint "
				    "%s, not %s): streams of other data", hs_in_name(in), vocab, st->vocab);
			if (!is_vocab && strcmp(split, st->split) != 0)
				die(HCR_EXIT_DATA, "%s: its split differs from the one evaluated "
				    "(fingerprint %s, not %s)", hs_in_name(in), split, st->split);
		} else if (strcmp(sec.name, "ranking") == 0) {
			read_ranking(st, in, &sec);
		} else if (strcmp(sec.name, "truth") == 0) {
			if (st->have_truth)
				hs_die(in, "a second truth section: give one");
			truth_read(in, &sec, &st->truth);
			st->have_truth = 1;
		}
	}
	if (takes_data && st->ds.have_vocab)
		dataset_require(in, &st->ds);
	hs_in_close(in);
	dataset_free(&other);
}

static void read_outside(struct state *st, const struct outside *x, const struct csr *train,
    int skip_unknown)
{
	struct ranking_tsv_opts to;
	struct load_error e;
	struct ranking *r = xmalloc(sizeof *r);
	FILE *fp = in_open(x->file);
	to.users = &st->ds.users;
	to.items = &st->ds.items;
	to.mask = train;
	to.keep = st->o.ks[st->o.n_k - 1];
	to.skip_unknown = skip_unknown;
	if (ranking_read_tsv(fp, in_name(x->file), x->label, &to, r, &e) != 0)
		die(e.code, "%s", e.msg);
	in_close(fp);
	verbose("%s: ranking '%s' of %lld users; %lld rows of training items dropped, %lld rows "
	    "of unknown ids skipped", in_name(x->file), x->label, (long long)r->rows,
	    (long long)r->dropped_train, (long long)r->skipped_unknown);
	add_run(st, r);
}

/* Warns of a run that lacks users with a later like: its means are over fewer. */
static void check_coverage(const struct state *st, const struct eval_data *d,
    const struct ranking *r)
{
	uint8_t *has = xcalloc((size_t)d->nu + 1, 1);
	int64_t want = 0, missing = 0, u, row;
	for (row = 0; row < r->rows; row++)
		has[r->users[row]] = 1;
	for (u = 0; u < d->nu; u++)
		if (csr_len(&d->pos[PART_VALID], u) + csr_len(&d->pos[PART_TEST], u) > 0) {
			want++;
			missing += !has[u];
		}
	if (missing > 0)
		warnx("ranking '%s' lacks %lld of the %lld users with a later like; its means are "
		    "over the users it ranks", r->h.label, (long long)missing, (long long)want);
	free(has);
	(void)st;
}

/* The same for a ranking of pairs: the users with a liked pair of its part. */
static void check_pair_coverage(const struct eval_data *d, const struct ranking *r)
{
	const struct exposed *x = &d->x[strcmp(r->h.candidates, "valid") == 0 ? PART_VALID :
	    PART_TEST];
	uint8_t *has = xcalloc((size_t)d->nu + 1, 1);
	int64_t want = 0, missing = 0, u, row, q;
	for (row = 0; row < r->rows; row++)
		has[r->users[row]] = 1;
	for (u = 0; u < d->nu; u++) {
		int liked = 0;
		for (q = x->x.off[u]; q < x->x.off[u + 1]; q++)
			liked |= x->like[q];
		want += liked;
		missing += liked && !has[u];
	}
	if (missing > 0)
		warnx("ranking '%s' of the %s pairs lacks %lld of the %lld users with a liked %s "
		    "pair; its means are over the users it ranks", r->h.label, r->h.candidates,
		    (long long)missing, (long long)want, r->h.candidates);
	free(has);
}

static int parse_protocols(const char *arg)
{
	if (strcmp(arg, "all") == 0)
		return EVAL_ALL;
	if (strcmp(arg, "exposed") == 0)
		return EVAL_EXPOSED;
	if (strcmp(arg, "all,exposed") == 0 || strcmp(arg, "exposed,all") == 0)
		return EVAL_ALL | EVAL_EXPOSED;
	cli_usage_error(usage, "--protocol: expected all, exposed or all,exposed, got '%s'", arg);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'k', NULL, "K[,K...]", "the cut-offs, at most 16 (default 50,100)" },
	{ OPT_BASELINE, "baseline", "LABEL", "the ranking gains and paired tests compare with" },
	{ OPT_RANKINGS, "rankings", "FILE", "an outside ranking (TSV), each with a --label" },
	{ OPT_LABEL, "label", "NAME", "the label of the --rankings just before" },
	{ OPT_SKIP_UNKNOWN, "skip-unknown", NULL, "skip outside rows of unknown ids, not fail" },
	{ OPT_ACTIVE, "active", "F", "the share of users called active (default 0.4)" },
	{ OPT_PERIODS, "periods", "N", "cut the later likes into N periods (default 4)" },
	{ OPT_JSON, "json", NULL, "write the report as one JSON object" },
	{ OPT_TSV, "tsv", NULL, "write the report as TSV rows" },
	{ OPT_PER_USER, "per-user", "FILE", "write the per-user records to FILE, a stream" },
	{ OPT_PER_USER_TSV, "per-user-tsv", "FILE", "the same as TSV ('-': standard output)" },
	{ OPT_PROTOCOL, "protocol", "P", "all (default), exposed, or all,exposed" },
	{ 'o', "output", "FILE", "write the report to FILE, once complete" },
	{ 'v', "verbose", NULL, "what was dropped and skipped, on stderr" },
	{ 'j', "threads", "N", "accepted; evaluate runs on one thread" },
	CLI_OPTION_NO_PROGRESS,
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	static struct state st;
	static struct outside outside[MAX_RUNS];
	struct eval_data d;
	struct eval_result res;
	struct ranking oracle[TRUTH_KINDS];
	const char *output = NULL, *baseline = NULL, *per_user = NULL, *per_user_tsv = NULL;
	int c, k, n_read, n_outside = 0, json = 0, tsv = 0, skip_unknown = 0, base = -1, n_streams;
	int protocols = 0, have_top = 0, have_pairs = 0;
	FILE *fp;

	tool_init("evaluate", argc, argv);
	st.o.n_k = 2;
	st.o.ks[0] = 50;
	st.o.ks[1] = 100;
	st.o.active = 0.4;
	st.o.periods = 4;
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'k': parse_ks(&st.o, optarg); break;
		case OPT_BASELINE: baseline = optarg; break;
		case OPT_RANKINGS:
			if (n_outside == MAX_RUNS)
				cli_usage_error(usage, "--rankings: at most %d", MAX_RUNS);
			if (n_outside > 0 && !outside[n_outside - 1].label)
				cli_usage_error(usage, "--rankings %s: expected --label NAME after it",
				    outside[n_outside - 1].file);
			outside[n_outside++].file = optarg;
			break;
		case OPT_LABEL:
			if (n_outside == 0 || outside[n_outside - 1].label)
				cli_usage_error(usage, "--label %s: expected it after a --rankings FILE of "
				    "its own", optarg);
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof oracle[0].h.label)
				cli_usage_error(usage, "--label: expected 1 to %zu bytes, got '%s'",
				    sizeof oracle[0].h.label - 1, optarg);
			outside[n_outside - 1].label = optarg;
			break;
		case OPT_SKIP_UNKNOWN: skip_unknown = 1; break;
		case OPT_ACTIVE: st.o.active = opt_double("--active", optarg, 0, 1); break;
		case OPT_PERIODS:
			st.o.periods = (int)opt_long("--periods", optarg, 1, EVAL_MAX_PERIODS);
			break;
		case OPT_JSON: json = 1; break;
		case OPT_TSV: tsv = 1; break;
		case OPT_PER_USER: per_user = optarg; break;
		case OPT_PER_USER_TSV: per_user_tsv = optarg; break;
		case OPT_PROTOCOL: protocols = parse_protocols(optarg); break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (n_outside > 0 && !outside[n_outside - 1].label)
		cli_usage_error(usage, "--rankings %s: expected --label NAME after it",
		    outside[n_outside - 1].file);
	if (json && tsv)
		cli_usage_error(usage, "--json and --tsv: give one");

	dataset_init(&st.ds);
	n_streams = argc - optind;
	for (k = 0; k < (n_streams ? n_streams : 1); k++)
		read_stream(&st, n_streams ? argv[optind + k] : "-");
	if (!st.ds.have_vocab)
		die(HCR_EXIT_DATA, "no vocab and split sections in the input: expected a stream "
		    "from split-chrono");
	eval_data_build(&d, &st.ds, &st.o, NULL);
	if (d.likes_of_train[PART_VALID] + d.likes_of_train[PART_TEST] > 0)
		verbose("all-ranking leaves out the later likes of training items, which it never "
		    "ranks: %lld of validation, %lld of test", (long long)d.likes_of_train[PART_VALID],
		    (long long)d.likes_of_train[PART_TEST]);
	for (k = 0; k < n_outside; k++)
		read_outside(&st, &outside[k], &d.train, skip_unknown);
	if (st.have_truth) {
		truth_map(&st.truth, &st.ds.users, &st.ds.items);
		verbose("%s: the truth holds %lld users of the vocabulary (%lld rows of others "
		    "skipped) and %lld items more than the vocabulary's", st.truth.source,
		    (long long)st.truth.n, (long long)st.truth.skipped_users,
		    (long long)st.truth.skipped_items);
		d.truth = &st.truth;
		for (k = 0; k < TRUTH_KINDS; k++) {
			truth_oracle(&st.truth, k, &d.train, st.o.ks[st.o.n_k - 1], &oracle[k]);
			if (find_index(&st, oracle[k].h.label) >= 0)
				die(HCR_EXIT_USAGE, "a ranking is labelled '%s', the name of evaluate's own "
				    "oracle: relabel it", oracle[k].h.label);
		}
	}
	if (st.n_runs == 0)
		die(HCR_EXIT_DATA, "no ranking to evaluate: expected ranking sections (from "
		    "score-frontdoor) or --rankings FILE --label NAME");
	for (k = 0; k < st.n_runs; k++) {
		have_top |= st.runs[k] != NULL;
		have_pairs |= st.xruns[k] != NULL;
	}
	/* by default, every protocol the rankings given allow */
	if (!protocols)
		protocols = (have_top ? EVAL_ALL : 0) | (have_pairs ? EVAL_EXPOSED : 0);
	if ((protocols & EVAL_EXPOSED) && !have_pairs)
		die(HCR_EXIT_DATA, "--protocol exposed: no ranking of pairs to evaluate: expected "
		    "rankings from score-frontdoor --pairs test");
	if ((protocols & EVAL_ALL) && !have_top)
		die(HCR_EXIT_DATA, "--protocol all: no all-ranking to evaluate, only rankings of "
		    "pairs: give the top-K rankings (score-frontdoor -k) or --protocol exposed");
	st.o.protocols = protocols;
	for (k = 0; k < st.n_runs; k++) {
		if (st.runs[k]) {
			ranking_check_users(st.runs[k], &st.ds.users);
			if (protocols & EVAL_ALL)
				check_coverage(&st, &d, st.runs[k]);
		} else if (protocols & EVAL_ALL) {
			warnx("ranking '%s' is of pairs only: its all-ranking values are missing",
			    st.xruns[k]->h.label);
		}
		if (st.xruns[k]) {
			ranking_check_users(st.xruns[k], &st.ds.users);
			eval_check_pairs(&d, st.xruns[k], &st.ds.users);
			if (protocols & EVAL_EXPOSED)
				check_pair_coverage(&d, st.xruns[k]);
		} else if (protocols & EVAL_EXPOSED) {
			warnx("ranking '%s' has no ranking of pairs: its exposed values are missing",
			    st.runs[k]->h.label);
		}
	}
	n_read = st.n_runs;
	if (st.have_truth)
		for (k = 0; k < TRUTH_KINDS && st.n_runs < MAX_RUNS; k++) {
			st.xruns[st.n_runs] = NULL;
			st.runs[st.n_runs++] = &oracle[k];
		}
	if (baseline) {
		base = find_index(&st, baseline);
		if (base < 0)
			die(HCR_EXIT_USAGE, "--baseline %s: no ranking of that label", baseline);
	} else {
		base = find_index(&st, "ct");
		if (base < 0)
			base = 0;
	}

	eval_run(&d, (const struct ranking *const *)st.runs,
	    (const struct ranking *const *)st.xruns, st.n_runs, base, &st.o, &res);
	fp = out_open(output, 0);
	if (json)
		eval_write_json(fp, &res);
	else if (tsv)
		eval_write_tsv(fp, &res);
	else
		eval_write_text(fp, &res);
	out_close(fp);
	if (per_user_tsv) {
		fp = out_open(per_user_tsv, 0);
		eval_write_users_tsv(fp, &res, &st.ds.users, &d);
		out_close(fp);
	}
	if (per_user) {
		struct hs_out *out = hs_out_open(per_user);
		eval_write_users(out, &res, &st.ds.users, &d);
		hs_out_close(out);
	}

	eval_result_free(&res);
	eval_data_free(&d);
	for (k = 0; k < st.n_runs; k++) {
		if (st.runs[k])
			ranking_free(st.runs[k]);
		if (k < n_read)
			free(st.runs[k]);
		if (st.xruns[k]) {
			ranking_free(st.xruns[k]);
			free(st.xruns[k]);
		}
	}
	truth_free(&st.truth);
	dataset_free(&st.ds);
	return HCR_EXIT_OK;
}
