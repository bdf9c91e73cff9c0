/* train.c: the training loop shared by every method. */
#include "train/train.h"

#include <cblas.h>
#undef I
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/meter.h"
#include "common/pool.h"
#include "common/util.h"
#include "eval/metrics.h"
#include "rank/scoring.h"
#include "rank/topk.h"
#include "train/adam.h"
#include "train/branches.h"

/* Random streams, one per purpose, so that changing one use leaves the others. */
enum { STREAM_INIT = 1, STREAM_ORDER = 2, STREAM_NEGATIVES = 3 };

struct sample {
	int32_t user, item;
	real like;
};

static void build_samples(const struct method *m, const struct split *sp, struct sample **out,
    int64_t *n)
{
	int64_t k, c = 0;
	struct sample *s = xmalloc(((size_t)sp->n + 1) * sizeof *s);
	for (k = 0; k < sp->n; k++) {
		if (sp->part[k] != PART_TRAIN)
			continue;
		if (m->samples == SAMPLES_LIKES && !sp->like[k])
			continue;
		s[c].user = sp->user[k];
		s[c].item = sp->item[k];
		s[c].like = (real)sp->like[k];
		c++;
	}
	*out = s;
	*n = c;
}

/* An item the user did not click in training, uniformly; a user who clicked nearly
 * everything gets the last draw after many tries rather than a stall. */
int32_t train_negative(struct rng *r, const struct csr *clicked, int32_t user, int64_t ni)
{
	int32_t j = 0;
	int tries;
	for (tries = 0; tries < 1000; tries++) {
		j = (int32_t)rng_below(r, (uint64_t)ni);
		if (!csr_has(clicked, user, j))
			break;
	}
	return j;
}

unsigned method_groups(const struct train_config *cfg, int k)
{
	const struct method *m = cfg->method;
	if (m->tower_groups)
		return m->tower_groups(cfg, k);
	return k < m->towers ? m->groups[k] : 0;
}

struct ad_tensor *step_bpr(struct step *s, struct ad_tensor *score)
{
	int64_t m = s->n - s->b, j;
	int32_t *pos = ad_scratch(s->tape, (size_t)(m + 1) * sizeof *pos);
	int32_t *neg = ad_scratch(s->tape, (size_t)(m + 1) * sizeof *neg);
	/* fill_batch puts the sampled items of the positives after them, in turn */
	for (j = 0; j < m; j++) {
		pos[j] = (int32_t)(j % s->b);
		neg[j] = (int32_t)(s->b + j);
	}
	return ad_bpr(s->tape, ad_gather(s->tape, score, m, pos), ad_gather(s->tape, score, m, neg));
}

void train_result_free(struct train_result *res)
{
	repset_free(&res->rs);
	free(res->log);
	memset(res, 0, sizeof *res);
}

static const char *const valid_names[] = { "ndcg", "recall", "xndcg", "xndcg_lin", "xrecall",
	"auc" };

const char *train_valid_name(int metric, int k, char *buf, size_t size)
{
	if (metric == VALID_AUC)
		snprintf(buf, size, "auc");
	else
		snprintf(buf, size, "%s@%d", valid_names[metric], k);
	return buf;
}

int train_valid_parse(const char *s, int *metric, int *k)
{
	const char *at = strchr(s, '@');
	size_t n = at ? (size_t)(at - s) : strlen(s);
	int64_t v;
	int m;
	for (m = VALID_NDCG; m <= VALID_AUC; m++)
		if (strlen(valid_names[m]) == n && strncmp(s, valid_names[m], n) == 0)
			break;
	if (m > VALID_AUC || (m == VALID_AUC) != !at)
		return -1;
	*metric = m;
	*k = 0;
	if (at) {
		if (parse_i64(at + 1, strlen(at + 1), &v) != 0 || v < 1 || v > (1 << 20))
			return -1;
		*k = (int)v;
	}
	return 0;
}

double train_validate(const struct method *m, const struct repset *rs,
    const struct valid_set *v, int threads, int64_t *users)
{
	const int64_t nu = rs->nu;
	const int exposed = v->metric >= VALID_XNDCG;
	struct scoring sc;
	struct rank_opts o = { 0 };
	struct rank_result rr;
	int32_t *list = xmalloc(((size_t)nu + 1) * sizeof *list);
	int64_t n = 0, u, q;
	int k = v->k;
	double ndcg;

	for (u = 0; u < nu; u++) {
		int liked = 0;
		if (exposed)
			for (q = v->x->x.off[u]; q < v->x->x.off[u + 1]; q++)
				liked |= v->x->like[q];
		else
			liked = csr_len(v->positives, u) > 0;
		if (liked && csr_len(v->mask, u) > 0)
			list[n++] = (int32_t)u;
	}
	*users = n;
	if (n == 0) {
		free(list);
		return 0;
	}
	if (method_scoring(m, v->rule ? v->rule : "default", rs, &sc) != 0)
		die(HCR_EXIT_FAIL, "internal: method %s cannot score by its rule %s", m->name,
		    v->rule ? v->rule : m->rules[0].name);
	o.threads = threads;
	if (exposed) {
		/* each user's validation pairs, all of them */
		for (q = 0, o.k = 1; q < n; q++)
			if (csr_len(&v->x->x, list[q]) > o.k)
				o.k = (int)csr_len(&v->x->x, list[q]);
		o.candidates = &v->x->x;
	} else {
		o.k = k;
		o.mask = v->mask;
	}
	rank_users(&sc.scorer, list, n, &o, &rr);
	if (exposed) {
		ndcg = exposed_mean(&rr, v->x, v->metric - VALID_XNDCG, k, &q);
		if (q < n)
			*users = q;
		if (isnan(ndcg))
			ndcg = 0;
	} else {
		struct metrics mt;
		metrics_eval(&rr, v->positives, 1, &k, &mt);
		ndcg = v->metric == VALID_RECALL ? mt.recall[0] : mt.ndcg[0];
		metrics_free(&mt);
	}
	if (rr.nan_keys > 0)
		die(HCR_EXIT_NUMERIC, "validation met %lld NaN scores: training diverged (try a "
		    "smaller --lr); no model written", (long long)rr.nan_keys);
	rank_result_free(&rr);
	scoring_free(&sc);
	free(list);
	return ndcg;
}

/* Every tower's group vectors for all nodes, and the method's own arrays, into rs
 * (allocated here). */
static void full_reps(struct backbone *towers, struct ad_tape *tapes, struct pool *pool,
    struct ad_tape *plan_tape, struct bb_planner *planner, const struct train_config *cfg,
    const struct train_data *data, const struct method_state *ms, struct repset *rs)
{
	const struct method *m = cfg->method;
	struct backbone *bbs[TRAIN_MAX_TOWERS] = { NULL };
	int k, g;
	memset(rs, 0, sizeof *rs);
	rs->nu = data->nu;
	rs->ni = data->ni;
	rs->dim = cfg->bb.dim;
	rs->towers = m->towers;
	rs->heads = cfg->heads;
	for (k = 0; k < m->towers; k++)
		bbs[k] = &towers[k];
	bb_full(bbs, m->towers, tapes, pool, plan_tape, planner, rs->rep);
	for (k = 0; k < m->towers; k++) {
		unsigned groups = method_groups(cfg, k);
		/* keep only the groups the method scores with */
		for (g = 0; g < GROUP_COUNT; g++)
			if (!(groups & (1u << g))) {
				free(rs->rep[k][g]);
				rs->rep[k][g] = NULL;
			}
	}
	if (m->export)
		m->export(ms, cfg, data, rs);
}

void train_config_defaults(struct train_config *cfg)
{
	/* l2 1e-4 and beta 5 train HCR's like head on every data set measured, where
	 * 1e-3 and 1 left it at the like rate's entropy (train-mtl(1), Defaults) */
	*cfg = (struct train_config){ .bb = { BB_MMGCN, 64, 128, 2, 0.01, 0 }, .lr = 1e-3,
		.l2 = 1e-4, .beta = 5, .batch = 1024, .negatives = 1, .epochs = 200, .patience = 10,
		.k_valid = 50, .seed = 1, .heads = heads_default, .threads = 1 };
}

/* A run's state: the towers and their parameters, the samples and a batch's arrays,
 * the threads. */
struct trainer {
	const struct train_config *cfg;
	const struct train_data *data;
	const struct method *m;
	const struct csr *graph;           /* MMGCN: the method's graph; MF: NULL */
	struct backbone towers[TRAIN_MAX_TOWERS];
	unsigned groups[TRAIN_MAX_TOWERS];
	struct ad_params params;
	struct method_state ms;
	struct ad_tape tape;
	struct bb_planner planner[2];      /* a step's two plans' (validation: [0]) */
	struct ad_tape plan_tape[2];       /* their memory */
	struct adam opt;
	struct adam_ranges ranges;  /* every parameter; MMGCN: those no branch owns */
	struct ad_params rest;      /* MMGCN: the parameters no branch owns */
	struct rng r_init, r_order, r_neg;
	struct csr clicked, valid_pos;
	struct exposed valid_x;
	struct sample *samples;
	int64_t n_samples;
	int32_t *order;
	/* a batch: pairs (the positives first, then each one's sampled items), their
	 * nodes, and their rows in the plan */
	int32_t *pair_u, *pair_i, *targets, *first;
	real *click, *like;
	struct pool pool;
	struct branches bs;
	int blas_threads;
	/* the like head's watch: the loss of predicting the training clicks' like rate */
	double like_entropy;
	struct epoch_meter em;     /* a progress line on a terminal, in place */
	int64_t n_batches;         /* an epoch's */
};

static void trainer_init(struct trainer *tr, const struct train_config *cfg,
    const struct train_data *data)
{
	const struct method *m = cfg->method;
	const int64_t nu = data->nu, ni = data->ni, bmax = cfg->batch;
	const int per = 1 + cfg->negatives;
	int t;
	int64_t k;

	memset(tr, 0, sizeof *tr);
	tr->cfg = cfg;
	tr->data = data;
	tr->m = m;
	tr->graph = cfg->bb.kind == BB_MMGCN ? data->graph[m->graph] : NULL;
	if (tr->graph == NULL && cfg->bb.kind == BB_MMGCN)
		die(HCR_EXIT_DATA, "no %s graph: run build-graph first",
		    m->graph == GRAPH_CLICK ? "click" : "like");
	if (m->pairwise && cfg->negatives < 1)
		die(HCR_EXIT_USAGE, "--method %s ranks each click above its sampled items: it "
		    "needs --negatives 1 or more", m->name);

	split_user_items(data->split, nu, ni, PART_TRAIN, 0, &tr->clicked);
	split_later_likes(data->split, &tr->clicked, PART_VALID, &tr->valid_pos);
	split_exposed(data->split, nu, ni, PART_VALID, &tr->valid_x);
	build_samples(m, data->split, &tr->samples, &tr->n_samples);
	if (tr->n_samples == 0)
		die(HCR_EXIT_DATA, "no training %s to learn from",
		    m->samples == SAMPLES_LIKES ? "likes" : "clicks");
	if (m->like_part) {
		double p = 0;
		for (k = 0; k < tr->n_samples; k++)
			p += tr->samples[k].like;
		p /= (double)tr->n_samples;
		tr->like_entropy = p > 0 && p < 1 ? -p * log(p) - (1 - p) * log1p(-p) : 0;
	}

	rng_init(&tr->r_init, cfg->seed, STREAM_INIT);
	rng_init(&tr->r_order, cfg->seed, STREAM_ORDER);
	rng_init(&tr->r_neg, cfg->seed, STREAM_NEGATIVES);
	for (t = 0; t < m->towers; t++) {
		char prefix[16];
		snprintf(prefix, sizeof prefix, "tower%d", t + 1);
		bb_init(&tr->towers[t], &cfg->bb, nu, ni, data->nmod, data->mods, tr->graph,
		    (t > 0 && m->shared_id) ? tr->towers[0].id_emb : NULL, &tr->params,
		    &tr->r_init, prefix);
		tr->groups[t] = method_groups(cfg, t);
	}
	if (m->init)
		m->init(&tr->ms, cfg, data, &tr->params, &tr->r_init);
	adam_init(&tr->opt, cfg->lr, cfg->l2);
	ad_tape_init(&tr->tape);
	for (k = 0; k < 2; k++) {
		bb_planner_init(&tr->planner[k], nu + ni);
		ad_tape_init(&tr->plan_tape[k]);
	}
	branches_init(&tr->bs, tr->towers, m->towers);
	if (cfg->bb.kind == BB_MMGCN) {
		/* a branch's own parameters are updated as soon as it is through */
		branches_adam_init(&tr->bs, &tr->opt, &tr->params, &tr->rest);
		adam_ranges_init(&tr->ranges, &tr->opt, &tr->rest);
	} else {
		adam_ranges_init(&tr->ranges, &tr->opt, &tr->params);
	}
	/* Threads run whole branches, each calling BLAS on one thread, and a thread out of
	 * branches takes row blocks of another's products: the same bits for any -j
	 * (BLAS's own threads would change them, in the weights' gradients). */
	pool_init(&tr->pool, cfg->threads);
	ad_set_pool(&tr->pool);
	tr->blas_threads = openblas_get_num_threads();
	if (tr->blas_threads != 1)
		openblas_set_num_threads(1);

	tr->order = xmalloc((size_t)tr->n_samples * sizeof *tr->order);
	for (k = 0; k < tr->n_samples; k++)
		tr->order[k] = (int32_t)k;
	tr->pair_u = xmalloc((size_t)(bmax * per) * sizeof *tr->pair_u);
	tr->pair_i = xmalloc((size_t)(bmax * per) * sizeof *tr->pair_i);
	tr->targets = xmalloc((size_t)(2 * bmax * per) * sizeof *tr->targets);
	tr->first = xmalloc((size_t)bmax * sizeof *tr->first);
	tr->click = xmalloc((size_t)(bmax * per) * sizeof *tr->click);
	tr->like = xmalloc((size_t)(bmax * per) * sizeof *tr->like);
	for (k = 0; k < bmax; k++)
		tr->first[k] = (int32_t)k;
	tr->n_batches = (tr->n_samples + bmax - 1) / bmax;
	if (cfg->max_batches > 0 && cfg->max_batches < tr->n_batches)
		tr->n_batches = cfg->max_batches;
	epoch_meter_start(&tr->em, cfg->epochs, cfg->patience);
}

static void trainer_free(struct trainer *tr)
{
	free(tr->order);
	free(tr->pair_u);
	free(tr->pair_i);
	free(tr->targets);
	free(tr->first);
	free(tr->click);
	free(tr->like);
	free(tr->samples);
	csr_free(&tr->clicked);
	csr_free(&tr->valid_pos);
	exposed_free(&tr->valid_x);
	if (tr->blas_threads != 1)
		openblas_set_num_threads(tr->blas_threads);
	ad_set_pool(NULL);
	pool_free(&tr->pool);
	branches_free(&tr->bs);
	for (int t = 0; t < tr->m->towers; t++)
		bb_free(&tr->towers[t]);
	adam_ranges_free(&tr->ranges);
	free(tr->rest.p);
	for (int k = 0; k < 2; k++) {
		bb_planner_free(&tr->planner[k]);
		ad_tape_free(&tr->plan_tape[k]);
	}
	ad_tape_free(&tr->tape);
	ad_params_free(&tr->params);
	free(tr->ms.data);
}

/* The batch of the b samples from order[start]: the positives first, then each one's
 * sampled items, drawn now. */
static void fill_batch(struct trainer *tr, int64_t start, int64_t b)
{
	const int64_t nu = tr->data->nu, ni = tr->data->ni, n = b * (1 + tr->cfg->negatives);
	int64_t j;
	for (j = 0; j < b; j++) {
		const struct sample *sm = &tr->samples[tr->order[start + j]];
		tr->pair_u[j] = sm->user;
		tr->pair_i[j] = sm->item;
		tr->click[j] = 1;
		tr->like[j] = sm->like;
	}
	for (j = 0; j < b * tr->cfg->negatives; j++) {
		int32_t u = tr->pair_u[j % b];
		tr->pair_u[b + j] = u;
		tr->pair_i[b + j] = train_negative(&tr->r_neg, &tr->clicked, u, ni);
		tr->click[b + j] = 0;
		tr->like[b + j] = 0;
	}
	for (j = 0; j < n; j++) {
		tr->targets[2 * j] = tr->pair_u[j];
		tr->targets[2 * j + 1] = (int32_t)nu + tr->pair_i[j];
	}
}

/* One step on the batch of b positives: the plan, the towers' scores of its pairs, the
 * loss, its gradients and Adam's update.  Returns the loss, its parts in parts. */
static double train_step(struct trainer *tr, int64_t b, int epoch, int64_t batch,
    double parts[3])
{
	const struct train_config *cfg = tr->cfg;
	const struct method *m = tr->m;
	const int64_t nu = tr->data->nu, n = b * (1 + cfg->negatives);
	struct ad_tape *tape = &tr->tape;
	struct step s;
	struct step_plans sp;
	struct ad_tensor *loss, *out[TRAIN_MAX_TOWERS][BB_MAX_MODALITIES];
	int t, g, bad;

	ad_tape_reset(tape);
	step_plans_build(&sp, tr->planner, tr->plan_tape, &tr->pool, tr->graph, &cfg->bb, nu,
	    m->towers, tr->graph ? m->positives_towers : 0, tr->targets, n, b);
	memset(&s, 0, sizeof s);
	s.tape = tape;
	s.cfg = cfg;
	s.b = b;
	s.n = n;
	s.click = tr->click;
	s.like = tr->like;
	s.first = tr->first;
	s.pair_u = tr->pair_u;
	s.pair_i = tr->pair_i;
	s.ms = &tr->ms;
	if (cfg->bb.kind == BB_MMGCN)
		branches_forward(&tr->bs, &tr->pool, tape, sp.of, out);
	else
		for (t = 0; t < m->towers; t++)
			bb_forward(&tr->towers[t], tape, sp.of[t], out[t]);
	for (t = 0; t < m->towers; t++) {
		for (g = 0; g < GROUP_COUNT; g++) {
			struct ad_tensor *rep;
			if (!(tr->groups[t] & (1u << g)))
				continue;
			rep = bb_group(&tr->towers[t], tape, sp.of[t], out[t], (enum rep_group)g);
			if (rep)
				s.y[t][g] = ad_rowdot(tape, ad_gather(tape, rep, n, sp.ru[t]),
				    ad_gather(tape, rep, n, sp.ri[t]));
		}
	}
	loss = m->loss(&s, parts);
	if (!ad_all_finite(loss))
		die(HCR_EXIT_NUMERIC, "epoch %d, batch %lld: the loss is %s; training "
		    "diverged (try a smaller --lr); no model written", epoch,
		    (long long)batch + 1, isnan(loss->val[0]) ? "NaN" : "infinite");
	ad_backward(tape, loss);
	adam_next(&tr->opt);
	bad = cfg->bb.kind == BB_MMGCN ? branches_backward(&tr->bs, &tr->pool) : 0;
	if (adam_run_ranges(&tr->ranges, &tr->pool) != 0 || bad)
		die(HCR_EXIT_NUMERIC, "epoch %d, batch %lld: a gradient is not finite; "
		    "training diverged (try a smaller --lr); no model written", epoch,
		    (long long)batch + 1);
	return loss->val[0];
}

/* The like head's watch (train-mtl(1), Defaults).  H(p), the like rate's entropy (ln 2
 * at p = 1/2), is the loss of predicting the rate alone: a like loss not LIKE_NEAR below
 * it at the epoch kept has learned nothing about the pairs, and -v says so.  Measured,
 * no earlier epoch tells: MF's like loss starts near 1.16 (a product of three
 * sigmoids near 1/2) and trained runs pass H(p) anywhere from epoch 3 to 135. */
#define LIKE_NEAR 0.01
static void like_check(struct trainer *tr, const struct train_result *res)
{
	double like;
	if (!tr->m->like_part || res->best_epoch < 1)
		return;
	like = res->log[res->best_epoch - 1].part[tr->m->like_part - 1];
	if (like > tr->like_entropy - LIKE_NEAR)
		verbose("warning: the like loss %.4f of the epoch kept (%d) is not below the like "
		    "rate's entropy %.4f: the like head learned nothing (train-mtl(1), Defaults: a "
		    "smaller --l2, a larger --beta, more epochs)", like, res->best_epoch,
		    tr->like_entropy);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of x[0 .. n) (reordered), 0 for none. */
static double median_of(double *x, int64_t n)
{
	if (n == 0)
		return 0;
	qsort(x, (size_t)n, sizeof *x, cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* The epoch's end: every node's representations, validation, the log, and the best
 * epoch's representations kept.  Returns 1 when patience has run out. */
static int end_epoch(struct trainer *tr, int epoch, int64_t batches, double sum,
    const double sum_part[3], double t0, double t1, double cpu, double median,
    int64_t *since_best, struct train_result *res)
{
	const struct train_config *cfg = tr->cfg;
	const struct method *m = tr->m;
	const int64_t bmax = cfg->batch;
	struct repset cur;
	struct epoch_log *log;
	struct valid_set vs = { cfg->valid_metric, cfg->k_valid, cfg->valid_rule, &tr->clicked,
		&tr->valid_pos, &tr->valid_x };
	double valid;
	int t;
	char vname[32];

	for (t = 0; t < tr->bs.n; t++)
		tr->bs.br[t].leaf = NULL;
	full_reps(tr->towers, tr->bs.tapes, &tr->pool, &tr->tape, &tr->planner[0], cfg, tr->data,
	    &tr->ms, &cur);
	valid = train_validate(m, &cur, &vs, cfg->threads, &res->valid_users);
	if (res->valid_users == 0)
		die(HCR_EXIT_DATA, "no validation user (one with a training click and a "
		    "validation like%s): no epoch can be selected, so no model is written",
		    cfg->valid_metric == VALID_AUC ? ", and a validation pair not liked" : "");
	res->log = xreallocarray(res->log, (size_t)epoch, sizeof *res->log);
	log = &res->log[epoch - 1];
	log->epoch = epoch;
	log->loss = batches ? sum / (double)batches : 0;
	for (t = 0; t < 3; t++)
		log->part[t] = batches ? sum_part[t] / (double)batches : 0;
	log->valid = valid;
	log->seconds = now_seconds() - t0;
	res->epochs = epoch;
	if (valid > res->best_valid) {
		/* the best epoch's representations are what the model keeps */
		repset_free(&res->rs);
		res->rs = cur;
		res->best_valid = valid;
		res->best_epoch = epoch;
		*since_best = 0;
	} else {
		repset_free(&cur);
		(*since_best)++;
	}
	{
		char parts[160] = "";
		for (t = 0; t < 3 && m->part_names[t]; t++)
			snprintf(parts + strlen(parts), sizeof parts - strlen(parts), "%s%s %.4f",
			    t ? ", " : "", m->part_names[t], log->part[t]);
		progress("epoch %d: loss %.4f (%s), valid %s %.4f (best %.4f at epoch "
		    "%d), %.1f s", epoch, log->loss, parts, train_valid_name(cfg->valid_metric,
			cfg->k_valid, vname, sizeof vname), valid, res->best_valid, res->best_epoch,
		    log->seconds);
	}
	/* the split lets a timing run of --max-batches extrapolate to a whole epoch; the
	 * CPU seconds (all threads) move less than the wall's on a shared machine, and the
	 * median leaves out the first batches' one-time cost (memory first touched) */
	verbose("epoch %d: %lld of %lld batches in %.3f s (%.4f s a batch), validation %.3f s; "
	    "cpu %.3f s in the batches; median batch %.4f s", epoch, (long long)batches,
	    (long long)((tr->n_samples + bmax - 1) / bmax), t1 - t0,
	    batches ? (t1 - t0) / (double)batches : 0, log->seconds - (t1 - t0), cpu, median);
	return *since_best >= cfg->patience;
}

void train_run(const struct train_config *cfg, const struct train_data *data,
    struct train_result *res)
{
	struct trainer tr;
	const int64_t bmax = cfg->batch;
	int64_t since_best = 0;
	int epoch;
	double *took;

	memset(res, 0, sizeof *res);
	res->best_epoch = 0;
	res->best_valid = -1;
	trainer_init(&tr, cfg, data);
	if (cfg->bb.history && tr.graph) {
		/* the histories start from a full pass, as every epoch's validation renews
		 * them */
		struct repset rs;
		full_reps(tr.towers, tr.bs.tapes, &tr.pool, &tr.tape, &tr.planner[0], cfg, data,
		    &tr.ms, &rs);
		repset_free(&rs);
	}
	took = xmalloc(((size_t)tr.n_batches + 1) * sizeof *took);
	for (epoch = 1; epoch <= cfg->epochs; epoch++) {
		double t0 = now_seconds(), c0 = cpu_seconds(), sum = 0;
		double sum_part[3] = { 0, 0, 0 };
		int64_t batches = 0, start;
		int g;

		rng_shuffle_i32(&tr.r_order, tr.order, (size_t)tr.n_samples);
		for (start = 0; start < tr.n_samples; start += bmax) {
			int64_t b = tr.n_samples - start < bmax ? tr.n_samples - start : bmax;
			double parts[3];
			if (cfg->max_batches > 0 && batches >= cfg->max_batches)
				break;
			took[batches] = now_seconds();
			fill_batch(&tr, start, b);
			sum += train_step(&tr, b, epoch, batches, parts);
			took[batches] = now_seconds() - took[batches];
			for (g = 0; g < 3; g++)
				sum_part[g] += parts[g];
			batches++;
			epoch_meter(&tr.em, epoch, batches, tr.n_batches, res->best_valid,
			    res->best_epoch, (int)since_best);
		}
		if (end_epoch(&tr, epoch, batches, sum, sum_part, t0, now_seconds(),
		    cpu_seconds() - c0, median_of(took, batches), &since_best, res)) {
			res->stopped = "early stop";
			break;
		}
	}
	if (!res->stopped)
		res->stopped = "epoch limit";
	free(took);
	like_check(&tr, res);
	meter_clear();
	trainer_free(&tr);
}
