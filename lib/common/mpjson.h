/* mpjson.h: a msgpack object as one line of JSON, for people and jq. */
#ifndef HCR_MPJSON_H
#define HCR_MPJSON_H

#include <msgpack.h>
#include <stdio.h>

/* Writes o as JSON (no newline).  Binary data of a block chunk is shown as its
 * values: all of them when full is set, else the first few with a count.  Other
 * binary data is shown as {"bin": BYTES}; non-finite floats as null; invalid UTF-8
 * as U+FFFD. */
void mpjson_write(FILE *fp, const msgpack_object *o, int full);
/* A string as a JSON string literal. */
void mpjson_string(FILE *fp, const char *s, size_t n);

#endif
