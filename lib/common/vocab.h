/* vocab.h: ids (strings) numbered in order of first appearance. */
#ifndef HCR_VOCAB_H
#define HCR_VOCAB_H

#include <stddef.h>
#include <stdint.h>

struct vocab {
	int64_t n;          /* number of ids */
	char *text;         /* the ids, each NUL-terminated, one after another */
	size_t text_len, text_cap;
	size_t *start;      /* start[i]: offset of id i in text */
	size_t start_cap;
	int64_t *slot;      /* open addressing: id index + 1, or 0 for empty */
	size_t nslots;
};

void vocab_init(struct vocab *v);
void vocab_free(struct vocab *v);
/* The index of id s (len bytes), added at the end if new; *added tells which.
 * Ids must not hold a NUL byte: loaders reject those with the line they are on. */
int64_t vocab_intern(struct vocab *v, const char *s, size_t len, int *added);
/* The index of id s, or -1. */
int64_t vocab_find(const struct vocab *v, const char *s, size_t len);
static inline const char *vocab_id(const struct vocab *v, int64_t i)
{
	return v->text + v->start[i];
}
/* An array of the n id pointers (free() it; the strings stay in v). */
const char **vocab_ptrs(const struct vocab *v);

#endif
