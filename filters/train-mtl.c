/* train-mtl: trains a method (HCR, its variants, the baselines) on the stream's
 * training split, graphs and item modalities; appends the model section. */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/lists.h"
#include "common/stream.h"
#include "ingest/dataset.h"
#include "ingest/feature.h"
#include "ingest/graph.h"
#include "train/methods/methods.h"
#include "train/model.h"
#include "train/train.h"

static const char usage[] =
    "train-mtl [--method M] [--backbone mmgcn|mf] [--lr R] [--l2 L] [--beta B]\n"
    "                 [--dim D] [--latent D] [--layers L] [--batch N] [--negatives N]\n"
    "                 [--epochs N] [--patience N] [--seed S] [--frozen] [--modalities A,B]\n"
    "                 [--h1 G] [--h2 G] [--h1-tower click|like] [--h2-item] [--history]\n"
    "                 [--centre users|clicks] [--valid-metric M@K] [--valid-rule R]\n"
    "                 [--one-role] [--max-batches N] [--label NAME] [-j N] [-v] [-o FILE]\n"
    "                 [FILE]\n";

enum {
	OPT_METHOD = CLI_FIRST_TOOL_OPTION, OPT_BACKBONE, OPT_LR, OPT_L2, OPT_BETA, OPT_DIM,
	OPT_LATENT, OPT_LAYERS, OPT_BATCH, OPT_NEGATIVES, OPT_EPOCHS, OPT_PATIENCE, OPT_SEED,
	OPT_FROZEN, OPT_MODALITIES, OPT_MAX_BATCHES, OPT_LABEL, OPT_H1, OPT_H2, OPT_H1_TOWER,
	OPT_H2_ITEM, OPT_CENTRE, OPT_VALID_METRIC, OPT_VALID_RULE, OPT_ONE_ROLE, OPT_HISTORY,
};

/* A method that tells exposure from content (its towers score with the e or c group:
 * HCR, HCR-NS, CR) learns nothing of the kind from modalities of one role: its
 * exposure and content heads would see the same features.  It refuses, naming the
 * fix, unless told to go on. */
static void check_roles(const struct train_config *cfg, const struct bb_modality *mods,
    int nmod, int go_on)
{
	unsigned groups = 0;
	int k, roles = 0;
	char names[256] = "";
	for (k = 0; k < cfg->method->towers; k++)
		groups |= method_groups(cfg, k);
	if (!(groups & ((1u << GROUP_E) | (1u << GROUP_C))) || go_on)
		return;
	for (k = 0; k < nmod; k++) {
		roles |= 1 << mods[k].role;
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "",
		    mods[k].name);
	}
	/* no modality at all (ids alone, on MF) is a model of its own, not a mistake */
	if (nmod == 0 || roles == ((1 << ROLE_EXPOSURE) | (1 << ROLE_CONTENT)))
		return;
	die(HCR_EXIT_USAGE, "--method %s tells exposure from content, but every modality (%s) is "
	    "%s: its exposure and content heads would see the same features.  Give modalities of "
	    "both roles (extract-features -m NAME:%s=FILE), or --one-role to train it anyway",
	    cfg->method->name, names, roles == (1 << ROLE_EXPOSURE) ? "exposure" : "content",
	    roles == (1 << ROLE_EXPOSURE) ? "content" : "exposure");
}

struct keep_arg {
	const char *label;
};

/* A model of the same label is replaced by the one trained now. */
static int keep_section(const struct hs_section *sec, void *arg)
{
	const struct keep_arg *k = arg;
	const msgpack_object *l;
	if (strcmp(sec->name, "model") != 0)
		return 1;
	l = hs_get(sec->meta, "label");
	return !(l && hs_str_eq(l, k->label));
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ OPT_METHOD, "method", "M", "hcr (default), hcr-ns, ct, esmm, cr, dcf, ..." },
	{ OPT_BACKBONE, "backbone", "mmgcn|mf", "the representation model (default mmgcn)" },
	{ OPT_LR, "lr", "R", "Adam's learning rate (default 0.001)" },
	{ OPT_L2, "l2", "L", "weight decay (default 0.0001)" },
	{ OPT_BETA, "beta", "B", "the weight of HCR's like task (default 5)" },
	{ OPT_DIM, "dim", "D", "output size (default 64)" },
	{ OPT_LATENT, "latent", "D", "MMGCN's preference and MLP size (default 128)" },
	{ OPT_LAYERS, "layers", "L", "MMGCN's graph layers, 1 to 3 (default 2)" },
	{ OPT_BATCH, "batch", "N", "training records a mini-batch (default 1024)" },
	{ OPT_NEGATIVES, "negatives", "N", "sampled items a record (default 1)" },
	{ OPT_EPOCHS, "epochs", "N", "at most N epochs (default 200)" },
	{ OPT_PATIENCE, "patience", "N", "stop after N epochs without a gain (default 10)" },
	{ OPT_SEED, "seed", "S", "the random seed (default 1)" },
	{ OPT_FROZEN, "frozen", NULL, "keep preferences and id_emb at their start" },
	{ OPT_MODALITIES, "modalities", "A,B", "only these feature sections" },
	{ OPT_H1, "h1", "G", "the groups (z, e, c) of h1 (default z)" },
	{ OPT_H2, "h2", "G", "the groups of h2 (default e,c)" },
	{ OPT_H1_TOWER, "h1-tower", "click|like", "the backbone h1 reads (default like)" },
	{ OPT_H2_ITEM, "h2-item", NULL, "give h2 a per-item factor" },
	{ OPT_CENTRE, "centre", "users|clicks", "users in h1's centring: alike (default), by clicks" },
	{ OPT_VALID_METRIC, "valid-metric", "M@K", "early stopping's metric (default ndcg@50)" },
	{ OPT_VALID_RULE, "valid-rule", "R", "validation's rule (default the method's own)" },
	{ OPT_ONE_ROLE, "one-role", NULL, "train HCR or CR on modalities of one role" },
	{ OPT_HISTORY, "history", NULL, "MMGCN: stored embeddings for out-of-batch nodes" },
	{ OPT_MAX_BATCHES, "max-batches", "N", "end each epoch after N batches (for timing)" },
	{ OPT_LABEL, "label", "NAME", "the model's label (default: the method)" },
	{ 'j', "threads", "N", "threads (default 1); the model is the same bits" },
	{ 'v', "verbose", NULL, "the data, each epoch's times, the best epoch" },
	{ CLI_PROGRESS, "progress", NULL, "a line an epoch (default on a terminal)" },
	CLI_OPTION_OUTPUT,
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct train_config cfg;
	struct train_data data;
	struct train_result res;
	struct dataset ds;
	struct graph_set gs;
	struct feature_set fs;
	struct bb_modality mods[BB_MAX_MODALITIES];
	real *weights[BB_MAX_MODALITIES];
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	struct keep_arg keep;
	const char *output = NULL, *method = "hcr", *modalities = NULL, *label = NULL;
	int c, k, nmod = 0, one_role = 0;
	char vname[32];

	tool_init("train-mtl", argc, argv);
	train_config_defaults(&cfg);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case OPT_METHOD: method = optarg; break;
		case OPT_BACKBONE:
			if (strcmp(optarg, "mmgcn") == 0)
				cfg.bb.kind = BB_MMGCN;
			else if (strcmp(optarg, "mf") == 0)
				cfg.bb.kind = BB_MF;
			else
				cli_usage_error(usage, "--backbone: expected mmgcn or mf, got '%s'", optarg);
			break;
		case OPT_LR: cfg.lr = opt_double("--lr", optarg, 1e-9, 10); break;
		case OPT_L2: cfg.l2 = opt_double("--l2", optarg, 0, 10); break;
		case OPT_BETA: cfg.beta = opt_double("--beta", optarg, 0, 1e6); break;
		case OPT_DIM: cfg.bb.dim = (int)opt_long("--dim", optarg, 1, 4096); break;
		case OPT_LATENT: cfg.bb.latent = (int)opt_long("--latent", optarg, 1, 4096); break;
		case OPT_LAYERS: cfg.bb.layers = (int)opt_long("--layers", optarg, 1, BB_MAX_LAYERS); break;
		case OPT_BATCH: cfg.batch = (int)opt_long("--batch", optarg, 1, 1 << 20); break;
		case OPT_NEGATIVES: cfg.negatives = (int)opt_long("--negatives", optarg, 0, 1000); break;
		case OPT_EPOCHS: cfg.epochs = (int)opt_long("--epochs", optarg, 1, 1000000); break;
		case OPT_PATIENCE: cfg.patience = (int)opt_long("--patience", optarg, 1, 1000000); break;
		case OPT_SEED: cfg.seed = (uint64_t)opt_long("--seed", optarg, 0, 1L << 62); break;
		case OPT_FROZEN: cfg.bb.frozen = 1; break;
		case OPT_MODALITIES: modalities = optarg; break;
		case OPT_MAX_BATCHES: cfg.max_batches = (int)opt_long("--max-batches", optarg, 1, 1 << 30); break;
		case OPT_LABEL: label = optarg; break;
		case OPT_H1:
		case OPT_H2:
			if (heads_groups_parse(optarg, c == OPT_H1 ? &cfg.heads.h1 : &cfg.heads.h2) != 0)
				cli_usage_error(usage, "--h%d: expected groups among z, e, c (as 'e,c'), "
				    "got '%s'", c == OPT_H1 ? 1 : 2, optarg);
			break;
		case OPT_H1_TOWER:
			if (strcmp(optarg, "click") == 0)
				cfg.heads.h1_tower = 1;
			else if (strcmp(optarg, "like") == 0)
				cfg.heads.h1_tower = 2;
			else
				cli_usage_error(usage, "--h1-tower: expected click or like, got '%s'", optarg);
			break;
		case OPT_H2_ITEM: cfg.heads.h2_item = 1; break;
		case OPT_CENTRE:
			for (cfg.heads.centre = 0; cfg.heads.centre < CENTRE_KINDS &&
			    strcmp(optarg, centre_names[cfg.heads.centre]) != 0; cfg.heads.centre++)
				;
			if (cfg.heads.centre == CENTRE_KINDS)
				cli_usage_error(usage, "--centre: expected users or clicks, got '%s'", optarg);
			break;
		case OPT_VALID_METRIC:
			if (train_valid_parse(optarg, &cfg.valid_metric, &cfg.k_valid) != 0)
				cli_usage_error(usage, "--valid-metric: expected ndcg@K, recall@K, xndcg@K, "
				    "xndcg_lin@K, xrecall@K or auc, got '%s'", optarg);
			break;
		case OPT_VALID_RULE: cfg.valid_rule = optarg; break;
		case OPT_ONE_ROLE: one_role = 1; break;
		case OPT_HISTORY: cfg.bb.history = 1; break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error(usage, "one input at most, got %d", argc - optind);
	if (cfg.bb.history && cfg.bb.kind != BB_MMGCN)
		cli_usage_error(usage, "--history: for the mmgcn backbone only (mf has no graph)");
	cfg.method = method_find(method);
	if (!cfg.method)
		cli_usage_error(usage, "--method: expected one of %s, got '%s'", method_names(), method);
	if (cfg.valid_rule && !method_rule(cfg.method, cfg.valid_rule)) {
		char rules[256];
		cli_usage_error(usage, "--valid-rule: method %s ranks by %s, got '%s'", method,
		    method_rule_names(cfg.method, rules, sizeof rules), cfg.valid_rule);
	}
	cfg.threads = hcr_tool.threads;
	hcr_tool.seed = (int64_t)cfg.seed;
	keep.label = label ? label : method;

	in = hs_in_open(optind < argc ? argv[optind] : "-");
	out = hs_out_open(output);
	hs_in_tee(in, out, keep_section, &keep);
	dataset_init(&ds);
	graph_set_init(&gs);
	feature_set_init(&fs);
	while (hs_next_section(in, &sec))
		if (!dataset_take(in, &sec, &ds) && !graph_take(in, &sec, &ds, &gs))
			feature_take(in, &sec, &ds, &fs);
	dataset_require(in, &ds);

	memset(&data, 0, sizeof data);
	data.nu = ds.users.n;
	data.ni = ds.items.n;
	data.split = &ds.split;
	if (cfg.bb.kind == BB_MMGCN)
		data.graph[cfg.method->graph] =
		    &graph_require(in, &gs, cfg.method->graph)->adj;
	for (k = 0; k < fs.n; k++) {
		const struct feature *f = &fs.f[k];
		if (modalities && !list_has(modalities, f->name))
			continue;
		if (nmod == BB_MAX_MODALITIES)
			die(HCR_EXIT_USAGE, "more than %d modalities; choose with --modalities",
			    BB_MAX_MODALITIES);
		mods[nmod].name = f->name;
		mods[nmod].role = f->role == FEAT_EXPOSURE ? ROLE_EXPOSURE : ROLE_CONTENT;
		mods[nmod].is_bag = f->kind == FEAT_BAG;
		mods[nmod].dim = f->kind == FEAT_BAG ? f->vocab : f->dim;
		mods[nmod].x = f->x;
		mods[nmod].bag = f->kind == FEAT_BAG ? &f->bag : NULL;
		weights[nmod] = NULL;
		if (f->kind == FEAT_BAG && f->weights) {
			int64_t j, nnz = f->bag.off[f->bag.rows];
			weights[nmod] = xmalloc(((size_t)nnz + 1) * sizeof(real));
			for (j = 0; j < nnz; j++)
				weights[nmod][j] = (real)f->weights[j];
		}
		mods[nmod].weights = weights[nmod];
		nmod++;
	}
	if (modalities) {
		/* every name asked for must exist */
		char *names = xstrdup(modalities), *asked[BB_MAX_MODALITIES + 1];
		int n = list_split(names, asked, BB_MAX_MODALITIES + 1), j;
		if (n < 0)
			die(HCR_EXIT_USAGE, "--modalities: more than %d names", BB_MAX_MODALITIES + 1);
		for (j = 0; j < n; j++) {
			int found = 0;
			for (k = 0; k < nmod; k++)
				found |= strcmp(mods[k].name, asked[j]) == 0;
			if (!found)
				die(HCR_EXIT_USAGE, "--modalities: no feature section named '%s'", asked[j]);
		}
		free(names);
	}
	data.nmod = nmod;
	data.mods = mods;
	check_roles(&cfg, mods, nmod, one_role);
	verbose("%s on %s: %lld users, %lld items, %d modalities, %lld training records",
	    cfg.method->name, cfg.bb.kind == BB_MMGCN ? "mmgcn" : "mf", (long long)data.nu,
	    (long long)data.ni, nmod, (long long)split_count(&ds.split, PART_TRAIN));

	train_run(&cfg, &data, &res);
	verbose("best epoch %d of %d (%s): validation %s %.4f over %lld users",
	    res.best_epoch, res.epochs, res.stopped, train_valid_name(cfg.valid_metric,
		cfg.k_valid, vname, sizeof vname), res.best_valid, (long long)res.valid_users);
	model_write(out, &cfg, &data, &res, keep.label);
	hs_out_close(out);
	hs_in_close(in);
	train_result_free(&res);
	for (k = 0; k < nmod; k++)
		free(weights[k]);
	feature_set_free(&fs);
	graph_set_free(&gs);
	dataset_free(&ds);
	return HCR_EXIT_OK;
}
