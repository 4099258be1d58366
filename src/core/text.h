/*
 * Internal: UTF-8 validation and simple case folding.
 */
#ifndef CM_CORE_TEXT_H
#define CM_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* 1 if the len bytes at s are valid UTF-8 (RFC 3629), else 0. */
int cm__utf8_valid(const char *s, size_t len);

/*
 * Decode one code point from s (len bytes available). Returns the number of
 * bytes consumed (1..4) and stores the code point, or 0 if the sequence is
 * invalid or truncated.
 */
size_t cm__utf8_decode(uint32_t *out_cp, const char *s, size_t len);

/* Simple (1:1) case fold of a code point to lower case: ASCII, Latin-1,
 * Latin Extended-A/B (common letters), Greek and Cyrillic. Others unchanged. */
uint32_t cm__fold_cp(uint32_t cp);

/* Case-insensitive comparison of two valid UTF-8 strings (folded code point
 * order); <0, 0, >0. */
int cm__fold_cmp(const char *a, const char *b);

/* A sort key of valid UTF-8 text s in out (n bytes): the UTF-8 encoding
 * of its folded code points, cut at n bytes, the rest zeros. Byte order
 * of keys is cm__fold_cmp order; equal keys may still differ past n. */
void cm__fold_key(unsigned char *out, size_t n, const char *s);

/* 1 if valid UTF-8 text starts with prefix, compared case-insensitively. */
int cm__fold_has_prefix(const char *text, const char *prefix);

/* 1 if text contains a C0 control character or DEL. */
int cm__has_control(const char *s);

#endif
