/* vec8.h: eight floats at a time, the AVX2 width of vec4.h's helpers, for code compiled
 * for AVX2 alone (under a target pragma, called after a CPU check).  Each helper is the
 * same operation lane by lane as its vec4.h namesake, so both widths give the same bits. */
#ifndef HCR_VEC8_H
#define HCR_VEC8_H

#if defined(__x86_64__) && defined(__GNUC__)
#define HCR_HAVE_VEC8 1

#include <stdint.h>
#include <string.h>

#define V8_TARGET __attribute__((target("avx2")))

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));

static inline V8_TARGET v8f v8_load(const float *p)
{
	v8f v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline V8_TARGET void v8_store(float *p, v8f v)
{
	memcpy(p, &v, sizeof v);
}

/* The first n < 8 floats of p, the rest zero. */
static inline V8_TARGET v8f v8_load_part(const float *p, int n)
{
	v8f v = { 0 };
	memcpy(&v, p, (size_t)n * sizeof *p);
	return v;
}

static inline V8_TARGET void v8_store_part(float *p, v8f v, int n)
{
	memcpy(p, &v, (size_t)n * sizeof *p);
}

static inline V8_TARGET v8f v8_splat(float x)
{
	v8f v = { x, x, x, x, x, x, x, x };
	return v;
}

/* vmaxps and vminps: a > b ? a : b and a < b ? a : b, as maxps and minps */
static inline V8_TARGET v8f v8_max(v8f a, v8f b)
{
	return __builtin_ia32_maxps256(a, b);
}

static inline V8_TARGET v8f v8_min(v8f a, v8f b)
{
	return __builtin_ia32_minps256(a, b);
}

static inline V8_TARGET v8f v8_abs(v8f a)
{
	return (v8f)((v8i)a & 0x7fffffff);
}

static inline V8_TARGET int v8_any(v8i m)
{
	return __builtin_ia32_movmskps256((v8f)m) != 0;
}

#endif
#endif
