/* score-frontdoor: ranks every user's top-K items under a model's scoring rules
 * (the front-door score of HCR, its variants, a baseline's own rule); appends a
 * ranking section per rule. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/lists.h"
#include "common/meter.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "rank/outside.h"
#include "rank/ranking.h"
#include "rank/scoring.h"
#include "train/effects.h"
#include "train/methods/methods.h"
#include "train/model.h"

static const char usage[] =
    "score-frontdoor [-k K | --pairs valid|test] [--rule R[,R...]|all]\n"
    "                       [--model LABEL | --all] [--label NAME] [--users FILE]\n"
    "                       [--shard K/N] [-j N] [-v] [-o FILE]\n"
    "                       [--effects FILE --item-columns TABLE] [FILE]\n";

enum {
	OPT_RULE = CLI_FIRST_TOOL_OPTION, OPT_MODEL, OPT_ALL, OPT_LABEL, OPT_USERS, OPT_SHARD,
	OPT_PAIRS, OPT_EFFECTS, OPT_ITEM_COLUMNS,
};

enum { MAX_RULES = 8, MAX_RANKINGS = 64 };

struct run {
	int k, shard, shards, all;
	const char *rules[MAX_RULES];
	int nrules;
	int every_rule;            /* --rule all: each rule the model's method lists */
	const char *pairs;         /* --pairs: the part whose pairs are scored, or NULL */
	int pairs_part;
	struct csr cand;           /* --pairs: each user's pairs of the part */
	const char *model_label, *label, *users_file;
	/* --effects: each head's item effects against item columns, over trained items */
	const char *effects_file, *columns_file;
	FILE *effects;             /* in memory: -o's file is open while models come */
	char *effects_buf;
	size_t effects_len;
	struct item_columns columns;
	uint8_t *trained;
	struct dataset ds;
	struct csr train;
	int32_t *list;             /* the users ranked, in order */
	int64_t nlist;
	char vocab[17], split[17];
	struct ranking out[MAX_RANKINGS];
	int nout;
	/* the labels a model read so far makes: an input ranking of one is replaced */
	char labels[MAX_RANKINGS][128];
	int nlabels;
};

static int keep_section(const struct hs_section *sec, void *arg)
{
	const struct run *r = arg;
	const msgpack_object *l, *c;
	int k;
	if (strcmp(sec->name, "ranking") != 0)
		return 1;
	/* a ranking of pairs and an all-ranking of one label are two rankings */
	c = hs_get(sec->meta, "candidates");
	if (r->pairs ? !c || !hs_str_eq(c, r->pairs) : c != NULL)
		return 1;
	l = hs_get(sec->meta, "label");
	for (k = 0; l && k < r->nlabels; k++)
		if (hs_str_eq(l, r->labels[k]))
			return 0;
	return 1;
}

/* The label of model m's ranking under rule (resolved, never "default"). */
static void label_of(const struct run *r, const struct model *m, const char *rule, char *buf,
    size_t size)
{
	if (r->label)
		snprintf(buf, size, "%s", r->label);
	else if (strcmp(rule, m->default_rule) == 0)
		snprintf(buf, size, "%s", m->label);
	else
		snprintf(buf, size, "%s/%s", m->label, rule);
}

static const char *resolve(const struct model *m, const char *rule)
{
	return strcmp(rule, "default") == 0 ? m->default_rule : rule;
}

/* --rule all: the rules of model m's method, each a ranking. */
static void every_rule(struct run *r, const struct model *m)
{
	const struct method *me = method_find(m->method);
	int k;
	if (!r->every_rule)
		return;
	if (!me)
		die(HCR_EXIT_DATA, "--rule all: model '%s' is of a method this tool does not know, "
		    "'%s'", m->label, m->method);
	for (k = 0; me->rules[k].name; k++)
		if (k == MAX_RULES)
			die(HCR_EXIT_FAIL, "internal: method %s has more than %d rules", me->name,
			    MAX_RULES);
		else
			r->rules[k] = me->rules[k].name;
	r->nrules = k;
}

/* Records the labels model m will give, so that the input's rankings of them go. */
static void note_labels(struct run *r, const struct model *m)
{
	int k;
	every_rule(r, m);
	for (k = 0; k < r->nrules && r->nlabels < MAX_RANKINGS; k++)
		label_of(r, m, resolve(m, r->rules[k]), r->labels[r->nlabels++], sizeof r->labels[0]);
}

/* The users to rank: --users in file order, else every user with a training click
 * (with --pairs, every user with a pair of the part). */
static void choose_users(struct run *r)
{
	int64_t u;
	if (r->users_file) {
		struct load_error e;
		FILE *fp = in_open(r->users_file);
		if (user_list_read(fp, in_name(r->users_file), &r->ds.users, &r->list, &r->nlist,
			&e) != 0)
			die(e.code, "%s", e.msg);
		in_close(fp);
		return;
	}
	r->list = xmalloc(((size_t)r->ds.users.n + 1) * sizeof *r->list);
	for (u = 0; u < r->ds.users.n; u++)
		if (csr_len(r->pairs ? &r->cand : &r->train, u) > 0)
			r->list[r->nlist++] = (int32_t)u;
}

/* The item columns of --effects, and which items have a training click. */
static void prepare_effects(struct run *r)
{
	struct load_error e;
	FILE *fp = in_open(r->columns_file);
	int64_t k;
	if (item_columns_read(fp, in_name(r->columns_file), &r->ds.items, &r->columns, &e) != 0)
		die(e.code, "%s", e.msg);
	in_close(fp);
	verbose("%s: %lld rows, %lld of items not in the data skipped, %lld repeated", in_name(
	    r->columns_file), (long long)r->columns.rows, (long long)r->columns.unknown,
	    (long long)r->columns.repeated);
	r->trained = xcalloc((size_t)r->ds.items.n + 1, 1);
	for (k = 0; k < r->ds.split.n; k++)
		if (r->ds.split.part[k] == PART_TRAIN)
			r->trained[r->ds.split.item[k]] = 1;
	r->effects = open_memstream(&r->effects_buf, &r->effects_len);
	if (!r->effects)
		die(HCR_EXIT_FAIL, "out of memory");
	fprintf(r->effects, "model\thead\tcolumn\titems\tpearson\n");
}

/* What a model needs before it can be ranked: the split, the mask, the users. */
static void prepare(struct run *r, struct hs_in *in)
{
	if (r->list)
		return;
	dataset_require(in, &r->ds);
	split_user_items(&r->ds.split, r->ds.users.n, r->ds.items.n, PART_TRAIN, 0, &r->train);
	dataset_fingerprints(&r->ds, r->vocab, r->split);
	if (r->effects_file)
		prepare_effects(r);
	if (r->pairs) {
		int64_t u, i;
		split_user_items(&r->ds.split, r->ds.users.n, r->ds.items.n, r->pairs_part, 0,
		    &r->cand);
		choose_users(r);
		/* every pair of a user: k is the most pairs a user has */
		r->k = 1;
		for (i = 0; i < r->nlist; i++) {
			u = r->list[i];
			if (csr_len(&r->cand, u) > r->k)
				r->k = (int)csr_len(&r->cand, u);
		}
		verbose("--pairs %s: %lld pairs of %lld users (at most %d a user)", r->pairs,
		    (long long)r->cand.off[r->ds.users.n], (long long)r->nlist, r->k);
		return;
	}
	choose_users(r);
}

static void rank_model(struct run *r, const struct model *m)
{
	int64_t lo, hi;
	int k;
	if (r->effects && method_find(m->method))
		effects_report(r->effects, m->label, method_find(m->method), &m->rs, &r->columns,
		    r->trained);
	rank_shard_list(r->nlist, 0, r->shard, r->shards, &lo, &hi);
	for (k = 0; k < r->nrules; k++) {
		const char *rule = resolve(m, r->rules[k]);
		const struct method *me = method_find(m->method);
		struct scoring sc;
		struct rank_result res;
		struct rank_opts o = { 0 };
		struct ranking_head h;
		double t0 = now_seconds(), c0 = cpu_seconds(), secs, cpu, pairs;
		int j;
		char names[256], took[24];
		if (!me || method_scoring(me, rule, &m->rs, &sc) != 0)
			die(HCR_EXIT_USAGE, "--rule %s: model '%s' (method %s) has no such rule, or "
			    "lacks what it needs; its rules: %s", r->rules[k], m->label, m->method,
			    me ? method_rule_names(me, names, sizeof names) : "none (an unknown method)");
		memset(&h, 0, sizeof h);
		label_of(r, m, rule, h.label, sizeof h.label);
		for (j = 0; j < r->nout; j++)
			if (strcmp(r->out[j].h.label, h.label) == 0)
				die(HCR_EXIT_USAGE, "two rankings would be labelled '%s'%s", h.label,
				    r->label ? ": --label names one ranking only" : "");
		if (r->nout == MAX_RANKINGS)
			die(HCR_EXIT_USAGE, "more than %d rankings in one run", MAX_RANKINGS);
		snprintf(h.method, sizeof h.method, "%s", m->method);
		snprintf(h.rule, sizeof h.rule, "%s", rule);
		snprintf(h.model, sizeof h.model, "%s", m->label);
		h.k = r->k;
		h.shard = r->shard;
		h.shards = r->shards;
		memcpy(h.vocab, r->vocab, sizeof h.vocab);
		memcpy(h.split, r->split, sizeof h.split);
		o.k = r->k;
		o.threads = hcr_tool.threads;
		if (r->pairs) {
			/* the pairs given, every one, training items included */
			snprintf(h.candidates, sizeof h.candidates, "%s", r->pairs);
			o.candidates = &r->cand;
		} else {
			o.mask = &r->train;
		}
		o.meter = h.label;
		rank_users(&sc.scorer, r->list + lo, hi - lo, &o, &res);
		meter_end("%s: %lld users ranked in %s", h.label, (long long)(hi - lo),
		    meter_duration(now_seconds() - t0, took));
		if (res.nan_keys > 0)
			die(HCR_EXIT_NUMERIC, "model '%s' gives %lld NaN scores under rule %s: its "
			    "training diverged", m->label, (long long)res.nan_keys, rule);
		secs = now_seconds() - t0;
		cpu = cpu_seconds() - c0;
		pairs = (double)(hi - lo) * (double)m->rs.ni;
		verbose("%s: %lld users x %lld items under %s in %.2f s, %.2f CPU s (%.3g pairs/s, "
		    "%.3g pairs per CPU s)", h.label, (long long)(hi - lo), (long long)m->rs.ni, rule,
		    secs, cpu, pairs / (secs > 0 ? secs : 1e-9), pairs / (cpu > 0 ? cpu : 1e-9));
		ranking_from_result(&r->out[r->nout++], &h, &res, &sc);
		rank_result_free(&res);
		scoring_free(&sc);
	}
}

static void parse_shard(struct run *r, const char *arg)
{
	char *slash = strchr(arg, '/');
	if (!slash)
		cli_usage_error(usage, "--shard: expected K/N, got '%s'", arg);
	*slash = '\0';
	r->shard = (int)opt_long("--shard", arg, 1, 1 << 20);
	r->shards = (int)opt_long("--shard", slash + 1, 1, 1 << 20);
	*slash = '/';
	if (r->shard > r->shards)
		cli_usage_error(usage, "--shard: expected K/N with K <= N, got '%s'", arg);
}

static void parse_rules(struct run *r, char *arg)
{
	char *whole = xstrdup(arg);
	int k;
	r->nrules = list_split(arg, (char **)r->rules, MAX_RULES);
	if (r->nrules < 0)
		cli_usage_error(usage, "--rule: more than %d rules", MAX_RULES);
	for (k = 0; k < r->nrules; k++)
		if (*r->rules[k] == '\0')
			cli_usage_error(usage, "--rule: an empty rule name in '%s'", whole);
	free(whole);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'k', NULL, "K", "items a user (default 100)" },
	{ OPT_RULE, "rule", "R[,R...]", "the rules to rank by, or all (default: its own)" },
	{ OPT_MODEL, "model", "LABEL", "rank the model of this label" },
	{ OPT_ALL, "all", NULL, "rank every model of the stream" },
	{ OPT_LABEL, "label", "NAME", "label the ranking NAME (one ranking only)" },
	{ OPT_USERS, "users", "FILE", "rank the users of FILE, an id a line, in its order" },
	{ OPT_SHARD, "shard", "K/N", "rank shard K of N only" },
	{ OPT_PAIRS, "pairs", "PART", "score each user's pairs of valid or test, every one" },
	{ OPT_EFFECTS, "effects", "FILE", "heads' item effects against the columns, to FILE" },
	{ OPT_ITEM_COLUMNS, "item-columns", "TABLE", "the item columns of --effects (CSV, TSV)" },
	{ 'j', "threads", "N", "rank on N threads (default 1)" },
	CLI_OPTION_OUTPUT,
	{ 'v', "verbose", NULL, "users, items and time of each ranking on stderr" },
	{ CLI_PROGRESS, "progress", NULL, "users ranked so far (default on a terminal)" },
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	static struct run r;
	struct model held, m;
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	const char *output = NULL;
	int c, k, have_held = 0, models = 0, k_given = 0;

	tool_init("score-frontdoor", argc, argv);
	r.k = 100;
	r.shard = r.shards = 1;
	r.rules[0] = "default";
	r.nrules = 1;
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'k':
			r.k = (int)opt_long("-k", optarg, 1, 1 << 20);
			k_given = 1;
			break;
		case OPT_PAIRS:
			if (strcmp(optarg, "valid") == 0)
				r.pairs_part = PART_VALID;
			else if (strcmp(optarg, "test") == 0)
				r.pairs_part = PART_TEST;
			else
				cli_usage_error(usage, "--pairs: expected valid or test (the part whose "
				    "pairs are scored), got '%s'", optarg);
			r.pairs = optarg;
			break;
		case OPT_RULE: parse_rules(&r, optarg); break;
		case OPT_MODEL: r.model_label = optarg; break;
		case OPT_ALL: r.all = 1; break;
		case OPT_LABEL: r.label = optarg; break;
		case OPT_USERS: r.users_file = optarg; break;
		case OPT_SHARD: parse_shard(&r, optarg); break;
		case OPT_EFFECTS: r.effects_file = optarg; break;
		case OPT_ITEM_COLUMNS: r.columns_file = optarg; break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error(usage, "one input stream at most, got %d", argc - optind);
	if (!r.effects_file != !r.columns_file)
		cli_usage_error(usage, "--effects and --item-columns go together: the item effects "
		    "of the heads are compared with the columns");
	if (r.all && r.model_label)
		cli_usage_error(usage, "--all and --model choose models two ways; give one");
	if (r.pairs && k_given)
		cli_usage_error(usage, "--pairs scores every pair of a user, so -k has no meaning "
		    "with it");
	if (r.nrules == 1 && strcmp(r.rules[0], "all") == 0)
		r.every_rule = 1;
	if (r.label && (r.nrules > 1 || r.all || r.every_rule))
		cli_usage_error(usage, "--label names one ranking, not one for each rule or model");
	if (r.label && (strlen(r.label) == 0 || strlen(r.label) >= sizeof r.labels[0]))
		cli_usage_error(usage, "--label: expected 1 to %zu bytes, got '%s'",
		    sizeof r.labels[0] - 1, r.label);

	in = hs_in_open(optind < argc ? argv[optind] : "-");
	out = hs_out_open(output);
	hs_in_tee(in, out, keep_section, &r);
	dataset_init(&r.ds);
	while (hs_next_section(in, &sec)) {
		if (dataset_take(in, &sec, &r.ds))
			continue;
		if (strcmp(sec.name, "model") != 0)
			continue;
		models++;
		if (r.model_label) {
			const msgpack_object *l = hs_get(sec.meta, "label");
			if (!l || !hs_str_eq(l, r.model_label))
				continue;
		}
		if (!r.ds.have_vocab)
			hs_die(in, "a model before any vocab section");
		model_read(in, &sec, r.ds.users.n, r.ds.items.n, &m);
		if (r.all || r.model_label) {
			/* each chosen model is ranked as it comes: one model held at a time */
			prepare(&r, in);
			note_labels(&r, &m);
			rank_model(&r, &m);
			model_free(&m);
		} else {
			/* the last model is the one ranked: drop what an earlier one noted */
			if (have_held)
				model_free(&held);
			held = m;
			have_held = 1;
			r.nlabels = 0;
			note_labels(&r, &held);
		}
	}
	if (have_held) {
		prepare(&r, in);
		rank_model(&r, &held);
		model_free(&held);
	}
	if (r.nout == 0 && r.model_label && models > 0)
		die(HCR_EXIT_DATA, "%s: no model labelled '%s' among the stream's %d", hs_in_name(in),
		    r.model_label, models);
	if (r.nout == 0)
		hs_missing(in, "model", "expected the output of train-mtl");
	for (k = 0; k < r.nout; k++) {
		ranking_write(out, &r.out[k]);
		ranking_free(&r.out[k]);
	}
	hs_out_close(out);
	hs_in_close(in);
	if (r.effects) {
		FILE *fp;
		fclose(r.effects);
		fp = out_open(r.effects_file, 0);
		if (fwrite(r.effects_buf, 1, r.effects_len, fp) != r.effects_len)
			die(HCR_EXIT_IO, "%s: %s", r.effects_file, strerror(errno));
		out_close(fp);
		free(r.effects_buf);
		item_columns_free(&r.columns);
		free(r.trained);
	}
	csr_free(&r.train);
	csr_free(&r.cand);
	free(r.list);
	dataset_free(&r.ds);
	return HCR_EXIT_OK;
}
