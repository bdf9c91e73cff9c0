/* vec4.h: four floats at a time with GCC/Clang vector extensions, for the hot loops
 * of ranking; explicit because -O2 does not vectorize loops with an epilogue or a
 * select, and the same code then runs on any target: 16 bytes is SSE2, or NEON. */
#ifndef HCR_VEC4_H
#define HCR_VEC4_H

#include <stdint.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16)));

static inline v4f v4_load(const float *p)
{
	v4f v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline void v4_store(float *p, v4f v)
{
	memcpy(p, &v, sizeof v);
}

/* The first n < 4 floats of p, the rest zero. */
static inline v4f v4_load_part(const float *p, int n)
{
	v4f v = { 0 };
	memcpy(&v, p, (size_t)n * sizeof *p);
	return v;
}

static inline void v4_store_part(float *p, v4f v, int n)
{
	memcpy(p, &v, (size_t)n * sizeof *p);
}

static inline v4f v4_splat(float x)
{
	v4f v = { x, x, x, x };
	return v;
}

static inline v4f v4_select(v4i mask, v4f a, v4f b)
{
	return (v4f)(((v4i)a & mask) | ((v4i)b & ~mask));
}

/* a > b ? a : b and a < b ? a : b lane by lane; on x86 maxps and minps are exactly
 * these (NaN included), one instruction where the compiler keeps the select. */
static inline v4f v4_max(v4f a, v4f b)
{
#if defined(__SSE__) && (defined(__GNUC__) || defined(__clang__))
	return __builtin_ia32_maxps(a, b);
#else
	return v4_select(a > b, a, b);
#endif
}

static inline v4f v4_min(v4f a, v4f b)
{
#if defined(__SSE__) && (defined(__GNUC__) || defined(__clang__))
	return __builtin_ia32_minps(a, b);
#else
	return v4_select(a < b, a, b);
#endif
}

static inline v4f v4_abs(v4f a)
{
	return (v4f)((v4i)a & 0x7fffffff);
}

/* 1 if any lane of a comparison mask is set: one sign-bit gather on x86. */
static inline int v4_any(v4i m)
{
#if defined(__SSE__) && (defined(__GNUC__) || defined(__clang__))
	return __builtin_ia32_movmskps((v4f)m) != 0;
#else
	return (m[0] | m[1] | m[2] | m[3]) != 0;
#endif
}

#endif
