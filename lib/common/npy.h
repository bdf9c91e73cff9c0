/* npy.h: NumPy's .npy format, read from a buffer (one vector per file, as Kwai ships
 * its visual features): magic, version 1, 2 or 3, the header dict, little-endian
 * float32 or float64 data. */
#ifndef HCR_NPY_H
#define HCR_NPY_H

#include <stddef.h>
#include <stdint.h>

#define NPY_MAX_DIMS 8

struct npy {
	int major, minor;
	int f8;                   /* 1: '<f8' (converted to float), 0: '<f4' */
	int fortran;
	int ndim;
	int64_t shape[NPY_MAX_DIMS];
	int64_t count;            /* product of the shape */
	size_t data_at;           /* byte offset of the data */
};

/* Parses the header of the len bytes at buf and checks that the data after it is
 * exactly what the shape and dtype say.  On error returns -1 with the byte offset in
 * *at and "expected X, got 'Y'" in msg. */
int npy_header(const unsigned char *buf, size_t len, struct npy *h, size_t *at, char *msg,
    size_t msgsize);
/* Checks that the header describes a vector (every dimension but one is 1, so the
 * memory order does not matter) of finite floats and converts its count values into
 * out.  On error returns -1 with *at and msg as npy_header. */
int npy_vector(const unsigned char *buf, size_t len, const struct npy *h, float *out,
    size_t *at, char *msg, size_t msgsize);

#endif
