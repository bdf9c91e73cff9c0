/* model.c: the model section (hcr-stream(5)) read back: every setting in the meta, the
 * final representations as blocks rep/K/G/user and rep/K/G/item (model_write.c writes
 * it). */
#include "train/model.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static void read_heads(const struct hs_in *in, const struct hs_section *sec, struct heads *h)
{
	const msgpack_object *o = hs_get(sec->meta, "heads"), *v;
	char buf[16];
	size_t len;
	const char *str;
	*h = heads_default;
	if (!o)
		return;
	if ((v = hs_get(o, "h1"))) {
		str = hs_str(in, v, "heads.h1", &len);
		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : 0), str);
		if (heads_groups_parse(buf, &h->h1) != 0)
			hs_die(in, "heads.h1 '%.*s': expected groups among z, e, c", (int)len, str);
	}
	if ((v = hs_get(o, "h2"))) {
		str = hs_str(in, v, "heads.h2", &len);
		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : 0), str);
		if (heads_groups_parse(buf, &h->h2) != 0)
			hs_die(in, "heads.h2 '%.*s': expected groups among z, e, c", (int)len, str);
	}
	if ((v = hs_get(o, "h1_tower")))
		h->h1_tower = (int)hs_int(in, v, "heads.h1_tower");
	if (h->h1_tower != 1 && h->h1_tower != 2)
		hs_die(in, "heads.h1_tower is %d, expected 1 or 2", h->h1_tower);
	if ((v = hs_get(o, "h2_item")))
		h->h2_item = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
	/* a model from before centring: its users alike, as the default */
	if ((v = hs_get(o, "centre"))) {
		str = hs_str(in, v, "heads.centre", &len);
		for (h->centre = 0; h->centre < CENTRE_KINDS; h->centre++)
			if (strlen(centre_names[h->centre]) == len &&
			    memcmp(centre_names[h->centre], str, len) == 0)
				break;
		if (h->centre == CENTRE_KINDS)
			hs_die(in, "heads.centre '%.*s': expected users or clicks",
			    (int)(len < 40 ? len : 40), str);
	}
}

void model_read(struct hs_in *in, const struct hs_section *sec, int64_t nu, int64_t ni,
    struct model *m)
{
	const msgpack_object *rec;
	struct repset *rs = &m->rs;
	unsigned have[REPSET_MAX_TOWERS][GROUP_COUNT];
	int k, g;

	memset(m, 0, sizeof *m);
	memset(have, 0, sizeof have);
	hs_meta_copy(in, sec, "label", m->label, sizeof m->label);
	hs_meta_copy(in, sec, "method", m->method, sizeof m->method);
	hs_meta_copy(in, sec, "backbone", m->backbone, sizeof m->backbone);
	hs_meta_copy(in, sec, "default_rule", m->default_rule, sizeof m->default_rule);
	rs->nu = hs_meta_int(in, sec, "users");
	rs->ni = hs_meta_int(in, sec, "items");
	rs->dim = (int)hs_meta_int(in, sec, "dim");
	rs->towers = (int)hs_meta_int(in, sec, "towers");
	m->best_epoch = (int)hs_meta_int_or(sec, "best_epoch", 0);
	read_heads(in, sec, &rs->heads);
	if (rs->nu != nu || rs->ni != ni)
		hs_die(in, "the model is of %lld users and %lld items, the vocab has %lld and %lld",
		    (long long)rs->nu, (long long)rs->ni, (long long)nu, (long long)ni);
	if (rs->dim < 1 || rs->dim > 4096 || rs->towers < 1 || rs->towers > REPSET_MAX_TOWERS)
		hs_die(in, "the model's dim %d or towers %d is out of range", rs->dim, rs->towers);
	while ((rec = hs_next_record(in))) {
		struct hs_block b;
		char tail[16];
		int side;
		hs_read_block(in, rec, &b);
		if (strncmp(b.name, "extra/", 6) == 0 && b.name[6]) {
			if (b.dtype != HS_F4)
				hs_die(in, "block '%s': expected <f4", b.name);
			hs_block_check_finite(in, &b);
			/* repset_add_extra takes a ninth name as a bug of ours, not of the input */
			for (k = 0; k < rs->nextra && strcmp(rs->extra[k].name, b.name + 6); k++)
				;
			if (k == REPSET_MAX_EXTRA)
				hs_die(in, "block '%s': the model has more than %d extra arrays", b.name,
				    REPSET_MAX_EXTRA);
			repset_add_extra(rs, b.name + 6, b.rows, b.cols, b.data);
			b.data = NULL;
			continue;
		}
		if (sscanf(b.name, "rep/%d/%15s", &k, tail) != 2 || k < 1 || k > rs->towers) {
			hs_block_free(&b); /* a block this reader does not use */
			continue;
		}
		for (g = 0; g < GROUP_COUNT; g++) {
			size_t gl = strlen(rep_group_names[g]);
			if (strncmp(tail, rep_group_names[g], gl) == 0 && tail[gl] == '/')
				break;
		}
		side = g < GROUP_COUNT ? (strcmp(tail + 2, "user") == 0 ? 0
		                        : strcmp(tail + 2, "item") == 0 ? 1 : -1) : -1;
		if (side < 0) {
			hs_block_free(&b);
			continue;
		}
		if (b.dtype != HS_F4 || b.ndim != 2 || b.cols != rs->dim ||
		    b.rows != (side == 0 ? nu : ni))
			hs_die(in, "block '%s': expected %lld x %d floats", b.name,
			    (long long)(side == 0 ? nu : ni), rs->dim);
		hs_block_check_finite(in, &b);
		if (!rs->rep[k - 1][g])
			rs->rep[k - 1][g] = xcalloc((size_t)(nu + ni) * (size_t)rs->dim, sizeof(float));
		memcpy(rs->rep[k - 1][g] + (side == 0 ? 0 : (size_t)nu * (size_t)rs->dim), b.data,
		    (size_t)b.rows * (size_t)rs->dim * sizeof(float));
		have[k - 1][g] |= 1u << side;
		hs_block_free(&b);
	}
	for (k = 0; k < REPSET_MAX_TOWERS; k++)
		for (g = 0; g < GROUP_COUNT; g++)
			if (have[k][g] && have[k][g] != 3)
				die(HCR_EXIT_DATA, "%s: the model has rep/%d/%s/%s but not its %s block",
				    hs_in_name(in), k + 1, rep_group_names[g],
				    have[k][g] == 1 ? "user" : "item", have[k][g] == 1 ? "item" : "user");
}

void model_free(struct model *m)
{
	repset_free(&m->rs);
	memset(m, 0, sizeof *m);
}
