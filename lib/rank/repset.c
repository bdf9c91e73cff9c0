/* repset.c: the representations a model hands to scoring. */
#include "rank/repset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lists.h"
#include "common/util.h"

const char *const rep_group_names[GROUP_COUNT] = { "z", "e", "c" };

const struct heads heads_default = { 1u << GROUP_Z, (1u << GROUP_E) | (1u << GROUP_C), 2, 0,
	CENTRE_USERS };
const char *const centre_names[CENTRE_KINDS] = { "users", "clicks" };

void repset_free(struct repset *rs)
{
	int k, g;
	for (k = 0; k < REPSET_MAX_TOWERS; k++)
		for (g = 0; g < GROUP_COUNT; g++)
			free(rs->rep[k][g]);
	for (k = 0; k < rs->nextra; k++)
		free(rs->extra[k].data);
	memset(rs, 0, sizeof *rs);
}

void repset_add_extra(struct repset *rs, const char *name, int64_t rows, int64_t cols,
    float *data)
{
	int k;
	for (k = 0; k < rs->nextra; k++)
		if (strcmp(rs->extra[k].name, name) == 0)
			break;
	if (k == REPSET_MAX_EXTRA)
		die(HCR_EXIT_FAIL, "internal: more than %d extra arrays", REPSET_MAX_EXTRA);
	if (k < rs->nextra)
		free(rs->extra[k].data);
	else
		rs->nextra++;
	snprintf(rs->extra[k].name, sizeof rs->extra[k].name, "%s", name);
	rs->extra[k].rows = rows;
	rs->extra[k].cols = cols;
	rs->extra[k].data = data;
}

const float *repset_extra(const struct repset *rs, const char *name, int64_t rows,
    int64_t cols)
{
	int k;
	for (k = 0; k < rs->nextra; k++)
		if (strcmp(rs->extra[k].name, name) == 0 && rs->extra[k].rows == rows &&
		    rs->extra[k].cols == cols)
			return rs->extra[k].data;
	return NULL;
}

double *repset_user_weights(const struct repset *rs, int centre)
{
	const float *clicks = repset_extra(rs, "user_clicks", rs->nu, 1);
	double *w = xmalloc(((size_t)rs->nu + 1) * sizeof *w), sum = 0;
	int64_t u;
	for (u = 0; u < rs->nu; u++) {
		w[u] = !clicks ? 1 : centre == CENTRE_CLICKS ? clicks[u] : clicks[u] > 0;
		sum += w[u];
	}
	for (u = 0; u < rs->nu; u++)
		w[u] = sum > 0 ? w[u] / sum : 1.0 / (double)rs->nu;
	return w;
}

int repset_extra_cols(const struct repset *rs, const char *name)
{
	int k;
	for (k = 0; k < rs->nextra; k++)
		if (!strcmp(rs->extra[k].name, name))
			return (int)rs->extra[k].cols;
	return 0;
}

void heads_groups_str(unsigned groups, char *buf, size_t size)
{
	int g;
	buf[0] = '\0';
	for (g = 0; g < GROUP_COUNT; g++)
		if (groups & (1u << g))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "",
			    rep_group_names[g]);
}

int heads_groups_parse(const char *s, unsigned *groups)
{
	char buf[64], *items[4 * GROUP_COUNT];
	int n, k, g;
	*groups = 0;
	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	n = list_split(buf, items, (int)(sizeof items / sizeof items[0]));
	for (k = 0; k < n; k++) {
		for (g = 0; g < GROUP_COUNT && strcmp(items[k], rep_group_names[g]) != 0; g++)
			;
		if (g == GROUP_COUNT)
			return -1;
		*groups |= 1u << g;
	}
	return n > 0 ? 0 : -1;
}
