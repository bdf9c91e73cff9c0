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

void train_result_free(struct train_result *res)
{
	repset_free(&res->rs);
	free(res->log);
	memset(res, 0, sizeof *res);
}

double train_validate(const struct method *m, const struct repset *rs,
    const struct csr *mask, const struct csr *positives, int k, int threads,
    int64_t *users)
{
	const int64_t nu = rs->nu;
	struct scoring sc;
	struct rank_opts o = { 0 };
	struct rank_result rr;
	int32_t *list = xmalloc(((size_t)nu + 1) * sizeof *list);
	int64_t n = 0, u;
	double ndcg;

	for (u = 0; u < nu; u++)
		if (csr_len(positives, u) > 0 && csr_len(mask, u) > 0)
			list[n++] = (int32_t)u;
	*users = n;
	if (n == 0) {
		free(list);
		return 0;
	}
	if (scoring_from_set(&sc, m->name, m->default_rule, rs) != 0)
		die(HCR_EXIT_FAIL, "internal: method %s cannot score by its rule %s", m->name,
		    m->default_rule);
	o.k = k;
	o.threads = threads;
	o.mask = mask;
	rank_users(&sc.scorer, list, n, &o, &rr);
	{
		struct metrics mt;
		metrics_eval(&rr, positives, 1, &k, &mt);
		ndcg = mt.ndcg[0];
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

void train_run(const struct train_config *cfg, const struct train_data *data,
    struct train_result *res)
{
	const struct method *m = cfg->method;
	const int64_t nu = data->nu, ni = data->ni;
	const struct csr *graph = cfg->bb.kind == BB_MMGCN ? data->graph[m->graph] : NULL;
	struct backbone towers[TRAIN_MAX_TOWERS];
	struct ad_params params = { 0 };
	struct ad_tape tape;
	struct bb_planner planner;
	struct adam opt;
	struct rng r_init, r_order, r_neg;
	struct csr clicked, valid_pos;
	struct sample *samples;
	int64_t n_samples, k, since_best = 0, n_batches;
	int32_t *order, *pair_u, *pair_i, *targets, *ru, *ri, *first;
	real *click, *like;
	const int per = 1 + cfg->negatives;
	const int64_t bmax = cfg->batch;
	struct repset cur;
	struct method_state ms;
	unsigned groups[TRAIN_MAX_TOWERS];
	int t, g, epoch, blas_threads;
	struct pool pool;
	struct branches bs;
	struct adam_ranges aj;
	struct epoch_meter em;

	memset(res, 0, sizeof *res);
	memset(&ms, 0, sizeof ms);
	res->best_epoch = 0;
	res->best_valid = -1;
	if (graph == NULL && cfg->bb.kind == BB_MMGCN)
		die(HCR_EXIT_DATA, "no %s graph: run build-graph first",
		    m->graph == GRAPH_CLICK ? "click" : "like");

	split_user_items(data->split, nu, ni, PART_TRAIN, 0, &clicked);
	split_user_items(data->split, nu, ni, PART_VALID, 1, &valid_pos);
	build_samples(m, data->split, &samples, &n_samples);
	if (n_samples == 0)
		die(HCR_EXIT_DATA, "no training %s to learn from",
		    m->samples == SAMPLES_LIKES ? "likes" : "clicks");

	rng_init(&r_init, cfg->seed, STREAM_INIT);
	rng_init(&r_order, cfg->seed, STREAM_ORDER);
	rng_init(&r_neg, cfg->seed, STREAM_NEGATIVES);
	for (t = 0; t < m->towers; t++) {
		char prefix[16];
		snprintf(prefix, sizeof prefix, "tower%d", t + 1);
		bb_init(&towers[t], &cfg->bb, nu, ni, data->nmod, data->mods, graph,
		    (t > 0 && m->shared_id) ? towers[0].id_emb : NULL, &params, &r_init, prefix);
		groups[t] = method_groups(cfg, t);
	}
	if (m->init)
		m->init(&ms, cfg, data, &params, &r_init);
	adam_init(&opt, cfg->lr, cfg->l2);
	adam_ranges_init(&aj, &opt, &params);
	ad_tape_init(&tape);
	bb_planner_init(&planner, nu + ni);
	branches_init(&bs, towers, m->towers);
	/* Threads run whole branches, each calling BLAS on one thread: the same bits for
	 * any -j (BLAS's own threads would change them, and help little at these sizes). */
	pool_init(&pool, cfg->threads);
	blas_threads = openblas_get_num_threads();
	if (blas_threads != 1)
		openblas_set_num_threads(1);

	order = xmalloc((size_t)n_samples * sizeof *order);
	for (k = 0; k < n_samples; k++)
		order[k] = (int32_t)k;
	pair_u = xmalloc((size_t)(bmax * per) * sizeof *pair_u);
	pair_i = xmalloc((size_t)(bmax * per) * sizeof *pair_i);
	targets = xmalloc((size_t)(2 * bmax * per) * sizeof *targets);
	ru = xmalloc((size_t)(bmax * per) * sizeof *ru);
	ri = xmalloc((size_t)(bmax * per) * sizeof *ri);
	first = xmalloc((size_t)bmax * sizeof *first);
	click = xmalloc((size_t)(bmax * per) * sizeof *click);
	like = xmalloc((size_t)(bmax * per) * sizeof *like);
	for (k = 0; k < bmax; k++)
		first[k] = (int32_t)k;

	/* a progress line on a terminal, in place */
	n_batches = (n_samples + bmax - 1) / bmax;
	if (cfg->max_batches > 0 && cfg->max_batches < n_batches)
		n_batches = cfg->max_batches;
	epoch_meter_start(&em, cfg->epochs, cfg->patience);
	for (epoch = 1; epoch <= cfg->epochs; epoch++) {
		double t0 = now_seconds(), c0 = cpu_seconds(), t1, c1, sum = 0;
		double sum_part[3] = { 0, 0, 0 }, valid;
		int64_t batches = 0, start;
		struct epoch_log *log;

		rng_shuffle_i32(&r_order, order, (size_t)n_samples);
		for (start = 0; start < n_samples; start += bmax) {
			int64_t b = n_samples - start < bmax ? n_samples - start : bmax;
			int64_t n = b * per, j;
			struct step s;
			struct bb_plan plan;
			struct ad_tensor *loss, *out[TRAIN_MAX_TOWERS][BB_MAX_MODALITIES];
			double parts[3];

			if (cfg->max_batches > 0 && batches >= cfg->max_batches)
				break;
			/* the positives first, then each one's sampled items */
			for (j = 0; j < b; j++) {
				const struct sample *sm = &samples[order[start + j]];
				pair_u[j] = sm->user;
				pair_i[j] = sm->item;
				click[j] = 1;
				like[j] = sm->like;
			}
			for (j = 0; j < b * cfg->negatives; j++) {
				int32_t u = pair_u[j % b];
				pair_u[b + j] = u;
				pair_i[b + j] = train_negative(&r_neg, &clicked, u, ni);
				click[b + j] = 0;
				like[b + j] = 0;
			}
			for (j = 0; j < n; j++) {
				targets[2 * j] = pair_u[j];
				targets[2 * j + 1] = (int32_t)nu + pair_i[j];
			}
			ad_tape_reset(&tape);
			bb_plan_build(&plan, &planner, &tape, graph, cfg->bb.layers, nu, targets, 2 * n);
			for (j = 0; j < n; j++) {
				ru[j] = bb_plan_row(&planner, pair_u[j]);
				ri[j] = bb_plan_row(&planner, (int32_t)nu + pair_i[j]);
			}
			memset(&s, 0, sizeof s);
			s.tape = &tape;
			s.cfg = cfg;
			s.b = b;
			s.n = n;
			s.click = click;
			s.like = like;
			s.first = first;
			s.pair_u = pair_u;
			s.pair_i = pair_i;
			s.ms = &ms;
			if (cfg->bb.kind == BB_MMGCN)
				branches_forward(&bs, &pool, &tape, &plan, out);
			else
				for (t = 0; t < m->towers; t++)
					bb_forward(&towers[t], &tape, &plan, out[t]);
			for (t = 0; t < m->towers; t++) {
				for (g = 0; g < GROUP_COUNT; g++) {
					struct ad_tensor *rep;
					if (!(groups[t] & (1u << g)))
						continue;
					rep = bb_group(&towers[t], &tape, &plan, out[t], (enum rep_group)g);
					if (rep)
						s.y[t][g] = ad_rowdot(&tape, ad_gather(&tape, rep, n, ru),
						    ad_gather(&tape, rep, n, ri));
				}
			}
			loss = m->loss(&s, parts);
			if (!ad_all_finite(loss))
				die(HCR_EXIT_NUMERIC, "epoch %d, batch %lld: the loss is %s; training "
				    "diverged (try a smaller --lr); no model written", epoch,
				    (long long)batches + 1, isnan(loss->val[0]) ? "NaN" : "infinite");
			ad_backward(&tape, loss);
			if (cfg->bb.kind == BB_MMGCN)
				branches_backward(&bs, &pool);
			if (adam_step_ranges(&aj, &pool) != 0)
				die(HCR_EXIT_NUMERIC, "epoch %d, batch %lld: a gradient is not finite; "
				    "training diverged (try a smaller --lr); no model written", epoch,
				    (long long)batches + 1);
			sum += loss->val[0];
			for (g = 0; g < 3; g++)
				sum_part[g] += parts[g];
			batches++;
			epoch_meter(&em, epoch, batches, n_batches, res->best_valid, res->best_epoch,
			    since_best);
		}

		t1 = now_seconds();
		c1 = cpu_seconds();
		for (t = 0; t < bs.n; t++)
			bs.br[t].leaf = NULL;
		full_reps(towers, bs.tapes, &pool, &tape, &planner, cfg, data, &ms, &cur);
		valid = train_validate(m, &cur, &clicked, &valid_pos, cfg->k_valid, cfg->threads,
		    &res->valid_users);
		if (res->valid_users == 0)
			die(HCR_EXIT_DATA, "no validation user (one with a training click and a "
			    "validation like): no epoch can be selected, so no model is written");
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
			since_best = 0;
		} else {
			repset_free(&cur);
			since_best++;
		}
		{
			char parts[160] = "";
			for (t = 0; t < 3 && m->part_names[t]; t++)
				snprintf(parts + strlen(parts), sizeof parts - strlen(parts), "%s%s %.4f",
				    t ? ", " : "", m->part_names[t], log->part[t]);
			progress("epoch %d: loss %.4f (%s), valid ndcg@%d %.4f (best %.4f at epoch "
			    "%d), %.1f s", epoch, log->loss, parts, cfg->k_valid, valid,
			    res->best_valid, res->best_epoch, log->seconds);
		}
		/* the split lets a timing run of --max-batches extrapolate to a whole epoch; the
		 * CPU seconds (all threads) move less than the wall's on a shared machine */
		verbose("epoch %d: %lld of %lld batches in %.3f s (%.4f s a batch), validation %.3f s; "
		    "cpu %.3f s in the batches", epoch, (long long)batches,
		    (long long)((n_samples + bmax - 1) / bmax), t1 - t0,
		    batches ? (t1 - t0) / (double)batches : 0, log->seconds - (t1 - t0), c1 - c0);
		if (since_best >= cfg->patience) {
			res->stopped = "early stop";
			break;
		}
	}
	if (!res->stopped)
		res->stopped = "epoch limit";
	meter_clear();

	free(order);
	free(pair_u);
	free(pair_i);
	free(targets);
	free(ru);
	free(ri);
	free(first);
	free(click);
	free(like);
	free(samples);
	csr_free(&clicked);
	csr_free(&valid_pos);
	if (blas_threads != 1)
		openblas_set_num_threads(blas_threads);
	pool_free(&pool);
	branches_free(&bs);
	adam_ranges_free(&aj);
	bb_planner_free(&planner);
	ad_tape_free(&tape);
	ad_params_free(&params);
	free(ms.data);
}
