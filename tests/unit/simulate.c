/* simulate: the expectation over V's prior against exact values, the truth of a tiny
 * case by hand, and the marginals of a drawn data set against what its parameters
 * imply.
 *
 * Exact values: for V ~ N(0, 1), E[sigmoid(-kappa^2 + kappa V)] = exp(-kappa^2 / 2) / 2.
 * (The density of X = -kappa^2 + kappa V is that of N(0, kappa^2) times
 * exp(-x - kappa^2 / 2), and sigmoid(x) e^-x = sigmoid(-x); a symmetric density
 * averages sigmoid(-x) to 1/2.)
 *
 * Tolerances of 4e-15 on exact values allow the rounding of a sum of a few hundred
 * terms.
 *
 * Statistical checks allow 4 standard errors, each derived beside its check; the
 * seed is fixed, so they pass or fail the same way every time, and a generator off
 * by a few standard errors fails. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/numeric.h"
#include "sim/simulate.h"
#include "tap.h"

static double sig(double x)
{
	return 1 / (1 + exp(-x));
}

/* Simpson's rule on [-12, 12] with 240000 intervals, summed in long double: an
 * independent reference for E[sigmoid(x + kappa V)]. */
static double simpson(double x, double kappa)
{
	const int n = 240000;
	const double a = -12, h = 24.0 / n;
	long double sum = 0;
	for (int j = 0; j <= n; j++) {
		double v = a + j * h, w = (j == 0 || j == n) ? 1 : (j % 2 ? 4 : 2);
		sum += w * exp(-0.5 * v * v) * sig(x + kappa * v);
	}
	return (double)(sum * h / 3 / sqrt(2 * M_PI));
}

static void quadrature(void)
{
	static const double kappas[] = { 0.3, 1, 2, 5, 12 };
	double worst = 0, worst_tab = 0, worst_d = 0;
	int exact0 = 1;

	for (double x = -30; x <= 30; x += 0.37)
		exact0 &= sim_expect_sigmoid(x, 0) == sigmoid(x);
	OK(exact0, "kappa = 0: the expectation is the sigmoid itself");

	for (int a = 0; a < 5; a++) {
		double k = kappas[a];
		NEAR(sim_expect_sigmoid(-k * k, k), 0.5 * exp(-0.5 * k * k), 4e-15,
		    "kappa %g: E[sigmoid(-kappa^2 + kappa V)] = exp(-kappa^2/2)/2", k);
		NEAR(sim_expect_sigmoid(k * k, k), 1 - 0.5 * exp(-0.5 * k * k), 4e-15,
		    "kappa %g: and its mirror image", k);
		NEAR(sim_expect_sigmoid(0, k), 0.5, 4e-15, "kappa %g: E[sigmoid(kappa V)] = 1/2", k);
	}

	for (int a = 0; a < 4; a++) {
		double k = kappas[a];
		struct sim_quad q;
		sim_quad_init(&q, k);
		for (double x = -9; x <= 9; x += 0.73) {
			double ref = simpson(x, k), d = fabs(sim_expect_sigmoid(x, k) - ref);
			worst = d > worst ? d : worst;
		}
		/* The table against the rule on a grid that misses the table's nodes. */
		for (double x = -45; x <= 45; x += 0.01237) {
			double d = fabs(sim_quad_eval(&q, x) - sim_expect_sigmoid(x, k));
			worst_tab = d > worst_tab ? d : worst_tab;
		}
		for (double x = -6; x <= 6; x += 0.5) {
			double h = 1e-5, fd = (sim_expect_sigmoid(x + h, k) -
			    sim_expect_sigmoid(x - h, k)) / (2 * h);
			double d = fabs(sim_expect_sigmoid_d(x, k) - fd);
			worst_d = d > worst_d ? d : worst_d;
		}
		sim_quad_free(&q);
	}
	NEAR(worst, 0, 1e-14, "the trapezoid rule agrees with Simpson's on 240000 intervals");
	NEAR(worst_tab, 0, SIM_QUAD_ERROR, "the table interpolates the rule within SIM_QUAD_ERROR");
	/* Central differences with h = 1e-5: truncation h^2/6 |G'''| < 1e-11, rounding
	 * 1e-16 / 1e-5 = 1e-11. */
	NEAR(worst_d, 0, 1e-9, "the derivative agrees with central differences");
}

/* One user and two items, every latent set by hand (the worked example of
 * simulate(1)). */
static void by_hand(void)
{
	struct sim s;
	double taste[1] = { 1 }, content[2] = { 0.5, -1 }, appeal[2] = { 0.2, -0.4 };
	double quality[2] = { 1, -2 }, late[2] = { -1, 0.25 };
	int64_t users[1] = { 0 };
	float causal[2], corr[2], corr_late[2];

	memset(&s, 0, sizeof s);
	sim_defaults(&s.p);
	s.p.users = 1, s.p.items = 2, s.p.dim = 1, s.p.exposure_dim = 1;
	s.p.click_match = 2, s.p.click_exposure = 1, s.p.click_bias = -1;
	s.p.like_match = 1, s.p.like_bias = -1.5, s.p.confounding = 1;
	s.taste = taste, s.content = content, s.appeal = appeal;
	s.quality = quality, s.quality_late = late;
	sim_truth(&s, users, 1, causal, corr, corr_late);

	/* Item 0: z = 0.5, P(click) = sigmoid(2 * 0.5 + 0.2 - 1) = sigmoid(0.2);
	 * like: x = 0.5 - 1.5 = -1 = -kappa^2, so E_V = exp(-1/2) / 2 = 0.30326533. */
	NEAR(sim_p_click(&s, 0, 0), 0.549833997312478, 1e-15, "P(click) = sigmoid(0.2)");
	NEAR(causal[0], 0.1667455885611858, 1e-7,
	    "causal = sigmoid(0.2) exp(-1/2) / 2 = 0.16674559");
	NEAR(corr[0], 0.274916998656239, 1e-7, "correlational = sigmoid(0.2) sigmoid(0.5 + 1 - 1.5) = sigmoid(0.2) / 2");
	NEAR(corr_late[0], 0.0655418191067485, 1e-7,
	    "correlational, late = sigmoid(0.2) sigmoid(-2)");
	/* Item 1: z = -1, P(click) = sigmoid(-2 - 0.4 - 1) = sigmoid(-3.4); x = -2.5, whose
	 * E_V has no closed form: Simpson's rule gives it. */
	NEAR(causal[1], sig(-3.4) * simpson(-2.5, 1), 1e-9,
	    "causal of the second item against Simpson's rule");
	NEAR(corr[1], sig(-3.4) * sig(-2.5 - 2), 1e-9, "correlational of the second item");
	OK(causal[0] < corr[0] && causal[1] > corr[1],
	    "a good item (V = 1) scores above its causal effect, a bad one below");

	s.p.confounding = 0;
	sim_truth(&s, users, 1, causal, corr, corr_late);
	OK(causal[0] == corr[0] && causal[1] == corr[1] && corr[0] == corr_late[0],
	    "kappa = 0: causal, correlational and late correlational are one score");
}

/* Expected value and second moment of a user's click target, max(m, round(X)) with
 * X lognormal and targets past the catalogue cut to it, from the lognormal's CDF. */
static void target_moments(const struct sim *s, double *mean, double *sq)
{
	const double mu = log(s->p.clicks) - 0.5 * s->p.clicks_sigma * s->p.clicks_sigma;
	const double sg = s->p.clicks_sigma;
	double prev = 0, m1 = 0, m2 = 0;
	for (int64_t n = 0; n <= s->p.items; n++) {
		/* P(round(X) <= n) = P(X < n + 1/2); the last value takes the whole tail. */
		double cdf = n == s->p.items ? 1 : 0.5 * erfc(-(log(n + 0.5) - mu) / (sg * sqrt(2)));
		double pr = cdf - prev, v = (double)(n < s->p.min_clicks ? s->p.min_clicks : n);
		m1 += pr * v;
		m2 += pr * v * v;
		prev = cdf;
	}
	*mean = m1, *sq = m2;
}

static double correlation(const double *a, const double *b, int64_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	for (int64_t i = 0; i < n; i++)
		ma += a[i] / n, mb += b[i] / n;
	for (int64_t i = 0; i < n; i++)
		sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma),
		    sbb += (b[i] - mb) * (b[i] - mb);
	return sab / sqrt(saa * sbb);
}

/* The standard error of a Pearson correlation rho estimated from n pairs. */
static double r_se(double rho, int64_t n)
{
	return (1 - rho * rho) / sqrt((double)n);
}

static void marginals(void)
{
	struct sim_params p;
	struct sim s;
	const int64_t U = 4000, I = 4000;
	double mean, sq, sd, got, pexp = 0, pvar = 0, qexp[2] = { 0 }, qvar[2] = { 0 };
	int64_t targets = 0, clicks_ok = 1, likes[2] = { 0 }, nclk[2] = { 0 }, early = 0;
	int64_t distinct_ok = 1, time_ok = 1;
	unsigned char *seen;

	sim_defaults(&p);
	p.users = U, p.items = I, p.dim = 8, p.exposure_dim = 3;
	p.clicks = 20, p.clicks_sigma = 0.8, p.min_clicks = 3;
	p.seed = 12345;
	sim_draw(&s, &p, 1);

	/* Click targets: their mean against the lognormal's (sd / sqrt(U) its error). */
	target_moments(&s, &mean, &sq);
	sd = sqrt(sq - mean * mean);
	for (int64_t u = 0; u < U; u++)
		targets += s.target[u];
	NEAR((double)targets / U, mean, 4 * sd / sqrt(U),
	    "mean click target %.3f: the lognormal's, rounded and floored at 3, implies %.3f",
	    (double)targets / U, mean);
	OK(mean > 20 && mean < 20.5, "the floor and the rounding move the mean little (%.3f)", mean);

	/* Every user reaches the target unless the catalogue ran out. */
	{
		int64_t *per = calloc((size_t)U, sizeof *per);
		for (int64_t n = 0; n < s.nclicks; n++)
			per[s.clicks[n].user]++;
		for (int64_t u = 0; u < U; u++)
			clicks_ok &= per[u] == s.target[u] ||
			    (per[u] < s.target[u] && s.impressions[u] == I);
		OK(clicks_ok, "each user has the target's clicks, or saw every item");
		free(per);
	}

	/* The click model: over the impressions, clicks minus the sum of P(click) is a
	 * martingale stopped at a bounded time, so its mean is 0 and its variance the sum
	 * of p(1 - p).  P(click) is recomputed here from the latents. */
	seen = calloc((size_t)I, 1);
	for (int64_t u = 0; u < U; u++) {
		for (int64_t k = s.imp_off[u]; k < s.imp_off[u + 1]; k++) {
			int32_t i = s.imp_item[k];
			double z = 0, a = 0, pc;
			distinct_ok &= !seen[i];
			seen[i] = 1;
			for (int j = 0; j < p.dim; j++)
				z += s.taste[u * p.dim + j] * s.content[i * p.dim + j];
			for (int j = 0; j < p.exposure_dim; j++)
				a += s.exposure[i * p.exposure_dim + j];
			pc = sig(p.click_match * z + p.click_exposure * a / sqrt(p.exposure_dim) +
			    p.click_bias);
			pexp += pc;
			pvar += pc * (1 - pc);
		}
		for (int64_t k = s.imp_off[u]; k < s.imp_off[u + 1]; k++)
			seen[s.imp_item[k]] = 0;
	}
	free(seen);
	OK(distinct_ok, "no user is shown an item twice");
	NEAR((double)s.nclicks, pexp, 4 * sqrt(pvar),
	    "clicks %lld against the sum of P(click) over the impressions %.1f",
	    (long long)s.nclicks, pexp);

	/* The like model, per era: likes against the sum of P(like | click, z, V(t)). */
	for (int64_t n = 0; n < s.nclicks; n++) {
		const struct sim_click *c = &s.clicks[n];
		int late = c->time >= s.drift_time;
		double z = 0, v = late ? s.quality_late[c->item] : s.quality[c->item], q;
		for (int j = 0; j < p.dim; j++)
			z += s.taste[c->user * p.dim + j] * s.content[c->item * p.dim + j];
		q = sig(p.like_match * z + p.confounding * v + p.like_bias);
		qexp[late] += q;
		qvar[late] += q * (1 - q);
		likes[late] += c->like;
		nclk[late]++;
		early += !late;
		time_ok &= c->time >= 0 && c->time < SIM_TIMELINE;
	}
	NEAR((double)likes[0], qexp[0], 4 * sqrt(qvar[0]),
	    "likes before the drift point %lld against the sum of P(like) %.1f",
	    (long long)likes[0], qexp[0]);
	NEAR((double)likes[1], qexp[1], 4 * sqrt(qvar[1]),
	    "likes after the drift point %lld against the sum of P(like) with V' %.1f",
	    (long long)likes[1], qexp[1]);
	OK(likes[0] + likes[1] == s.nlikes, "the like count adds up");
	OK(time_ok, "every timestamp is in [0, %d)", SIM_TIMELINE);
	got = (double)early / (double)s.nclicks;
	NEAR(got, p.drift_at, 4 * sqrt(p.drift_at * (1 - p.drift_at) / (double)s.nclicks),
	    "the share of clicks before the drift point (%.4f) is the drift point", got);

	/* The item latents and the features. */
	got = correlation(s.price, s.quality, I);
	NEAR(got, p.price_corr, 4 * r_se(p.price_corr, I), "corr(price, V) = %.4f, rho = %g", got,
	    p.price_corr);
	got = correlation(s.quality, s.quality_late, I);
	NEAR(got, sqrt(1 - p.drift), 4 * r_se(sqrt(1 - p.drift), I),
	    "corr(V, V') = %.4f, sqrt(1 - d) = %.4f", got, sqrt(1 - p.drift));
	got = correlation(s.price, s.quality_late, I);
	NEAR(got, p.price_corr * sqrt(1 - p.drift), 4 * r_se(p.price_corr * sqrt(1 - p.drift), I),
	    "corr(price, V') = %.4f, rho sqrt(1 - d) = %.4f", got, p.price_corr * sqrt(1 - p.drift));
	{
		double m = 0, v = 0, vl = 0, ta = 0, noise = 0;
		for (int64_t i = 0; i < I; i++)
			m += s.quality[i], v += s.quality[i] * s.quality[i],
			    vl += s.quality_late[i] * s.quality_late[i];
		NEAR(m / I, 0, 4 / sqrt(I), "V has mean 0");
		NEAR(v / I, 1, 4 * sqrt(2.0 / I), "V has variance 1");
		NEAR(vl / I, 1, 4 * sqrt(2.0 / I), "V' has variance 1: drift keeps the prior");
		for (int64_t j = 0; j < U * p.dim; j++)
			ta += s.taste[j] * s.taste[j];
		/* Each squared taste is (1/k) chi^2_1: variance 2 / k^2. */
		NEAR(ta / (U * p.dim), 1.0 / p.dim, 4 * sqrt(2.0 / (U * p.dim)) / p.dim,
		    "tastes have variance 1/k");
		for (int64_t j = 0; j < I * p.dim; j++) {
			double e = s.content_obs[j] - s.content[j];
			noise += e * e;
		}
		NEAR(noise / (I * p.dim), p.noise * p.noise,
		    4 * p.noise * p.noise * sqrt(2.0 / (I * p.dim)),
		    "the observed content is the content plus noise of sd %g", p.noise);
	}
	sim_free(&s);
}

static int same_clicks(const struct sim *a, const struct sim *b, int likes)
{
	if (a->nclicks != b->nclicks)
		return 0;
	for (int64_t n = 0; n < a->nclicks; n++) {
		const struct sim_click *x = &a->clicks[n], *y = &b->clicks[n];
		if (x->user != y->user || x->item != y->item || x->time != y->time ||
		    (likes && x->like != y->like))
			return 0;
	}
	return 1;
}

static void determinism(void)
{
	struct sim_params p;
	struct sim a, b;
	int64_t rows, *ua, *ub;
	sim_defaults(&p);
	p.users = 300, p.items = 400;
	sim_draw(&a, &p, 0);
	sim_draw(&b, &p, 0);
	OK(same_clicks(&a, &b, 1) &&
	    memcmp(a.price, b.price, (size_t)p.items * sizeof *a.price) == 0,
	    "the same seed draws the same data");
	sim_free(&b);
	p.confounding = 3;
	sim_draw(&b, &p, 0);
	OK(same_clicks(&a, &b, 0) && !same_clicks(&a, &b, 1),
	    "another kappa relabels the likes of the very same clicks");
	sim_free(&b);
	p.confounding = 1;
	p.seed = 2;
	sim_draw(&b, &p, 0);
	OK(memcmp(a.price, b.price, (size_t)p.items * sizeof *a.price) != 0,
	    "another seed draws other data");
	sim_free(&b);

	p.seed = 1;
	p.truth_users = 50;
	rows = sim_truth_rows(&p);
	ua = malloc((size_t)rows * sizeof *ua);
	ub = malloc((size_t)rows * sizeof *ub);
	sim_truth_users(&a, rows, ua);
	sim_truth_users(&a, rows, ub);
	{
		int ok = rows == 50 && memcmp(ua, ub, (size_t)rows * sizeof *ua) == 0;
		for (int64_t r = 1; r < rows; r++)
			ok &= ua[r - 1] < ua[r];
		ok &= ua[0] >= 0 && ua[rows - 1] < p.users;
		OK(ok, "a truth sample is distinct users in ascending order, the same each time");
	}
	free(ua);
	free(ub);
	sim_free(&a);

	p.truth_users = 0;
	p.users = 100000, p.items = 50000;
	OK(sim_truth_rows(&p) == 335, "a large setting samples 2^24 / items users");
	p.users = 1000, p.items = 2000;
	OK(sim_truth_rows(&p) == 1000, "the default setting keeps every user");
}

static void checks(void)
{
	struct sim_params p;
	char buf[200];
	const char *m;
	sim_defaults(&p);
	OK(sim_check(&p, buf, sizeof buf) == NULL, "the defaults fit together");
	p.items = 10;
	p.min_clicks = 11;
	m = sim_check(&p, buf, sizeof buf);
	OK(m && strcmp(m, "--min-clicks 11 is more than the 10 items: a user clicks an item at most once") == 0,
	    "more clicks than items is refused");
	sim_defaults(&p);
	p.truth_users = 2000;
	m = sim_check(&p, buf, sizeof buf);
	OK(m && strcmp(m, "--truth-users 2000 is more than the 1000 users") == 0,
	    "a truth sample larger than the users is refused");
}

static void gap(void)
{
	float a[2 * 60], b[2 * 60];
	struct sim_gap g;
	for (int j = 0; j < 120; j++)
		a[j] = (float)((j * 37) % 101), b[j] = a[j];
	sim_truth_gap(2, 60, a, b, &g);
	OK(g.k == 50 && g.pearson > 0.999999 && g.overlap == 1, "a score is its own best match");
	for (int j = 0; j < 120; j++)
		b[j] = -a[j];
	sim_truth_gap(2, 60, a, b, &g);
	OK(g.pearson < -0.999999 && fabs(g.overlap - 40.0 / 50) < 1e-12,
	    "a reversed score: the top 50 of 60 share 40");
}

int main(void)
{
	quadrature();
	by_hand();
	marginals();
	determinism();
	checks();
	gap();
	return tap_done();
}
