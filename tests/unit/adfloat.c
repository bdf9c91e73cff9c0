/* adfloat: the float build against the double build.  The chain of chain.h, from
 * inputs exact in both precisions, is run here in float and by the double test
 * binary (tests64/grad --dump-chain); each gradient must agree within 1e-5 of the
 * largest gradient of its parameter: float rounds at 6e-8, and the chain's dozen
 * layers, normalisations and sums grow that to 3e-7 here (measured), while a real
 * defect (a precision-dependent branch, a wrong BLAS call) is of order 1.
 * Also: the product-of-sigmoids loss stays finite in float at extreme logits. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "tap.h"
#include "train/autodiff.h"

static void against_double(const char *self)
{
	char *dir = strdup(self), cmd[4096];
	struct chain c;
	struct ad_tape t;
	struct ad_tensor *l;
	FILE *fp;
	double loss_d, worst = 0;
	int ok = 1, read_all = 1;
	snprintf(cmd, sizeof cmd, "'%s/../tests64/grad' --dump-chain", dirname(dir));
	free(dir);
	fp = popen(cmd, "r");
	if (!fp || fscanf(fp, "%lf", &loss_d) != 1) {
		OK(0, "run the double build's chain: %s", cmd);
		if (fp)
			pclose(fp);
		return;
	}
	chain_init(&c, 11);
	ad_tape_init(&t);
	l = chain_loss(&t, &c, LOSS_ALL);
	ad_backward(&t, l);
	NEAR(l->val[0], loss_d, 1e-5 * fabs(loss_d), "chain loss: float %.9g, double %.9g",
	    l->val[0], loss_d);
	for (size_t k = 0; k < c.set.n; k++) {
		struct ad_param *p = c.set.p[k];
		int64_t n = p->t.rows * p->t.cols;
		double *gd = malloc((size_t)n * sizeof *gd), scale = 0, err = 0;
		for (int64_t j = 0; j < n; j++) {
			read_all &= fscanf(fp, "%lf", &gd[j]) == 1;
			scale = fmax(scale, fabs(gd[j]));
		}
		for (int64_t j = 0; j < n; j++)
			err = fmax(err, fabs(p->t.grad[j] - gd[j]));
		if (scale > 0)
			worst = fmax(worst, err / scale);
		ok &= err <= 1e-5 * scale;
		if (err > 1e-5 * scale)
			printf("# %s: max difference %g, largest gradient %g\n", p->name, err, scale);
		free(gd);
	}
	OK(read_all && pclose(fp) == 0, "read the double build's %zu gradients", ad_params_count(&c.set));
	OK(ok, "chain gradients: float within 1e-5 of double, relative to each parameter's "
	    "largest (worst %.1e)", worst);
	ad_tape_free(&t);
	chain_free(&c);
}

static void extreme_logits(void)
{
	static const real v[] = { 30, -30, 80, -80 };
	struct ad_params set = { 0 };
	struct ad_param *a = ad_param_new(&set, "a", 16, 1), *b = ad_param_new(&set, "b", 16, 1);
	struct ad_tensor *xs[2] = { &a->t, &b->t }, *l;
	struct ad_tape t;
	real y0[16] = { 0 }, y1[16];
	double want = 0;
	for (int k = 0; k < 16; k++) {
		a->t.val[k] = v[k / 4];
		b->t.val[k] = v[k % 4];
		y1[k] = 1;
	}
	ad_tape_init(&t);
	for (int lab = 0; lab < 2; lab++) {
		ad_params_zero_grad(&set);
		ad_tape_reset(&t);
		l = ad_bce_prod_sigmoid(&t, 2, xs, lab ? y1 : y0, NULL);
		ad_backward(&t, l);
		OK(ad_all_finite(l) && ad_params_finite(&set),
		    "float: product of sigmoids finite at logits +-30, +-80, label %d", lab);
	}
	/* label 1: loss = mean softplus(-a) + softplus(-b), which is about
	 * (2 * 4 * (30 + 80)) / 16 from the negative logits */
	for (int k = 0; k < 16; k++)
		want += (log1p(exp(-(double)a->t.val[k])) + log1p(exp(-(double)b->t.val[k]))) / 16;
	NEAR(l->val[0], want, 1e-6 * want, "float: label-1 loss at extreme logits");
	ad_tape_free(&t);
	ad_params_free(&set);
}

int main(int argc, char **argv)
{
	(void)argc;
	against_double(argv[0]);
	extreme_logits();
	return tap_done();
}
