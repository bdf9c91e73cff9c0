/* adam: the first three steps of torch.optim.Adam(lr=0.1, weight_decay=0.1) on two
 * parameters, against values worked out from the textbook formulas
 *	g' = g + lambda theta,  m = 0.9 m + 0.1 g',  v = 0.999 v + 0.001 g'^2,
 *	theta -= lr (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8).
 * Step 1, by hand: g' = (0.5 + 0.1, -0.25 - 0.2) = (0.6, -0.45) and the bias-corrected
 * m / sqrt(v) is g' / |g'|, so theta moves by lr (1 - 1e-8 / |g'|) against the sign
 * of g': 1 -> 0.9000000017, -2 -> -1.9000000022.  The scalar parameter never gets a
 * gradient: only the decay moves it (g' = 0.05), as torch's dense update does for
 * an embedding row no batch touched.  Later steps: the same formulas in double.
 * Tolerance 2e-6: a few float roundings (eps 6e-8) of values of order 1, over 3 steps. */
#include "tap.h"
#include "train/adam.h"
#include "train/autodiff.h"

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
	return tap_done();
}
