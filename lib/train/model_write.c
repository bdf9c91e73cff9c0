/* model_write.c: the model section (hcr-stream(5)) of a training run: every setting in
 * the meta, the best epoch's representations as blocks rep/K/G/user and rep/K/G/item
 * (model.c reads it back). */
#include "train/model.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "train/train.h"

static const char *const part_names_default[3] = { "part1", "part2", "part3" };

void model_write(struct hs_out *out, const struct train_config *cfg,
    const struct train_data *data, const struct train_result *res, const char *label)
{
	const struct method *m = cfg->method;
	msgpack_packer *pk = hs_begin(out, "model", 1);
	int k, g, e, nrules = 0;
	char name[64];

	while (m->rules[nrules].name)
		nrules++;
	msgpack_pack_map(pk, 18);
	mp_kv_str(pk, "label", label);
	mp_kv_str(pk, "method", m->name);
	mp_kv_str(pk, "backbone", cfg->bb.kind == BB_MMGCN ? "mmgcn" : "mf");
	mp_kv_int(pk, "users", data->nu);
	mp_kv_int(pk, "items", data->ni);
	mp_kv_int(pk, "dim", cfg->bb.dim);
	mp_kv_int(pk, "towers", m->towers);
	mp_kv_str(pk, "default_rule", m->rules[0].name);
	{
		char buf[16];
		mp_key(pk, "heads");
		msgpack_pack_map(pk, 5);
		heads_groups_str(cfg->heads.h1, buf, sizeof buf);
		mp_kv_str(pk, "h1", buf);
		heads_groups_str(cfg->heads.h2, buf, sizeof buf);
		mp_kv_str(pk, "h2", buf);
		mp_kv_int(pk, "h1_tower", cfg->heads.h1_tower);
		mp_kv_bool(pk, "h2_item", cfg->heads.h2_item);
		mp_kv_str(pk, "centre", centre_names[cfg->heads.centre]);
	}
	mp_key(pk, "rules");
	msgpack_pack_array(pk, (size_t)nrules);
	for (k = 0; k < nrules; k++)
		mp_str(pk, m->rules[k].name);
	mp_key(pk, "settings");
	/* "history" and "valid_rule" only when set, so that a model trained without them
	 * reads as before */
	msgpack_pack_map(pk, 16 + (cfg->bb.history != 0) + (cfg->valid_rule != NULL));
	mp_kv_num(pk, "lr", cfg->lr);
	mp_kv_num(pk, "l2", cfg->l2);
	mp_kv_num(pk, "beta", cfg->beta);
	mp_kv_int(pk, "batch", cfg->batch);
	mp_kv_int(pk, "negatives", cfg->negatives);
	mp_kv_int(pk, "epochs", cfg->epochs);
	mp_kv_int(pk, "patience", cfg->patience);
	mp_kv_int(pk, "k_valid", cfg->k_valid);
	mp_kv_int(pk, "latent", cfg->bb.latent);
	mp_kv_int(pk, "layers", cfg->bb.kind == BB_MMGCN ? cfg->bb.layers : 0);
	mp_kv_num(pk, "slope", cfg->bb.slope);
	mp_kv_bool(pk, "frozen", cfg->bb.frozen);
	if (cfg->bb.history)
		mp_kv_str(pk, "history", "gnnautoscale");
	if (cfg->valid_rule)
		mp_kv_str(pk, "valid_rule", cfg->valid_rule);
	mp_kv_str(pk, "graph", m->graph == GRAPH_CLICK ? "click" : "like");
	mp_kv_bool(pk, "shared_id", m->shared_id);
	mp_kv_str(pk, "samples", m->samples == SAMPLES_CLICKS ? "clicks" : "likes");
	mp_kv_int(pk, "max_batches", cfg->max_batches);
	mp_key(pk, "modalities");
	msgpack_pack_array(pk, (size_t)data->nmod);
	for (k = 0; k < data->nmod; k++) {
		const struct bb_modality *md = &data->mods[k];
		msgpack_pack_map(pk, 4);
		mp_kv_str(pk, "name", md->name);
		mp_kv_str(pk, "role", md->role == ROLE_EXPOSURE ? "exposure" : "content");
		mp_kv_str(pk, "kind", md->is_bag ? "bag" : "dense");
		mp_kv_int(pk, "dim", md->dim);
	}
	mp_key(pk, "epoch_columns");
	msgpack_pack_array(pk, 6);
	mp_str(pk, "epoch");
	mp_str(pk, "loss");
	for (k = 0; k < 3; k++)
		mp_str(pk, m->part_names[k] ? m->part_names[k] : part_names_default[k]);
	/* the last column names the validation metric: valid_ndcg@50 by default */
	{
		char metric[32];
		snprintf(name, sizeof name, "valid_%s", train_valid_name(cfg->valid_metric,
		    cfg->k_valid, metric, sizeof metric));
	}
	mp_str(pk, name);
	/* no timings: the same seed and thread count must give the same bytes */
	mp_key(pk, "epoch_log");
	msgpack_pack_array(pk, (size_t)res->epochs);
	for (e = 0; e < res->epochs; e++) {
		const struct epoch_log *l = &res->log[e];
		msgpack_pack_array(pk, 6);
		msgpack_pack_int64(pk, l->epoch);
		msgpack_pack_double(pk, l->loss);
		for (k = 0; k < 3; k++)
			msgpack_pack_double(pk, l->part[k]);
		msgpack_pack_double(pk, l->valid);
	}
	mp_kv_int(pk, "best_epoch", res->best_epoch);
	mp_kv_num(pk, "best_valid", res->best_valid);
	mp_kv_str(pk, "stopped", res->stopped ? res->stopped : "");
	mp_kv_int(pk, "valid_users", res->valid_users);
	for (k = 0; k < res->rs.towers; k++)
		for (g = 0; g < GROUP_COUNT; g++) {
			const float *r = res->rs.rep[k][g];
			if (!r)
				continue;
			snprintf(name, sizeof name, "rep/%d/%s/user", k + 1, rep_group_names[g]);
			hs_write_block(out, name, HS_F4, data->nu, res->rs.dim, r);
			snprintf(name, sizeof name, "rep/%d/%s/item", k + 1, rep_group_names[g]);
			hs_write_block(out, name, HS_F4, data->ni, res->rs.dim,
			    r + (size_t)data->nu * (size_t)res->rs.dim);
		}
	for (k = 0; k < res->rs.nextra; k++) {
		const struct repset_extra *x = &res->rs.extra[k];
		snprintf(name, sizeof name, "extra/%s", x->name);
		hs_write_block(out, name, HS_F4, x->rows, x->cols, x->data);
	}
	hs_end(out);
}
