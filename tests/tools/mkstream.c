/* mkstream: writes the streams the tests need, through the library's writer.
 *   mkstream values        a section of every value kind and a block of every dtype
 *   mkstream big MIB       a float block of MIB mebibytes (chunked past 64 MiB)
 *   mkstream version NAME V  an empty section NAME claiming version V
 *   mkstream sections A B ..  empty sections named A, B, ...
 *   mkstream records N     a section of N split-like records [u, i, t, like, part]
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/stream.h"

static void values(struct hs_out *out)
{
	msgpack_packer *pk;
	static const float f4[6] = { 0.5f, -1.25f, 3.0e-8f, 1e30f, 0.0f, -0.0f };
	static const double f8[3] = { 0.1, -2.5e-300, 1e300 };
	static const int32_t i4[4] = { 0, -1, INT32_MAX, INT32_MIN };
	static const int64_t i8[3] = { 0, INT64_MIN, INT64_MAX };
	static const unsigned char u1[3] = { 0, 1, 255 };
	static const char *const strs[4] = { "a", "", "caf\xc3\xa9", "tab\there" };
	static const float m[6] = { 1, 2, 3, 4, 5, 6 };

	pk = hs_begin(out, "test", 1);
	msgpack_pack_map(pk, 1);
	mp_kv_str(pk, "purpose", "every value kind");
	msgpack_pack_nil(hs_record(out));
	msgpack_pack_true(hs_record(out));
	msgpack_pack_false(hs_record(out));
	msgpack_pack_int64(hs_record(out), 0);
	msgpack_pack_int64(hs_record(out), -1);
	msgpack_pack_int64(hs_record(out), -33);
	msgpack_pack_int64(hs_record(out), 200);
	msgpack_pack_int64(hs_record(out), 70000);
	msgpack_pack_int64(hs_record(out), INT64_MIN);
	msgpack_pack_uint64(hs_record(out), UINT64_MAX);
	msgpack_pack_float(hs_record(out), 0.1f);
	msgpack_pack_double(hs_record(out), 0.1);
	mp_str(hs_record(out), "");
	mp_str(hs_record(out), "quote \" backslash \\ newline \n unicode \xe2\x82\xac");
	pk = hs_record(out);
	msgpack_pack_bin(pk, 3);
	msgpack_pack_bin_body(pk, "\x00\x01\x02", 3);
	pk = hs_record(out);
	msgpack_pack_array(pk, 3);
	msgpack_pack_int64(pk, 1);
	mp_str(pk, "two");
	msgpack_pack_array(pk, 0);
	pk = hs_record(out);
	msgpack_pack_map(pk, 2);
	mp_kv_int(pk, "k", 7);
	msgpack_pack_int64(pk, 5); /* a non-string key */
	msgpack_pack_double(pk, 2.5);
	hs_write_block(out, "f4", HS_F4, 6, 0, f4);
	hs_write_block(out, "f8", HS_F8, 3, 0, f8);
	hs_write_block(out, "i4", HS_I4, 4, 0, i4);
	hs_write_block(out, "i8", HS_I8, 3, 0, i8);
	hs_write_block(out, "u1", HS_U1, 3, 0, u1);
	hs_write_block(out, "str", HS_STR, 4, 0, strs);
	hs_write_block(out, "matrix", HS_F4, 2, 3, m);
	hs_write_block(out, "empty", HS_F4, 0, 4, m);
	hs_end(out);
}

static void big(struct hs_out *out, long mib)
{
	size_t n = (size_t)mib << 18, i; /* floats */
	float *x = malloc(n * sizeof *x);
	msgpack_packer *pk;
	for (i = 0; i < n; i++)
		x[i] = (float)(i % 1000003) * 0.5f;
	pk = hs_begin(out, "test", 1);
	msgpack_pack_map(pk, 0);
	hs_write_block(out, "big", HS_F4, (int64_t)(n / 256), 256, x);
	hs_end(out);
	free(x);
}

int main(int argc, char **argv)
{
	struct hs_out *out;
	int i;
	tool_init("mkstream", argc, argv);
	if (argc < 2)
		die(HCR_EXIT_USAGE, "usage: mkstream values | big MIB | version NAME V | sections A ...");
	out = hs_out_open("-");
	if (strcmp(argv[1], "values") == 0) {
		values(out);
	} else if (strcmp(argv[1], "big") == 0 && argc == 3) {
		big(out, atol(argv[2]));
	} else if (strcmp(argv[1], "version") == 0 && argc == 4) {
		msgpack_pack_map(hs_begin(out, argv[2], atoi(argv[3])), 0);
		hs_end(out);
	} else if (strcmp(argv[1], "records") == 0 && argc == 3) {
		long n = atol(argv[2]), k;
		msgpack_pack_map(hs_begin(out, "split", 1), 0);
		for (k = 0; k < n; k++) {
			msgpack_packer *pk = hs_record(out);
			msgpack_pack_array(pk, 5);
			msgpack_pack_int64(pk, k % 36656);
			msgpack_pack_int64(pk, k % 76085);
			msgpack_pack_int64(pk, 1500000000 + k);
			msgpack_pack_int64(pk, k % 3 == 0);
			msgpack_pack_int64(pk, 0);
		}
		hs_end(out);
	} else if (strcmp(argv[1], "sections") == 0) {
		for (i = 2; i < argc; i++) {
			msgpack_pack_map(hs_begin(out, argv[i], 1), 0);
			msgpack_pack_int64(hs_record(out), i);
			hs_end(out);
		}
	} else {
		die(HCR_EXIT_USAGE, "unknown kind '%s'", argv[1]);
	}
	hs_out_close(out);
	return 0;
}
