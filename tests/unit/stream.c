/* The stream library: round trips of every value kind and of a block larger than a
 * chunk, teeing byte for byte, dropping a section while teeing. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/stream.h"
#include "tap.h"

static char path_a[] = "/tmp/hcr-stream-aXXXXXX", path_b[] = "/tmp/hcr-stream-bXXXXXX";

static const float f4[5] = { 0.5f, -1.25f, 3.0e-8f, 1e30f, -0.0f };
static const double f8[3] = { 0.1, -2.5e-300, 1e300 };
static const int32_t i4[4] = { 0, -1, INT32_MAX, INT32_MIN };
static const int64_t i8[3] = { 0, INT64_MIN, INT64_MAX };
static const unsigned char u1[3] = { 0, 1, 255 };
static const char *const strs[4] = { "a", "", "caf\xc3\xa9", "tab\there" };

static void write_sample(const char *path, size_t big_rows)
{
	struct hs_out *out = hs_out_open(path);
	msgpack_packer *pk = hs_begin(out, "one", 1);
	float *big;
	size_t i;
	msgpack_pack_map(pk, 2);
	mp_kv_int(pk, "users", 3);
	mp_kv_str(pk, "mode", "global");
	msgpack_pack_nil(hs_record(out));
	msgpack_pack_true(hs_record(out));
	msgpack_pack_int64(hs_record(out), INT64_MIN);
	msgpack_pack_uint64(hs_record(out), UINT64_MAX);
	msgpack_pack_float(hs_record(out), 0.1f);
	msgpack_pack_double(hs_record(out), 0.1);
	mp_str(hs_record(out), "caf\xc3\xa9");
	pk = hs_record(out);
	msgpack_pack_array(pk, 5);
	msgpack_pack_int64(pk, 4);
	msgpack_pack_int64(pk, 9);
	msgpack_pack_double(pk, 1.5e9);
	msgpack_pack_int64(pk, 1);
	msgpack_pack_int64(pk, 2);
	hs_write_block(out, "f4", HS_F4, 5, 0, f4);
	hs_write_block(out, "f8", HS_F8, 3, 0, f8);
	hs_write_block(out, "i4", HS_I4, 2, 2, i4);
	hs_write_block(out, "i8", HS_I8, 3, 0, i8);
	hs_write_block(out, "u1", HS_U1, 3, 0, u1);
	hs_write_block(out, "str", HS_STR, 4, 0, strs);
	hs_write_block(out, "none", HS_F8, 0, 0, f8);
	hs_end(out);
	msgpack_pack_map(hs_begin(out, "two", 1), 0);
	big = malloc(big_rows * 1024 * sizeof *big);
	for (i = 0; i < big_rows * 1024; i++)
		big[i] = (float)i;
	hs_write_block(out, "big", HS_F4, (int64_t)big_rows, 1024, big);
	free(big);
	hs_end(out);
	hs_out_close(out);
}

static int read_back(const char *path, size_t big_rows, const char *tee_path)
{
	struct hs_in *in = hs_in_open(path);
	struct hs_out *tee = tee_path ? hs_out_open(tee_path) : NULL;
	struct hs_section sec;
	const msgpack_object *r;
	struct hs_block b;
	int sections = 0;

	if (tee)
		hs_in_tee(in, tee, NULL, NULL);
	OK(hs_next_section(in, &sec) == 1 && strcmp(sec.name, "one") == 0 && sec.version == 1,
	    "first section header");
	OK(hs_meta_int(in, &sec, "users") == 3, "meta integer");
	OK(strcmp(sec.tool, "stream") == 0, "header names the tool");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_NIL, "nil");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_BOOLEAN && r->via.boolean, "true");
	r = hs_next_record(in);
	OK(r && hs_int(in, r, "x") == INT64_MIN, "int64 minimum");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_POSITIVE_INTEGER && r->via.u64 == UINT64_MAX,
	    "uint64 maximum");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_FLOAT32 && (float)r->via.f64 == 0.1f, "float32 exact");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_FLOAT64 && r->via.f64 == 0.1, "float64 exact");
	r = hs_next_record(in);
	OK(r && hs_str_eq(r, "caf\xc3\xa9"), "UTF-8 string");
	r = hs_next_record(in);
	OK(r && r->type == MSGPACK_OBJECT_ARRAY && r->via.array.size == 5 &&
	       hs_num(in, &r->via.array.ptr[2], "t") == 1.5e9, "array record");
	hs_expect_block(in, hs_next_record(in), "f4", HS_F4, 5, 0, &b);
	OK(memcmp(b.data, f4, sizeof f4) == 0 && b.ndim == 1, "f4 block bit for bit");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "f8", HS_F8, 3, 0, &b);
	OK(memcmp(b.data, f8, sizeof f8) == 0, "f8 block bit for bit");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "i4", HS_I4, 2, 2, &b);
	OK(memcmp(b.data, i4, sizeof i4) == 0 && b.ndim == 2, "i4 matrix");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "i8", HS_I8, 3, 0, &b);
	OK(memcmp(b.data, i8, sizeof i8) == 0, "i8 block");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "u1", HS_U1, 3, 0, &b);
	OK(memcmp(b.data, u1, sizeof u1) == 0, "u1 block");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "str", HS_STR, 4, 0, &b);
	OK(strcmp(((char **)b.data)[2], strs[2]) == 0 && strcmp(((char **)b.data)[1], "") == 0 &&
	       strcmp(((char **)b.data)[3], strs[3]) == 0, "string block");
	hs_block_free(&b);
	hs_expect_block(in, hs_next_record(in), "none", HS_F8, 0, 0, &b);
	OK(b.rows == 0, "empty block");
	hs_block_free(&b);
	OK(hs_next_record(in) == NULL, "trailer closes the section");
	sections++;
	OK(hs_next_section(in, &sec) == 1 && strcmp(sec.name, "two") == 0, "second section");
	r = hs_next_record(in);
	hs_expect_block(in, r, "big", HS_F4, (int64_t)big_rows, 1024, &b);
	{
		size_t i, bad = 0;
		for (i = 0; i < big_rows * 1024; i++)
			bad += ((float *)b.data)[i] != (float)i;
		OK(bad == 0, "a %zu MiB block read back across chunks", big_rows * 4096 >> 20);
	}
	hs_block_free(&b);
	OK(hs_next_record(in) == NULL, "second trailer");
	OK(hs_next_section(in, &sec) == 0, "clean end of stream");
	hs_in_close(in);
	if (tee)
		hs_out_close(tee);
	return sections;
}

static long file_size(const char *p)
{
	FILE *f = fopen(p, "rb");
	long n;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static int same_file(const char *a, const char *b)
{
	static char x[1 << 16], y[1 << 16];
	FILE *fx = fopen(a, "rb"), *fy = fopen(b, "rb");
	size_t n, m;
	int same = 1;
	do {
		n = fread(x, 1, sizeof x, fx);
		m = fread(y, 1, sizeof y, fy);
		same = n == m && memcmp(x, y, n) == 0;
	} while (same && n > 0);
	fclose(fx);
	fclose(fy);
	return same;
}

static int keep_two(const struct hs_section *sec, void *arg)
{
	(void)arg;
	return strcmp(sec->name, "two") == 0;
}

int main(int argc, char **argv)
{
	/* 80 MiB of floats: larger than one 64 MiB chunk, so the block travels in two. */
	size_t big_rows = 20 * 1024;
	struct hs_in *in;
	struct hs_out *out;
	struct hs_section sec;
	int fa = mkstemp(path_a), fb = mkstemp(path_b);
	close(fa);
	close(fb);
	tool_init("stream", argc, argv);
	write_sample(path_a, big_rows);
	OK(file_size(path_a) > 80L << 20, "the sample stream is written");
	read_back(path_a, big_rows, path_b);
	OK(same_file(path_a, path_b), "teeing copies the stream byte for byte");

	/* Dropping a section while teeing leaves exactly the kept one. */
	in = hs_in_open(path_a);
	out = hs_out_open(path_b);
	hs_in_tee(in, out, keep_two, NULL);
	while (hs_next_section(in, &sec))
		hs_skip_section(in);
	hs_in_close(in);
	hs_out_close(out);
	in = hs_in_open(path_b);
	OK(hs_next_section(in, &sec) == 1 && strcmp(sec.name, "two") == 0, "dropped section gone");
	hs_skip_section(in);
	OK(hs_next_section(in, &sec) == 0, "nothing else copied");
	hs_in_close(in);
	unlink(path_a);
	unlink(path_b);
	return tap_done();
}
