/* mktruth: writes a truth section (as simulate(1) does) from a small table, so that
 * evaluate's truth figures can be worked out by hand.  Reads standard input:
 *   items ID ID ...               the item ids, once, first
 *   causal USER V V ...           a user's causal scores, one per item
 *   correlational USER V V ...    the same user's correlational scores
 *   # ...                         a comment; blank lines are skipped
 * Users come in the order of their causal lines; the late era's block is the
 * correlational one again, and the item vectors are zeros.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stream.h"

enum { MAX = 256 };

int main(int argc, char **argv)
{
	static char *items[MAX], *users[MAX];
	static float cau[MAX][MAX], cor[MAX][MAX];
	static double zero[MAX];
	char *line = NULL, *tok, *save;
	size_t cap = 0;
	int ni = 0, nu = 0, k, u;
	float *c1, *c2;
	struct hs_out *out;
	msgpack_packer *pk;

	tool_init("mktruth", argc, argv);
	while (getline(&line, &cap, stdin) > 0) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || tok[0] == '#')
			continue;
		if (!strcmp(tok, "items")) {
			while ((tok = strtok_r(NULL, " \t\n", &save)) && ni < MAX)
				items[ni++] = xstrdup(tok);
			continue;
		}
		if (strcmp(tok, "causal") != 0 && strcmp(tok, "correlational") != 0)
			die(HCR_EXIT_DATA, "expected items, causal or correlational, got '%s'", tok);
		{
			int is_causal = tok[1] == 'a';
			char *user = strtok_r(NULL, " \t\n", &save);
			if (!user)
				die(HCR_EXIT_DATA, "a line without its user");
			for (u = 0; u < nu && strcmp(users[u], user) != 0; u++)
				;
			if (u == nu) {
				if (!is_causal || nu == MAX)
					die(HCR_EXIT_DATA, "user '%s': its causal line comes first", user);
				users[nu++] = xstrdup(user);
			}
			for (k = 0; k < ni; k++) {
				tok = strtok_r(NULL, " \t\n", &save);
				if (!tok)
					die(HCR_EXIT_DATA, "user '%s': %d scores for %d items", user, k, ni);
				(is_causal ? cau : cor)[u][k] = strtof(tok, NULL);
			}
		}
	}
	free(line);
	c1 = xmalloc((size_t)(nu * ni + 1) * sizeof *c1);
	c2 = xmalloc((size_t)(nu * ni + 1) * sizeof *c2);
	for (u = 0; u < nu; u++)
		for (k = 0; k < ni; k++) {
			c1[u * ni + k] = cau[u][k];
			c2[u * ni + k] = cor[u][k];
		}
	out = hs_out_open("-");
	pk = hs_begin(out, "truth", 1);
	msgpack_pack_map(pk, 4);
	mp_kv_int(pk, "users", nu);
	mp_kv_int(pk, "items", ni);
	mp_kv_int(pk, "rows", nu);
	mp_kv_bool(pk, "sampled", 0);
	hs_write_block(out, "user_ids", HS_STR, nu, 0, users);
	hs_write_block(out, "item_ids", HS_STR, ni, 0, items);
	hs_write_block(out, "causal", HS_F4, nu, ni, c1);
	hs_write_block(out, "correlational", HS_F4, nu, ni, c2);
	hs_write_block(out, "correlational_late", HS_F4, nu, ni, c2);
	hs_write_block(out, "quality", HS_F8, ni, 0, zero);
	hs_end(out);
	hs_out_close(out);
	for (k = 0; k < ni; k++)
		free(items[k]);
	for (u = 0; u < nu; u++)
		free(users[u]);
	free(c1);
	free(c2);
	return 0;
}
