/* simulate.c: draws a data set from HCR's causal graph (simulate(1)) and computes
 * its true causal and correlational scores. */
#include "sim/simulate.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/meter.h"
#include "common/numeric.h"
#include "common/rng.h"
#include "common/util.h"

/* One random stream per purpose, so that a knob changes only the draws it governs
 * (a different kappa relabels the likes of the very same clicks). */
enum {
	ST_TASTE = 1, ST_CONTENT, ST_EXPOSURE, ST_QUALITY, ST_DRIFT, ST_PRICE,
	ST_CONTENT_NOISE, ST_EXPOSURE_NOISE, ST_COUNT, ST_IMPRESSION, ST_CLICK, ST_TIME,
	ST_LIKE, ST_SAMPLE,
};

void sim_defaults(struct sim_params *p)
{
	memset(p, 0, sizeof *p);
	p->users = 1000;
	p->items = 2000;
	p->dim = 16;
	p->exposure_dim = 4;
	p->clicks = 40;
	p->clicks_sigma = 1.0;
	p->min_clicks = 5;
	p->click_match = 1.5;
	p->click_exposure = 1.0;
	p->click_bias = -2.5;
	p->like_match = 1.5;
	p->like_bias = -1.0;
	p->confounding = 1.0;
	p->price_corr = 0.7;
	p->drift = 0.5;
	p->drift_at = 0.7;
	p->noise = 0.5;
	p->truth_users = 0;
	p->seed = 1;
}

const char *sim_check(const struct sim_params *p, char *buf, size_t len)
{
	if (p->min_clicks > p->items) {
		snprintf(buf, len,
		    "--min-clicks %lld is more than the %lld items: a user clicks an item at most once",
		    (long long)p->min_clicks, (long long)p->items);
		return buf;
	}
	if (p->truth_users > p->users) {
		snprintf(buf, len, "--truth-users %lld is more than the %lld users",
		    (long long)p->truth_users, (long long)p->users);
		return buf;
	}
	return NULL;
}

double sim_match(const struct sim *s, int64_t u, int64_t i)
{
	const double *a = s->taste + u * s->p.dim, *c = s->content + i * s->p.dim;
	double z = 0;
	for (int j = 0; j < s->p.dim; j++)
		z += a[j] * c[j];
	return z;
}

static double p_click_z(const struct sim *s, double z, int64_t i)
{
	return sigmoid(s->p.click_match * z + s->p.click_exposure * s->appeal[i] +
	    s->p.click_bias);
}

double sim_p_click(const struct sim *s, int64_t u, int64_t i)
{
	return p_click_z(s, sim_match(s, u, i), i);
}

double sim_quality_at(const struct sim *s, int64_t i, int64_t t)
{
	return t < s->drift_time ? s->quality[i] : s->quality_late[i];
}

/* P(like | click, z, V): one function for the draw and the truth, so that the two
 * cannot disagree. */
static double p_like(const struct sim *s, double z, double v)
{
	return sigmoid(s->p.like_match * z + s->p.confounding * v + s->p.like_bias);
}

static void normals(struct rng *r, double *x, int64_t n, double scale)
{
	for (int64_t k = 0; k < n; k++)
		x[k] = scale * rng_normal(r);
}

/* Users drawn: on a terminal a line in place; in a log, with --progress, a line every
 * 65536 users. */
static void draw_meter(int64_t done, int64_t all, double t0)
{
	char times[64];
	if (!meter_on()) {
		if ((done & 0xffff) == 0)
			progress("drew the clicks of %lld of %lld users", (long long)done,
			    (long long)all);
	} else if ((done & 0xff) == 0) {
		meter("drew the clicks of %lld of %lld users, %s", (long long)done, (long long)all,
		    meter_times(t0, (double)done / (double)all, times, sizeof times));
	}
}

void sim_draw(struct sim *s, const struct sim_params *p, int keep_impressions)
{
	const int64_t U = p->users, I = p->items;
	const int k = p->dim, E = p->exposure_dim;
	struct rng r, rc, rt, rl, ri;
	int32_t *perm;
	size_t ccap = 0, icap = 0;
	int64_t nimp = 0;
	double t0;

	memset(s, 0, sizeof *s);
	s->p = *p;
	s->clicks_mu = log(p->clicks) - 0.5 * p->clicks_sigma * p->clicks_sigma;
	s->drift_time = llround(p->drift_at * SIM_TIMELINE);

	s->taste = xmalloc((size_t)U * k * sizeof *s->taste);
	rng_init(&r, p->seed, ST_TASTE);
	normals(&r, s->taste, U * k, 1 / sqrt(k));

	s->content = xmalloc((size_t)I * k * sizeof *s->content);
	rng_init(&r, p->seed, ST_CONTENT);
	normals(&r, s->content, I * k, 1);

	s->exposure = xmalloc((size_t)I * E * sizeof *s->exposure);
	s->appeal = xmalloc((size_t)I * sizeof *s->appeal);
	rng_init(&r, p->seed, ST_EXPOSURE);
	normals(&r, s->exposure, I * E, 1);
	for (int64_t i = 0; i < I; i++) {
		double a = 0;
		for (int j = 0; j < E; j++)
			a += s->exposure[i * E + j];
		s->appeal[i] = a / sqrt(E);
	}

	s->quality = xmalloc((size_t)I * sizeof *s->quality);
	s->quality_late = xmalloc((size_t)I * sizeof *s->quality_late);
	s->price = xmalloc((size_t)I * sizeof *s->price);
	rng_init(&r, p->seed, ST_QUALITY);
	normals(&r, s->quality, I, 1);
	rng_init(&r, p->seed, ST_DRIFT);
	for (int64_t i = 0; i < I; i++)
		s->quality_late[i] = sqrt(1 - p->drift) * s->quality[i] + sqrt(p->drift) * rng_normal(&r);
	rng_init(&r, p->seed, ST_PRICE);
	for (int64_t i = 0; i < I; i++)
		s->price[i] = p->price_corr * s->quality[i] +
		    sqrt(1 - p->price_corr * p->price_corr) * rng_normal(&r);

	s->content_obs = xmalloc((size_t)I * k * sizeof *s->content_obs);
	rng_init(&r, p->seed, ST_CONTENT_NOISE);
	for (int64_t j = 0; j < I * k; j++)
		s->content_obs[j] = s->content[j] + p->noise * rng_normal(&r);
	s->exposure_obs = xmalloc((size_t)I * E * sizeof *s->exposure_obs);
	rng_init(&r, p->seed, ST_EXPOSURE_NOISE);
	for (int64_t j = 0; j < I * E; j++)
		s->exposure_obs[j] = s->exposure[j] + p->noise * rng_normal(&r);

	/* The clicks: each user is shown items in a uniformly random order, without
	 * repeats, each impression a click with probability P(click | u, i), until the
	 * user's click count is reached or the catalogue runs out. */
	s->target = xmalloc((size_t)U * sizeof *s->target);
	s->impressions = xmalloc((size_t)U * sizeof *s->impressions);
	if (keep_impressions)
		s->imp_off = xmalloc((size_t)(U + 1) * sizeof *s->imp_off);
	perm = xmalloc((size_t)I * sizeof *perm);
	for (int64_t i = 0; i < I; i++)
		perm[i] = (int32_t)i;
	rng_init(&r, p->seed, ST_COUNT);
	rng_init(&ri, p->seed, ST_IMPRESSION);
	rng_init(&rc, p->seed, ST_CLICK);
	rng_init(&rt, p->seed, ST_TIME);
	rng_init(&rl, p->seed, ST_LIKE);
	t0 = now_seconds();
	for (int64_t u = 0; u < U; u++) {
		double x = rng_lognormal(&r, s->clicks_mu, p->clicks_sigma);
		int64_t want = x >= (double)I ? I : llround(x), got = 0, j = 0;
		if (want < p->min_clicks)
			want = p->min_clicks;
		s->target[u] = want;
		/* A partial Fisher-Yates shuffle continued from the last user's order: any
		 * starting order gives a uniform order, and no reset costs O(items). */
		while (got < want && j < I) {
			int64_t pick = j + (int64_t)rng_below(&ri, (uint64_t)(I - j));
			int32_t it = perm[pick];
			double z;
			perm[pick] = perm[j];
			perm[j++] = it;
			z = sim_match(s, u, it);
			if (rng_uniform(&rc) < p_click_z(s, z, it)) {
				struct sim_click *c;
				int64_t t = (int64_t)(rng_uniform(&rt) * SIM_TIMELINE);
				XGROW(s->clicks, ccap, (size_t)s->nclicks + 1);
				c = &s->clicks[s->nclicks++];
				c->user = (int32_t)u;
				c->item = it;
				c->time = t;
				c->like = rng_uniform(&rl) < p_like(s, z, sim_quality_at(s, it, t));
				s->nlikes += c->like;
				got++;
			}
		}
		s->impressions[u] = j;
		s->exhausted += got < want;
		if (keep_impressions) {
			s->imp_off[u] = nimp;
			XGROW(s->imp_item, icap, (size_t)(nimp + j));
			memcpy(s->imp_item + nimp, perm, (size_t)j * sizeof *perm);
			nimp += j;
		}
		draw_meter(u + 1, U, t0);
	}
	if (keep_impressions)
		s->imp_off[U] = nimp;
	free(perm);
	{
		char took[24];
		meter_end("drew the clicks of %lld users in %s", (long long)U,
		    meter_duration(now_seconds() - t0, took));
	}
}

void sim_free(struct sim *s)
{
	free(s->taste);
	free(s->content);
	free(s->exposure);
	free(s->appeal);
	free(s->quality);
	free(s->quality_late);
	free(s->price);
	free(s->content_obs);
	free(s->exposure_obs);
	free(s->target);
	free(s->impressions);
	free(s->clicks);
	free(s->imp_off);
	free(s->imp_item);
	memset(s, 0, sizeof *s);
}

/* ---- the expectation over V's prior ---- */

/* The trapezoid rule on [-9, 9] with step h = min(1/4, 1/(4 kappa)): the integrand
 * is analytic in the strip |Im v| < pi / kappa, which bounds the error by about
 * 7 exp(-4 pi^2) (simulate(1) has the argument); past |v| = 9 lies 2e-19 of N(0,1). */
static void expect(double x, double kappa, double *g, double *dg)
{
	double h, sum = 0, dsum = 0;
	int64_t n;
	if (kappa == 0) {
		*g = sigmoid(x);
		*dg = *g * (1 - *g);
		return;
	}
	kappa = fabs(kappa);
	h = kappa <= 1 ? 0.25 : 0.25 / kappa;
	n = (int64_t)ceil(9 / h);
	for (int64_t j = -n; j <= n; j++) {
		double v = (double)j * h, w = exp(-0.5 * v * v), y = sigmoid(x + kappa * v);
		sum += w * y;
		dsum += w * y * (1 - y);
	}
	*g = sum * h / sqrt(2 * M_PI);
	*dg = dsum * h / sqrt(2 * M_PI);
}

double sim_expect_sigmoid(double x, double kappa)
{
	double g, dg;
	expect(x, kappa, &g, &dg);
	return g;
}

double sim_expect_sigmoid_d(double x, double kappa)
{
	double g, dg;
	expect(x, kappa, &g, &dg);
	return dg;
}

void sim_quad_init(struct sim_quad *q, double kappa)
{
	q->kappa = kappa;
	q->lo = -40;
	q->step = 1.0 / 256;
	q->n = 80 * 256 + 1;
	q->g = xmalloc((size_t)q->n * sizeof *q->g);
	q->dg = xmalloc((size_t)q->n * sizeof *q->dg);
	for (int64_t j = 0; j < q->n; j++)
		expect(q->lo + (double)j * q->step, kappa, &q->g[j], &q->dg[j]);
}

double sim_quad_eval(const struct sim_quad *q, double x)
{
	double t = (x - q->lo) / q->step, u, u2, u3;
	int64_t j;
	if (!(t >= 0 && t <= (double)(q->n - 1)))
		return sim_expect_sigmoid(x, q->kappa);
	j = (int64_t)t;
	if (j > q->n - 2)
		j = q->n - 2;
	u = t - (double)j;
	u2 = u * u;
	u3 = u2 * u;
	return (2 * u3 - 3 * u2 + 1) * q->g[j] + (u3 - 2 * u2 + u) * q->step * q->dg[j] +
	    (3 * u2 - 2 * u3) * q->g[j + 1] + (u3 - u2) * q->step * q->dg[j + 1];
}

void sim_quad_free(struct sim_quad *q)
{
	free(q->g);
	free(q->dg);
	q->g = q->dg = NULL;
}

/* ---- the truth ---- */

int64_t sim_truth_rows(const struct sim_params *p)
{
	int64_t rows;
	if (p->truth_users > 0)
		return p->truth_users;
	rows = SIM_TRUTH_CELLS / p->items;
	if (rows < 1)
		rows = 1;
	return rows < p->users ? rows : p->users;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

void sim_truth_users(const struct sim *s, int64_t rows, int64_t *users)
{
	const int64_t U = s->p.users;
	struct rng r;
	int32_t *all;
	if (rows >= U) {
		for (int64_t u = 0; u < U; u++)
			users[u] = u;
		return;
	}
	/* A uniform sample without replacement: the first rows of a partial shuffle. */
	all = xmalloc((size_t)U * sizeof *all);
	for (int64_t u = 0; u < U; u++)
		all[u] = (int32_t)u;
	rng_init(&r, s->p.seed, ST_SAMPLE);
	for (int64_t j = 0; j < rows; j++) {
		int64_t pick = j + (int64_t)rng_below(&r, (uint64_t)(U - j));
		int32_t t = all[pick];
		all[pick] = all[j];
		all[j] = t;
		users[j] = t;
	}
	free(all);
	qsort(users, (size_t)rows, sizeof *users, cmp_i64);
}

void sim_truth(const struct sim *s, const int64_t *users, int64_t rows, float *causal,
    float *corr, float *corr_late)
{
	const int64_t I = s->p.items;
	struct sim_quad q;
	sim_quad_init(&q, s->p.confounding);
	for (int64_t r = 0; r < rows; r++) {
		int64_t u = users[r];
		for (int64_t i = 0; i < I; i++) {
			double z = sim_match(s, u, i), pc = p_click_z(s, z, i);
			double x = s->p.like_match * z + s->p.like_bias;
			causal[r * I + i] = (float)(pc * sim_quad_eval(&q, x));
			corr[r * I + i] = (float)(pc * p_like(s, z, s->quality[i]));
			corr_late[r * I + i] = (float)(pc * p_like(s, z, s->quality_late[i]));
		}
	}
	sim_quad_free(&q);
}

/* ---- how far apart the causal and the correlational score are ---- */

/* Inserts item i with score v into the top-k list (descending, ties by lower
 * index), which holds *n entries. */
static void topk_push(const float *score, int32_t *top, int64_t *n, int64_t k, int32_t i)
{
	float v = score[i];
	int64_t at = *n;
	if (*n == k && !(v > score[top[k - 1]]))
		return;
	if (*n < k)
		(*n)++;
	at = *n - 1;
	while (at > 0 && v > score[top[at - 1]]) {
		top[at] = top[at - 1];
		at--;
	}
	top[at] = i;
}

static void topk(const float *score, int64_t items, int64_t k, int32_t *top)
{
	int64_t n = 0;
	for (int64_t i = 0; i < items; i++)
		topk_push(score, top, &n, k, (int32_t)i);
}

void sim_truth_gap(int64_t rows, int64_t items, const float *causal, const float *other,
    struct sim_gap *gap)
{
	int64_t k = items < SIM_GAP_K ? items : SIM_GAP_K;
	int32_t *ta = xmalloc((size_t)k * sizeof *ta), *tb = xmalloc((size_t)k * sizeof *tb);
	double *da = xmalloc(((size_t)items + 1) * sizeof *da);
	double *db = xmalloc(((size_t)items + 1) * sizeof *db);
	double sp = 0, so = 0;
	for (int64_t r = 0; r < rows; r++) {
		const float *a = causal + r * items, *b = other + r * items;
		int64_t common = 0;
		for (int64_t i = 0; i < items; i++)
			da[i] = a[i], db[i] = b[i];
		sp += pearson(da, db, items);
		topk(a, items, k, ta);
		topk(b, items, k, tb);
		for (int64_t x = 0; x < k; x++)
			for (int64_t y = 0; y < k; y++)
				common += ta[x] == tb[y];
		so += (double)common / (double)k;
	}
	gap->k = k;
	gap->pearson = rows ? sp / (double)rows : 0;
	gap->overlap = rows ? so / (double)rows : 0;
	free(da);
	free(db);
	free(ta);
	free(tb);
}

/* ---- the files ---- */

void sim_user_id(char *buf, size_t len, int64_t u)
{
	snprintf(buf, len, "u%lld", (long long)u);
}

void sim_item_id(char *buf, size_t len, int64_t i)
{
	snprintf(buf, len, "i%lld", (long long)i);
}

static void check_write(FILE *fp, const char *what)
{
	if (ferror(fp))
		die_write(what, errno);
}

static int cmp_click_time(const void *a, const void *b, void *arg)
{
	const struct sim_click *c = arg;
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	if (c[x].time != c[y].time)
		return c[x].time < c[y].time ? -1 : 1;
	return (x > y) - (x < y);
}

void sim_write_log(const struct sim *s, FILE *fp)
{
	int64_t *order = xmalloc((size_t)(s->nclicks ? s->nclicks : 1) * sizeof *order);
	for (int64_t n = 0; n < s->nclicks; n++)
		order[n] = n;
	/* Time order, equal times in the order drawn, as a log would be kept. */
	qsort_r(order, (size_t)s->nclicks, sizeof *order, cmp_click_time, s->clicks);
	fputs("user_id,item_id,timestamp,click,like\n", fp);
	for (int64_t n = 0; n < s->nclicks; n++) {
		const struct sim_click *c = &s->clicks[order[n]];
		fprintf(fp, "u%lld,i%lld,%lld,1,%d\n", (long long)c->user, (long long)c->item,
		    (long long)c->time, c->like);
	}
	free(order);
	check_write(fp, "log.csv");
}

static void write_dense(FILE *fp, const struct sim *s, const double *x, int dim,
    const double *extra, const char *what)
{
	fputs("item_id", fp);
	for (int j = 1; j <= dim + (extra != NULL); j++)
		fprintf(fp, ",f%d", j);
	fputc('\n', fp);
	for (int64_t i = 0; i < s->p.items; i++) {
		fprintf(fp, "i%lld", (long long)i);
		for (int j = 0; j < dim; j++)
			fprintf(fp, ",%.7g", x[i * dim + j]);
		if (extra)
			fprintf(fp, ",%.7g", extra[i]);
		fputc('\n', fp);
	}
	check_write(fp, what);
}

void sim_write_content(const struct sim *s, FILE *fp)
{
	write_dense(fp, s, s->content_obs, s->p.dim, s->p.price_apart ? NULL : s->price,
	    "content.csv");
}

void sim_write_price(const struct sim *s, FILE *fp)
{
	write_dense(fp, s, s->price, 1, NULL, "price.csv");
}

const char *sim_price_file(const struct sim *s)
{
	return s->p.price_apart ? "price.csv" : "content.csv";
}

int sim_price_column(const struct sim *s)
{
	return s->p.price_apart ? 1 : s->p.dim + 1;
}

void sim_write_items(const struct sim *s, FILE *fp)
{
	fputs("item_id,price,quality,quality_late\n", fp);
	for (int64_t i = 0; i < s->p.items; i++)
		fprintf(fp, "i%lld,%.7g,%.7g,%.7g\n", (long long)i, s->price[i], s->quality[i],
		    s->quality_late[i]);
	check_write(fp, "items.csv");
}

void sim_write_exposure(const struct sim *s, FILE *fp)
{
	write_dense(fp, s, s->exposure_obs, s->p.exposure_dim, NULL, "exposure.csv");
}

/* The knobs, in the order of simulate(1); the truth's meta and params.json share it. */
#define SIM_KNOBS(X)                                                    \
	X(int, users) X(int, items) X(int, dim) X(int, exposure_dim)    \
	X(num, clicks) X(num, clicks_sigma) X(int, min_clicks)          \
	X(num, click_match) X(num, click_exposure) X(num, click_bias)   \
	X(num, like_match) X(num, like_bias) X(num, confounding)        \
	X(num, price_corr) X(num, drift) X(num, drift_at) X(num, noise) \
	X(int, truth_users) X(bool, price_apart)

void sim_write_truth(const struct sim *s, struct hs_out *out, const int64_t *users,
    int64_t rows, const float *causal, const float *corr, const float *corr_late)
{
	const int64_t I = s->p.items;
	msgpack_packer *pk = hs_begin(out, "truth", 1);
	char **uid = xmalloc((size_t)rows * sizeof *uid), **iid = xmalloc((size_t)I * sizeof *iid);
	char buf[32];

	msgpack_pack_map(pk, 10);
	mp_kv_int(pk, "users", s->p.users);
	mp_kv_int(pk, "items", I);
	mp_kv_int(pk, "rows", rows);
	mp_kv_bool(pk, "sampled", rows < s->p.users);
	snprintf(buf, sizeof buf, "f%d", sim_price_column(s));
	mp_kv_str(pk, "price_column", buf);
	mp_kv_str(pk, "price_file", sim_price_file(s));
	mp_kv_int(pk, "timeline", SIM_TIMELINE);
	mp_kv_int(pk, "drift_time", s->drift_time);
	mp_kv_num(pk, "quadrature_error", SIM_QUAD_ERROR);
	mp_key(pk, "params");
	msgpack_pack_map(pk, 20);
#define X(kind, field) mp_kv_##kind(pk, #field, s->p.field);
	SIM_KNOBS(X)
#undef X
	mp_kv_int(pk, "seed", (int64_t)s->p.seed);

	for (int64_t r = 0; r < rows; r++) {
		sim_user_id(buf, sizeof buf, users[r]);
		uid[r] = xstrdup(buf);
	}
	for (int64_t i = 0; i < I; i++) {
		sim_item_id(buf, sizeof buf, i);
		iid[i] = xstrdup(buf);
	}
	hs_write_block(out, "user_ids", HS_STR, rows, 0, uid);
	hs_write_block(out, "item_ids", HS_STR, I, 0, iid);
	hs_write_block(out, "causal", HS_F4, rows, I, causal);
	hs_write_block(out, "correlational", HS_F4, rows, I, corr);
	hs_write_block(out, "correlational_late", HS_F4, rows, I, corr_late);
	hs_write_block(out, "quality", HS_F8, I, 0, s->quality);
	hs_write_block(out, "quality_late", HS_F8, I, 0, s->quality_late);
	hs_write_block(out, "price", HS_F8, I, 0, s->price);
	hs_write_block(out, "appeal", HS_F8, I, 0, s->appeal);
	hs_end(out);
	for (int64_t r = 0; r < rows; r++)
		free(uid[r]);
	for (int64_t i = 0; i < I; i++)
		free(iid[i]);
	free(uid);
	free(iid);
}

#define JSET(o, k, v) json_object_set_new((o), (k), (v))

void sim_write_params(const struct sim *s, FILE *fp, int64_t rows, const struct sim_gap *gap,
    const struct sim_gap *gap_late)
{
	json_t *root = json_object(), *knobs = json_object(), *stats = json_object();
	json_t *truth = json_object(), *files = json_object();
	double q_sum = 0;
	int64_t early = 0, early_likes = 0, imps = 0, targets = 0;
	char buf[32];

	/* The rates the parameters imply for these very clicks and impressions, beside
	 * the rates drawn, so a reader sees the sampling error. */
	for (int64_t n = 0; n < s->nclicks; n++) {
		const struct sim_click *c = &s->clicks[n];
		q_sum += p_like(s, sim_match(s, c->user, c->item),
		    sim_quality_at(s, c->item, c->time));
		if (c->time < s->drift_time)
			early++, early_likes += c->like;
	}
	for (int64_t u = 0; u < s->p.users; u++)
		imps += s->impressions[u], targets += s->target[u];

	JSET(root, "tool", json_string("simulate"));
	JSET(root, "version", json_string(HCR_VERSION));
	JSET(root, "seed", json_integer((json_int_t)s->p.seed));
#define X(kind, field) \
	JSET(knobs, #field, json_##kind(s->p.field));
#define json_int(v) json_integer((json_int_t)(v))
#define json_num(v) json_real(v)
#define json_bool(v) json_boolean(v)
	SIM_KNOBS(X)
#undef X
	JSET(knobs, "seed", json_int(s->p.seed));
	JSET(root, "knobs", knobs);

	JSET(stats, "clicks_mu", json_real(s->clicks_mu));
	JSET(stats, "timeline", json_int(SIM_TIMELINE));
	JSET(stats, "drift_time", json_int(s->drift_time));
	snprintf(buf, sizeof buf, "f%d", sim_price_column(s));
	JSET(stats, "price_file", json_string(sim_price_file(s)));
	JSET(stats, "price_column", json_string(buf));
	JSET(stats, "clicks", json_int(s->nclicks));
	JSET(stats, "likes", json_int(s->nlikes));
	JSET(stats, "impressions", json_int(imps));
	JSET(stats, "users_exhausted", json_int(s->exhausted));
	JSET(stats, "mean_target_clicks", json_real((double)targets / (double)s->p.users));
	JSET(stats, "mean_clicks_per_user", json_real((double)s->nclicks / (double)s->p.users));
	JSET(stats, "click_rate", json_real(imps ? (double)s->nclicks / (double)imps : 0));
	JSET(stats, "like_rate", json_real(s->nclicks ? (double)s->nlikes / (double)s->nclicks : 0));
	JSET(stats, "like_rate_implied", json_real(s->nclicks ? q_sum / (double)s->nclicks : 0));
	JSET(stats, "clicks_before_drift", json_int(early));
	JSET(stats, "like_rate_before_drift",
	    json_real(early ? (double)early_likes / (double)early : 0));
	JSET(stats, "like_rate_after_drift",
	    json_real(s->nclicks > early ?
		(double)(s->nlikes - early_likes) / (double)(s->nclicks - early) : 0));
	JSET(stats, "corr_price_quality", json_real(pearson(s->price, s->quality, s->p.items)));
	JSET(stats, "corr_price_quality_late",
	    json_real(pearson(s->price, s->quality_late, s->p.items)));
	JSET(stats, "corr_quality_drift",
	    json_real(pearson(s->quality, s->quality_late, s->p.items)));
	JSET(root, "data", stats);

	JSET(truth, "rows", json_int(rows));
	JSET(truth, "sampled", json_boolean(rows < s->p.users));
	JSET(truth, "quadrature_error", json_real(SIM_QUAD_ERROR));
	JSET(truth, "top_k", json_int(gap->k));
	JSET(truth, "pearson_causal_correlational", json_real(gap->pearson));
	JSET(truth, "overlap_causal_correlational", json_real(gap->overlap));
	JSET(truth, "pearson_causal_correlational_late", json_real(gap_late->pearson));
	JSET(truth, "overlap_causal_correlational_late", json_real(gap_late->overlap));
	JSET(root, "truth", truth);
#undef json_int
#undef json_num
#undef json_bool

	JSET(files, "log", json_string("log.csv"));
	JSET(files, "content", json_string("content.csv"));
	JSET(files, "exposure", json_string("exposure.csv"));
	if (s->p.price_apart)
		JSET(files, "price", json_string("price.csv"));
	JSET(files, "items", json_string("items.csv"));
	JSET(files, "truth", json_string("truth.mp"));
	JSET(root, "files", files);

	if (json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0)
		die_write("params.json", errno);
	fputc('\n', fp);
	json_decref(root);
	check_write(fp, "params.json");
}
