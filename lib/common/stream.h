/* stream.h: the hcr stream, read and written by every tool (format: hcr-stream(5)).
 *
 * A stream is a sequence of sections.  A section is a header map
 *   {"hcr": 1, "section": NAME, "version": V, "tool": T, "tool_version": TV,
 *    "args": [...], "seed": S, "threads": N, "blas": CORE, "meta": {...}}
 * then its records (any msgpack values, as the section's definition says), then a
 * trailer map {"end": NAME, "records": COUNT}.  Dense arrays travel as block chunk
 * records {"block", "dtype", "shape", "row0", "rows", "data"} of at most 64 MiB each.
 */
#ifndef HCR_STREAM_H
#define HCR_STREAM_H

#include <msgpack.h>
#include "common/util.h"
#include <stdint.h>
#include <stdio.h>

#define HS_FORMAT_VERSION 1
/* Largest msgpack object the reader accepts: a 64 MiB block chunk and its keys. */
#define HS_MAX_OBJECT ((size_t)65 << 20)
#define HS_CHUNK_BYTES ((size_t)64 << 20)
/* Largest element count (arrays plus map entries) in one object, and nesting depth. */
#define HS_MAX_ELEMENTS ((size_t)1 << 22)
#define HS_MAX_DEPTH 16

struct hs_in;
struct hs_out;

/* Bytes the reader's and the writer's buffers start at (1 MiB).  The fuzzing harnesses
 * make it small, so that inputs of a few bytes exercise refills and growth. */
extern size_t hs_buffer_bytes;

struct hs_section {
	char name[32];
	int version;
	char tool[64];
	uint64_t offset;               /* byte offset of the header in its input */
	int64_t index;                 /* 0-based position of the section in its input */
	const msgpack_object *header;  /* valid until the next read from the input */
	const msgpack_object *meta;    /* the header's "meta" map */
};

/* ---- reading ---- */

/* Opens a stream file ("-" or NULL: standard input).  Dies with HCR_EXIT_IO. */
struct hs_in *hs_in_open(const char *path);
void hs_in_close(struct hs_in *in);
const char *hs_in_name(const struct hs_in *in);

/* Reads the next section's header: 1, or 0 at a clean end of the stream.  Dies with
 * HCR_EXIT_DATA on anything else (garbage, a cut stream, an unknown version of a
 * known section, a section left open). */
int hs_next_section(struct hs_in *in, struct hs_section *sec);
/* Reads the next record of the current section, or NULL once its trailer has been
 * read and its record count checked.  The object lives until the next read. */
const msgpack_object *hs_next_record(struct hs_in *in);
/* Reads (and, if teeing, copies) the rest of the current section. */
void hs_skip_section(struct hs_in *in);

/* Copies every section read from in to out, byte for byte, as it is read; keep(sec)
 * returning 0 drops a section (a tool replacing a section it writes anew). */
void hs_in_tee(struct hs_in *in, struct hs_out *out,
    int (*keep)(const struct hs_section *sec, void *arg), void *arg);

/* Dies with HCR_EXIT_DATA: "tool: input: byte N, section 'S' record R: message". */
HCR_NORETURN void hs_die(const struct hs_in *in, const char *fmt, ...) HCR_PRINTF(2, 3);

/* Dies with HCR_EXIT_DATA: the stream has no section `section`; hint says what
 * produces it ("expected the output of build-graph"). */
HCR_NORETURN void hs_missing(const struct hs_in *in, const char *section, const char *hint);

/* Typed access to a decoded object, dying through hs_die with what was expected;
 * `what` names the field in the message ("meta.users", "user of a split record"). */
const msgpack_object *hs_get(const msgpack_object *map, const char *key);
const msgpack_object *hs_key(const struct hs_in *in, const msgpack_object *map,
    const char *key);
int64_t hs_int(const struct hs_in *in, const msgpack_object *o, const char *what);
double hs_num(const struct hs_in *in, const msgpack_object *o, const char *what);
const char *hs_str(const struct hs_in *in, const msgpack_object *o, const char *what,
    size_t *len);
char *hs_strdup(const struct hs_in *in, const msgpack_object *o, const char *what);
const msgpack_object *hs_array(const struct hs_in *in, const msgpack_object *o,
    const char *what, int64_t want_len);
int hs_str_eq(const msgpack_object *o, const char *s);
/* A member of the current section's meta: integer, number, string; _or gives a default. */
int64_t hs_meta_int(const struct hs_in *in, const struct hs_section *sec, const char *key);
int64_t hs_meta_int_or(const struct hs_section *sec, const char *key, int64_t dflt);
double hs_meta_num(const struct hs_in *in, const struct hs_section *sec, const char *key);
char *hs_meta_strdup(const struct hs_in *in, const struct hs_section *sec,
    const char *key);
/* A string of the meta into dst (size bytes with its NUL), dying if it is longer or
 * holds a NUL. */
void hs_meta_copy(const struct hs_in *in, const struct hs_section *sec, const char *key,
    char *dst, size_t size);

/* ---- dense blocks ---- */

enum hs_dtype { HS_F4, HS_F8, HS_I4, HS_I8, HS_U1, HS_STR };

struct hs_block {
	char name[64];
	enum hs_dtype dtype;
	int64_t rows;   /* first dimension */
	int64_t cols;   /* product of the other dimensions; 1 for a vector */
	int ndim;       /* 1 or 2 */
	void *data;     /* rows * cols elements in host order; HS_STR: char *[rows] */
};

/* If rec is a block chunk, its name (not NUL-terminated) and 1; else 0. */
int hs_is_block(const msgpack_object *rec, const char **name, size_t *len);
/* Reads the whole block that starts with chunk record rec, pulling its further chunks
 * from in.  Checks dtype, shapes, row order and the byte count of every chunk. */
void hs_read_block(struct hs_in *in, const msgpack_object *rec, struct hs_block *b);
/* As hs_read_block, and dies unless the block is named name with this dtype, rows
 * (-1: any) and cols (-1: any; 0: a vector). */
void hs_expect_block(struct hs_in *in, const msgpack_object *rec, const char *name,
    enum hs_dtype dtype, int64_t rows, int64_t cols, struct hs_block *b);
void hs_block_free(struct hs_block *b);
const char *hs_dtype_name(enum hs_dtype t);
size_t hs_dtype_size(enum hs_dtype t);
/* Dies unless every element of a float block is finite. */
void hs_block_check_finite(const struct hs_in *in, const struct hs_block *b);

/* ---- writing ---- */

/* Opens an output ("-" or NULL: standard output, refused if a terminal). */
struct hs_out *hs_out_open(const char *path);
/* Flushes; for -o, renames into place.  Dies on a write error (quietly on EPIPE). */
void hs_out_close(struct hs_out *out);

/* Writes a section header up to its "meta" key: the caller packs exactly one object
 * (the meta map) on the returned packer next. */
msgpack_packer *hs_begin(struct hs_out *out, const char *section, int version);
/* Returns the packer for one record, and counts it. */
msgpack_packer *hs_record(struct hs_out *out);
/* Writes a dense block as chunk records of at most HS_CHUNK_BYTES (cols 0: a vector;
 * HS_STR: data is const char *const *). */
void hs_write_block(struct hs_out *out, const char *name, enum hs_dtype dtype,
    int64_t rows, int64_t cols, const void *data);
/* Writes the trailer. */
void hs_end(struct hs_out *out);
/* Raw bytes, for copying objects through. */
void hs_write_raw(struct hs_out *out, const void *p, size_t n);

/* Packing helpers. */
void mp_str(msgpack_packer *pk, const char *s);
void mp_strn(msgpack_packer *pk, const char *s, size_t n);
void mp_kv_str(msgpack_packer *pk, const char *key, const char *value);
void mp_kv_int(msgpack_packer *pk, const char *key, int64_t value);
void mp_kv_num(msgpack_packer *pk, const char *key, double value);
void mp_kv_bool(msgpack_packer *pk, const char *key, int value);
void mp_key(msgpack_packer *pk, const char *key);

#endif
