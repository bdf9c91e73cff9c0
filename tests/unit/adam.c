/* adam: the first three steps of torch.optim.Adam(lr=0.1, weight_decay=0.1) on two
 * parameters, against values worked out from the textbook formulas
 *	g' = g + lambda theta,  m = 0.9 m + 0.1 g',  v = 0.999 v + 0.001 g'^2,
 *	theta -= lr (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8).
 * Step 1, by hand: g' = (0.5 + 0.1, -0.25 - 0.2) = (0.6, -0.45) and the bias-corrected
 * m / sqrt(v) is g' / |g'|, so theta moves by lr (1 - 1e-8 / |g'|) against the sign
 * of g': 1 -> 0.9000000017, -2 -> -1.9000000022.  The scalar parameter never gets a
 * gradient: only the decay moves it (g' = 0.05), as torch's dense update does for
 * an embedding row no batch touched.  Later steps: the same formulas in double.
 * Tolerance 2e-6: a few float roundings (eps 6e-8) of values of order 1, over 3 steps.
 *
 * A lazy table (--history's LazyAdam) through the threaded step: a row with the
 * gradients above moves as theta does; a row never given one keeps its value and
 * moments; a row first given one at step 3 moves by the formulas with t = 3 and
 * moments from zero.
 *
 * A table that tracks its rows (ad_param_track_rows) steps as the scanning one does,
 * bit for bit, whether its gradient came by rows (a gather: only the marked rows are
 * visited) or whole (a product with it: the marks are set aside for the scan), and
 * leaves no mark behind. */
#include <math.h>
#include <string.h>

#include "common/pool.h"
#include "tap.h"
#include "train/adam.h"
#include "train/autodiff.h"

static void lazy_table(const double grads[3][2], const double want[3][3])
{
	static const double g3[2] = { 0.4, -0.1 }, init[3][2] = { { 1, -2 }, { 0.5, 0.25 }, { -1, 1 } };
	struct ad_params set = { 0 };
	struct ad_param *t = ad_param_new(&set, "table", 3, 2);
	struct adam opt;
	struct adam_ranges ar;
	struct pool pool;
	double row2[2];
	int ok = 1;
	for (int k = 0; k < 6; k++)
		t->t.val[k] = (real)init[k / 2][k % 2];
	t->lazy = 1;
	pool_init(&pool, 2);
	adam_init(&opt, 0.1, 0.1);
	adam_ranges_init(&ar, &opt, &set);
	for (int s = 0; s < 3; s++) {
		t->t.grad[0] = (real)grads[s][0];
		t->t.grad[1] = (real)grads[s][1];
		if (s == 2)
			t->t.grad[4] = (real)g3[0], t->t.grad[5] = (real)g3[1];
		ok &= adam_step_ranges(&ar, &pool) == 0;
		NEAR(t->t.val[0], want[s][0], 2e-6, "lazy table, step %d: a row with gradients moves as "
		    "in a dense step", s + 1);
		NEAR(t->t.val[1], want[s][1], 2e-6, "lazy table, step %d: its second entry", s + 1);
		if (s < 2)
			ok &= t->t.val[4] == (real)init[2][0] && t->t.val[5] == (real)init[2][1];
	}
	/* row 2 at step 3, from zero moments: m = 0.1 g', v = 0.001 g'^2 */
	for (int j = 0; j < 2; j++) {
		double g = g3[j] + 0.1 * init[2][j], m = 0.1 * g, v = 0.001 * g * g;
		row2[j] = init[2][j] - 0.1 * (m / (1 - pow(0.9, 3))) /
		    (sqrt(v / (1 - pow(0.999, 3))) + 1e-8);
	}
	NEAR(t->t.val[4], row2[0], 2e-6, "lazy table: a row first given a gradient at step 3 "
	    "moves by the formulas from zero moments");
	NEAR(t->t.val[5], row2[1], 2e-6, "lazy table: its second entry");
	OK(ok && t->t.val[2] == (real)init[1][0] && t->t.val[3] == (real)init[1][1] &&
	    t->m[2] == 0 && t->v[3] == 0, "lazy table: a row without gradient keeps its value "
	    "and moments, and waits unchanged until its first gradient");
	adam_ranges_free(&ar);
	pool_free(&pool);
	ad_params_free(&set);
}

/* Three steps of a lazy 5 x 2 table, tracked or scanned: rows 1 and 3 gathered (step
 * 1 and 3), the whole table in a product (step 2). */
static void tracked_steps(int track, real out[10], int *clean)
{
	static const int32_t rows[2] = { 3, 1 };
	struct ad_params set = { 0 };
	struct ad_param *t = ad_param_new(&set, "table", 5, 2);
	struct ad_tape tape;
	struct adam opt;
	struct adam_ranges ar;
	struct pool pool;
	*clean = 1;
	for (int k = 0; k < 10; k++)
		t->t.val[k] = (real)(0.1 * (k + 1) - 0.45);
	if (track)
		ad_param_track_rows(t);
	else
		t->lazy = 1;
	ad_tape_init(&tape);
	pool_init(&pool, 2);
	adam_init(&opt, 0.1, 0.1);
	adam_ranges_init(&ar, &opt, &set);
	for (int s = 0; s < 3; s++) {
		struct ad_tensor *y;
		ad_tape_reset(&tape);
		if (s == 1) {
			struct ad_tensor *w = ad_const(&tape, 2, 1);
			w->val[0] = 0.5f, w->val[1] = -1.5f;
			y = ad_matmul(&tape, &t->t, 0, w, 0);
		} else {
			y = ad_rowdot(&tape, ad_gather(&tape, &t->t, 2, rows),
			    ad_gather(&tape, &t->t, 2, rows));
		}
		ad_backward(&tape, ad_sum_all(&tape, y));
		adam_step_ranges(&ar, &pool);
		for (int r = 0; track && r < 5; r++)
			*clean &= t->t.touched[r] == 0 && !t->t.touched_all;
	}
	memcpy(out, t->t.val, 10 * sizeof *out);
	adam_ranges_free(&ar);
	pool_free(&pool);
	ad_tape_free(&tape);
	ad_params_free(&set);
}

static void tracked_table(void)
{
	real scan[10], tracked[10];
	int clean;
	tracked_steps(0, scan, &clean);
	tracked_steps(1, tracked, &clean);
	OK(memcmp(scan, tracked, sizeof scan) == 0, "a table tracking its rows steps as the "
	    "scanned one does, bit for bit, by rows and whole");
	OK(clean, "a step leaves no row marked");
	/* row 0 has a gradient at step 2 only, (0.5, -1.5): one update from zero moments
	 * at t = 2, and none at step 3 */
	for (int j = 0; j < 2; j++) {
		double x = 0.1 * (j + 1) - 0.45, g = (j ? -1.5 : 0.5) + 0.1 * x;
		double m = 0.1 * g, v = 0.001 * g * g;
		NEAR(tracked[j], x - 0.1 * (m / (1 - pow(0.9, 2))) /
		    (sqrt(v / (1 - pow(0.999, 2))) + 1e-8), 2e-6, "tracked table: row 0, entry "
		    "%d, moved at step 2 alone", j + 1);
	}
}

/* A parameter of 600 entries (two whole blocks of the vectorised update and a tail of
 * 88 by the scalar loop), varied gradients over three steps: every entry as a scalar
 * float loop of the same operations gives it, bit for bit (lanes do each entry's
 * operations), and as the formulas in double give it within 1e-6 (float roundings,
 * 6e-8 of values of order 1, over three steps). */
static void long_param(void)
{
	enum { N = 600 };
	struct ad_params set = { 0 };
	struct ad_param *p = ad_param_new(&set, "long", 1, N);
	struct adam opt;
	static real th[N], m[N], v[N];
	static double thd[N], md[N], vd[N];
	int same = 1;
	double worst = 0;
	for (int i = 0; i < N; i++)
		thd[i] = th[i] = p->t.val[i] = (real)(0.01 * (i % 37) - 0.2);
	adam_init(&opt, 0.01, 0.1);
	for (int t = 1; t <= 3; t++) {
		/* the constants as the update rounds them to reals */
		real sq = (real)sqrt(1 - pow(0.999, t)), step = (real)(0.01 / (1 - pow(0.9, t)));
		real wd = (real)0.1, w1 = (real)(1 - 0.9), b2 = (real)0.999, w2 = (real)(1 - 0.999);
		real eps = (real)1e-8;
		for (int i = 0; i < N; i++)
			p->t.grad[i] = (real)(0.003 * ((i * 7 + t * 13) % 101) - 0.15);
		for (int i = 0; i < N; i++) {
			real g = p->t.grad[i] + wd * th[i], den;
			double gd = (double)p->t.grad[i] + 0.1 * thd[i];
			m[i] = m[i] + w1 * (g - m[i]);
			v[i] = v[i] * b2 + w2 * g * g;
			den = (real)sqrt((double)v[i]);
			th[i] = th[i] - step * (m[i] / (den / sq + eps));
			md[i] = 0.9 * md[i] + 0.1 * gd;
			vd[i] = 0.999 * vd[i] + 0.001 * gd * gd;
			thd[i] -= 0.01 * (md[i] / (1 - pow(0.9, t))) /
			    (sqrt(vd[i] / (1 - pow(0.999, t))) + 1e-8);
		}
		adam_step(&opt, &set);
	}
	for (int i = 0; i < N; i++) {
		same &= memcmp(&th[i], &p->t.val[i], sizeof th[i]) == 0;
		if (fabs(p->t.val[i] - thd[i]) > worst)
			worst = fabs(p->t.val[i] - thd[i]);
	}
	OK(same, "600 entries, 3 steps: the vectorised blocks and the tail as a scalar loop, "
	    "bit for bit");
	OK(worst < 1e-6, "600 entries, 3 steps: within 1e-6 of the formulas in double (%.2g)",
	    worst);
	ad_params_free(&set);
}

int main(void)
{
	static const double grads[3][2] = { { 0.5, -0.25 }, { 0.1, 0.3 }, { -0.2, 0.0 } };
	static const double want[3][3] = {
		{ 0.9000000017, -1.9000000022, 0.4000000200 },
		{ 0.8136483454, -1.8525905496, 0.3011874610 },
		{ 0.7598997572, -1.7948272640, 0.2048713130 },
	};
	static const double want_m[3] = { 0.05383648347, -0.04507590552, 0.01066187479 };
	static const double want_v[3] = { 0.0004094185625, 0.0002485040199, 5.000541527e-06 };
	struct ad_params set = { 0 };
	struct ad_param *w = ad_param_new(&set, "w", 1, 2), *s = ad_param_new(&set, "s", 1, 1);
	struct ad_param *frozen = ad_param_new(&set, "frozen", 1, 1);
	struct adam opt;

	w->t.val[0] = 1, w->t.val[1] = -2, s->t.val[0] = 0.5f, frozen->t.val[0] = 3;
	ad_param_freeze(frozen);
	adam_init(&opt, 0.1, 0.1);
	OK(opt.beta1 == 0.9 && opt.beta2 == 0.999 && opt.eps == 1e-8, "torch's default betas and eps");
	for (int t = 0; t < 3; t++) {
		w->t.grad[0] = (real)grads[t][0];
		w->t.grad[1] = (real)grads[t][1];
		adam_step(&opt, &set);
		NEAR(w->t.val[0], want[t][0], 2e-6, "step %d: theta_1", t + 1);
		NEAR(w->t.val[1], want[t][1], 2e-6, "step %d: theta_2", t + 1);
		NEAR(s->t.val[0], want[t][2], 2e-6, "step %d: untouched parameter decays", t + 1);
	}
	for (int k = 0; k < 2; k++) {
		NEAR(w->m[k], want_m[k], 1e-8, "first moment %d after 3 steps", k + 1);
		NEAR(w->v[k], want_v[k], 1e-9, "second moment %d after 3 steps", k + 1);
	}
	NEAR(s->m[0], want_m[2], 1e-8, "first moment of the decayed parameter");
	NEAR(s->v[0], want_v[2], 1e-10, "second moment of the decayed parameter");
	OK(opt.step == 3, "step count");
	OK(w->t.grad[0] == 0 && w->t.grad[1] == 0, "a step clears the gradients it used");
	OK(frozen->t.val[0] == 3 && frozen->m[0] == 0, "a frozen parameter does not move");
	ad_params_free(&set);
	lazy_table(grads, want);
	tracked_table();
	long_param();
	return tap_done();
}
