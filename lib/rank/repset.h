/* repset.h: a trained model as scoring sees it: every tower's group vectors for all
 * nodes, the few arrays a method keeps of its own, and the settings its rules read. */
#ifndef HCR_REPSET_H
#define HCR_REPSET_H

#include <stddef.h>
#include <stdint.h>

/* The groups of modalities a tower scores with (method.md 4): z all of them, e the
 * exposure ones (seen before the click), c the content ones (seen after it). */
enum rep_group { GROUP_Z, GROUP_E, GROUP_C, GROUP_COUNT };
extern const char *const rep_group_names[GROUP_COUNT];

#define REPSET_MAX_TOWERS 3
#define REPSET_MAX_EXTRA 8

/* HCR's heads (method.md 5, the open point): which groups feed h1 and h2, whether
 * h1 reads the click tower (1) or the like tower (2), whether h2 has a per-item
 * factor sigmoid(b_i); and the users' weights in the mean that centres h1 (hcr-c). */
enum { CENTRE_USERS, CENTRE_CLICKS, CENTRE_KINDS };
struct heads {
	unsigned h1, h2;   /* bit g for enum rep_group */
	int h1_tower;
	int h2_item;
	int centre;        /* CENTRE_USERS: each user with a training click alike;
	                    * CENTRE_CLICKS: by training clicks */
};
extern const char *const centre_names[CENTRE_KINDS];

struct repset_extra {
	char name[48];
	int64_t rows, cols;
	float *data;
};

struct repset {
	int64_t nu, ni;
	int dim, towers;
	/* (nu + ni) x dim: users' rows then items'; NULL for a group a tower lacks */
	float *rep[REPSET_MAX_TOWERS][GROUP_COUNT];
	int nextra;
	struct repset_extra extra[REPSET_MAX_EXTRA];
	struct heads heads;
};

/* The paper's heads: h1 = sig(Y2z), h2 = sig(Y2e) sig(Y2c), no item factor. */
extern const struct heads heads_default;

void repset_free(struct repset *rs);
/* Takes data (rows x cols floats, malloc'd) under name; replaces one of that name. */
void repset_add_extra(struct repset *rs, const char *name, int64_t rows, int64_t cols,
    float *data);
/* The array of that name and shape, or NULL. */
const float *repset_extra(const struct repset *rs, const char *name, int64_t rows,
    int64_t cols);
/* The users' weights in a mean over users, summing to 1 (centre: CENTRE_USERS or
 * CENTRE_CLICKS): each user with a training click alike, or by training clicks, from
 * the model's "user_clicks"; every user alike without it. */
double *repset_user_weights(const struct repset *rs, int centre);
/* The columns of the extra array of that name, 0 if there is none. */
int repset_extra_cols(const struct repset *rs, const char *name);
/* "z" "e,c" etc. and back; parse returns -1 on a name other than z, e, c. */
void heads_groups_str(unsigned groups, char *buf, size_t size);
int heads_groups_parse(const char *s, unsigned *groups);

#endif
