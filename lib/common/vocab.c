/* vocab.c: a string-interning hash table whose ids live in one arena, so that
 * millions of ids cost two allocations, not millions. */
#include "common/vocab.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static uint64_t hash(const char *s, size_t n)
{
	/* FNV-1a, then a final mix so that sequential numeric ids spread over slots */
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void vocab_init(struct vocab *v)
{
	memset(v, 0, sizeof *v);
}

void vocab_free(struct vocab *v)
{
	free(v->text);
	free(v->start);
	free(v->slot);
	vocab_init(v);
}

/* A slot holds the id's index + 1 in its low 32 bits and 32 bits of its hash above,
 * so a probe compares strings only when the hashes agree. */
#define SLOT(h, i) ((int64_t)(((uint64_t)(h) >> 32) << 32 | (uint64_t)((i) + 1)))
#define SLOT_INDEX(s) ((int64_t)((uint64_t)(s) & 0xffffffffu) - 1)
#define SLOT_TAG(s) ((uint64_t)(s) >> 32)

static void rehash(struct vocab *v, size_t nslots)
{
	int64_t i;
	free(v->slot);
	v->slot = xcalloc(nslots, sizeof *v->slot);
	v->nslots = nslots;
	for (i = 0; i < v->n; i++) {
		const char *s = vocab_id(v, i);
		uint64_t h = hash(s, strlen(s));
		size_t k = h & (nslots - 1);
		while (v->slot[k])
			k = (k + 1) & (nslots - 1);
		v->slot[k] = SLOT(h, i);
	}
}

int64_t vocab_find(const struct vocab *v, const char *s, size_t len)
{
	uint64_t h;
	size_t k;
	if (!v->nslots)
		return -1;
	h = hash(s, len);
	k = h & (v->nslots - 1);
	while (v->slot[k]) {
		if (SLOT_TAG(v->slot[k]) == h >> 32) {
			int64_t i = SLOT_INDEX(v->slot[k]);
			const char *t = vocab_id(v, i);
			if (strncmp(t, s, len) == 0 && t[len] == '\0' && memchr(s, '\0', len) == NULL)
				return i;
		}
		k = (k + 1) & (v->nslots - 1);
	}
	return -1;
}

int64_t vocab_intern(struct vocab *v, const char *s, size_t len, int *added)
{
	size_t k;
	int64_t i = vocab_find(v, s, len);
	if (added)
		*added = i < 0;
	if (i >= 0)
		return i;
	if (v->n >= INT32_MAX)
		die(HCR_EXIT_DATA, "more than %d distinct ids", INT32_MAX);
	if ((size_t)(v->n + 1) * 2 > v->nslots)
		rehash(v, v->nslots ? v->nslots * 2 : 1024);
	XGROW(v->text, v->text_cap, v->text_len + len + 1);
	XGROW(v->start, v->start_cap, (size_t)v->n + 1);
	memcpy(v->text + v->text_len, s, len);
	v->text[v->text_len + len] = '\0';
	v->start[v->n] = v->text_len;
	v->text_len += len + 1;
	{
		uint64_t h = hash(s, len);
		k = h & (v->nslots - 1);
		while (v->slot[k])
			k = (k + 1) & (v->nslots - 1);
		v->slot[k] = SLOT(h, v->n);
	}
	return v->n++;
}

const char **vocab_ptrs(const struct vocab *v)
{
	const char **p = xcalloc((size_t)v->n + 1, sizeof *p);
	int64_t i;
	for (i = 0; i < v->n; i++)
		p[i] = vocab_id(v, i);
	return p;
}
