/* gen-log ROWS USERS ITEMS [SEED]: writes a log in split-chrono's default format
 * (user_id,item_id,timestamp,click,like) for benchmarks: uniform users and items,
 * uniform times over 30 days of Unix seconds, every row a click, a quarter liked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"

static uint64_t state;

/* xorshift64*: fast, and the same file for the same seed on every machine */
static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dULL;
}

int main(int argc, char **argv)
{
	long rows, users, items, i;
	tool_init("gen-log", argc, argv);
	if (argc < 4 || argc > 5)
		die(HCR_EXIT_USAGE, "usage: gen-log ROWS USERS ITEMS [SEED]");
	rows = opt_long("ROWS", argv[1], 0, 4000000000L);
	users = opt_long("USERS", argv[2], 1, 1L << 31);
	items = opt_long("ITEMS", argv[3], 1, 1L << 31);
	state = argc == 5 ? (uint64_t)opt_long("SEED", argv[4], 1, 1L << 62) : 88172645463325252ULL;
	setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 20);
	printf("user_id,item_id,timestamp,click,like\n");
	for (i = 0; i < rows; i++) {
		uint64_t u = next() % (uint64_t)users, it = next() % (uint64_t)items;
		uint64_t t = 1500000000 + next() % (30 * 86400);
		int like = next() % 4 == 0;
		printf("u%llu,i%llu,%llu,1,%d\n", (unsigned long long)u, (unsigned long long)it,
		    (unsigned long long)t, like);
	}
	out_close(stdout);
	return HCR_EXIT_OK;
}
