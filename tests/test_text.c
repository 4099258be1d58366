/*
 * UTF-8 validation, decoding, case folding and control characters.
 *
 * The validator is checked against an independent reference decoder that
 * decodes any structurally complete sequence first and judges the result
 * afterwards (overlong, surrogate, beyond U+10FFFF), whereas the library
 * restricts byte ranges per lead byte (Unicode Table 3-7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "casemgr/common.h"
#include "core/text.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reference implementation ------------------------------------------ */

/* Decode one sequence at s; 0 if invalid. */
static size_t ref_decode(uint32_t *out_cp, const unsigned char *s, size_t len)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, i;
	uint32_t cp;

	if (len == 0)
		return 0;
	if ((s[0] & 0x80) == 0) {
		n = 1;
		cp = s[0];
	} else if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (n > 1 && cp < min_cp[n])
		return 0;
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	*out_cp = cp;
	return n;
}

static int ref_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = ref_decode(&cp, s + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* Encode any value below 2^21 in the generalised (pre-RFC 3629) form. */
static size_t ref_encode(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Compare library and reference on one buffer: validity of the whole and
 * the first decoded sequence (length and code point).
 */
static void check_against_ref(const unsigned char *buf, size_t len)
{
	uint32_t cp = 0xFFFFFFFFu, rcp = 0xFFFFFFFFu;
	size_t n = cm__utf8_decode(&cp, (const char *)buf, len);
	size_t rn = ref_decode(&rcp, buf, len);
	int v = cm__utf8_valid((const char *)buf, len);
	int rv = ref_valid(buf, len);

	if (n != rn || (n && cp != rcp) || v != rv) {
		char hex[3 * 8 + 1] = "";
		size_t i;
		static const char digits[] = "0123456789ABCDEF";

		for (i = 0; i < len && i < 8; i++) {
			hex[3 * i] = digits[buf[i] >> 4];
			hex[3 * i + 1] = digits[buf[i] & 15];
			hex[3 * i + 2] = ' ';
			hex[3 * i + 3] = '\0';
		}
		fail_msg("bytes %s: decode %zu/U+%04X valid %d; reference "
			 "%zu/U+%04X valid %d", hex, n, (unsigned)cp, v, rn,
			 (unsigned)rcp, rv);
	}
}

/* The reference itself, on hand-checked examples. */
static void test_reference_self_check(void **state)
{
	static const unsigned char euro[] = { 0xE2, 0x82, 0xAC };
	static const unsigned char slash2[] = { 0xC0, 0xAF };
	static const unsigned char hi[] = { 0xF4, 0x8F, 0xBF, 0xBF };
	static const unsigned char over[] = { 0xF4, 0x90, 0x80, 0x80 };
	unsigned char enc[4];
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(ref_decode(&cp, euro, 3), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(ref_decode(&cp, euro, 2), 0);
	assert_int_equal(ref_decode(&cp, slash2, 2), 0);
	assert_int_equal(ref_decode(&cp, hi, 4), 4);
	assert_int_equal(cp, 0x10FFFF);
	assert_int_equal(ref_decode(&cp, over, 4), 0);
	assert_int_equal(ref_encode(enc, 0x20AC), 3);
	assert_memory_equal(enc, euro, 3);
}

/* ---- Markus Kuhn's stress-test classes --------------------------------- */

struct seq {
	const char *bytes;
	size_t len;
	uint32_t cp;            /* first code point, for valid cases */
};

#define SEQ(s, cp) { s, sizeof(s) - 1, cp }

static const struct seq kuhn_valid[] = {
	SEQ("\x00", 0x0000),
	SEQ("\x7F", 0x007F),
	SEQ("\xC2\x80", 0x0080),
	SEQ("\xDF\xBF", 0x07FF),
	SEQ("\xE0\xA0\x80", 0x0800),
	SEQ("\xED\x9F\xBF", 0xD7FF),
	SEQ("\xEE\x80\x80", 0xE000),
	SEQ("\xEF\xBF\xBD", 0xFFFD),
	SEQ("\xEF\xBF\xBE", 0xFFFE),    /* noncharacters are valid UTF-8 */
	SEQ("\xEF\xBF\xBF", 0xFFFF),
	SEQ("\xF0\x90\x80\x80", 0x10000),
	SEQ("\xF3\xBF\xBF\xBF", 0xFFFFF),
	SEQ("\xF4\x80\x80\x80", 0x100000),
	SEQ("\xF4\x8F\xBF\xBF", 0x10FFFF),
	SEQ("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 0x03BA), /* κόσμε */
	SEQ("\xF0\x9F\x98\x80 ok", 0x1F600),
};

static const struct seq kuhn_invalid[] = {
	/* unexpected continuation bytes */
	SEQ("\x80", 0), SEQ("\xBF", 0), SEQ("\x80\xBF", 0),
	SEQ("\x80\xBF\x80", 0), SEQ("a\x80", 0), SEQ("\xC3\xA9\xA9", 0),
	/* lonely start characters followed by a space */
	SEQ("\xC0 ", 0), SEQ("\xDF ", 0), SEQ("\xE0 ", 0), SEQ("\xEF ", 0),
	SEQ("\xF0 ", 0), SEQ("\xF4 ", 0), SEQ("\xF8 ", 0), SEQ("\xFC ", 0),
	/* sequences with the last continuation byte missing */
	SEQ("\xC2", 0), SEQ("\xDF", 0), SEQ("\xE0\xA0", 0),
	SEQ("\xEF\xBF", 0), SEQ("\xF0\x90\x80", 0), SEQ("\xF4\x8F\xBF", 0),
	SEQ("\xE2\x82", 0), SEQ("a\xE2\x82", 0), SEQ("\xE2\x82z", 0),
	SEQ("\xC2\xE0\xA0\xF0\x90\x80", 0),
	/* impossible bytes */
	SEQ("\xFE", 0), SEQ("\xFF", 0), SEQ("\xFE\xFE\xFF\xFF", 0),
	SEQ("\xF5\x80\x80\x80", 0), SEQ("\xF7\xBF\xBF\xBF", 0),
	/* five- and six-byte forms (pre-RFC 3629) */
	SEQ("\xF8\x88\x80\x80\x80", 0), SEQ("\xFC\x84\x80\x80\x80\x80", 0),
	/* overlong '/' */
	SEQ("\xC0\xAF", 0), SEQ("\xE0\x80\xAF", 0), SEQ("\xF0\x80\x80\xAF", 0),
	SEQ("\xF8\x80\x80\x80\xAF", 0), SEQ("\xFC\x80\x80\x80\x80\xAF", 0),
	/* maximum overlong sequences */
	SEQ("\xC1\xBF", 0), SEQ("\xE0\x9F\xBF", 0), SEQ("\xF0\x8F\xBF\xBF", 0),
	/* overlong NUL */
	SEQ("\xC0\x80", 0), SEQ("\xE0\x80\x80", 0), SEQ("\xF0\x80\x80\x80", 0),
	/* C1 lead bytes are always overlong */
	SEQ("\xC1\x81", 0), SEQ("\xC0\x41", 0),
	/* single and paired UTF-16 surrogates */
	SEQ("\xED\xA0\x80", 0), SEQ("\xED\xAD\xBF", 0), SEQ("\xED\xAE\x80", 0),
	SEQ("\xED\xAF\xBF", 0), SEQ("\xED\xB0\x80", 0), SEQ("\xED\xBE\x80", 0),
	SEQ("\xED\xBF\xBF", 0), SEQ("\xED\xA0\x80\xED\xB0\x80", 0),
	SEQ("\xED\xAF\xBF\xED\xBF\xBF", 0),
	/* beyond U+10FFFF */
	SEQ("\xF4\x90\x80\x80", 0), SEQ("\xF4\xBF\xBF\xBF", 0),
	/* valid text with one bad byte at the end */
	SEQ("caf\xC3\xA9\xC3", 0), SEQ("ok\xFF", 0),
};

static void test_kuhn_valid(void **state)
{
	size_t i, n;
	uint32_t cp;

	(void)state;
	for (i = 0; i < ARRAY_LEN(kuhn_valid); i++) {
		const struct seq *c = &kuhn_valid[i];

		assert_int_equal(cm__utf8_valid(c->bytes, c->len), 1);
		assert_int_equal(ref_valid((const unsigned char *)c->bytes,
					   c->len),
				 1);
		cp = 0xFFFFFFFFu;
		n = cm__utf8_decode(&cp, c->bytes, c->len);
		assert_true(n >= 1 && n <= 4);
		assert_int_equal(cp, c->cp);
		if (c->len > 0 && c->bytes[0] != '\0') {
			assert_int_equal(cm_utf8_check(c->bytes, c->len),
					 CM_OK);
		}
	}
}

static void test_kuhn_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(kuhn_invalid); i++) {
		const struct seq *c = &kuhn_invalid[i];

		if (cm__utf8_valid(c->bytes, c->len) != 0)
			fail_msg("case %zu accepted", i);
		assert_int_equal(ref_valid((const unsigned char *)c->bytes,
					   c->len),
				 0);
		/* None of these holds a NUL, so the public check sees all. */
		assert_int_equal(strlen(c->bytes), c->len);
		assert_int_equal(cm_utf8_check(c->bytes, 64), CM_EUTF8);
	}
}

/* ---- exhaustive comparisons with the reference ------------------------- */

static void test_exhaustive_1_and_2_bytes(void **state)
{
	unsigned char b[2];
	unsigned a, c;
	size_t valid_pairs = 0, two_byte_seqs = 0;
	uint32_t cp;

	(void)state;
	for (a = 0; a < 256; a++) {
		b[0] = (unsigned char)a;
		check_against_ref(b, 1);
		assert_int_equal(cm__utf8_valid((const char *)b, 1), a < 0x80);
		for (c = 0; c < 256; c++) {
			b[1] = (unsigned char)c;
			check_against_ref(b, 2);
			valid_pairs += (size_t)cm__utf8_valid((const char *)b, 2);
			two_byte_seqs +=
				cm__utf8_decode(&cp, (const char *)b, 2) == 2;
		}
	}
	/* ASCII pairs plus U+0080..U+07FF. */
	assert_int_equal(valid_pairs, 128 * 128 + 0x780);
	assert_int_equal(two_byte_seqs, 0x780);
}

static void test_exhaustive_3_bytes(void **state)
{
	unsigned char b[3];
	uint32_t v, cp;
	size_t three_byte_seqs = 0;

	(void)state;
	for (v = 0; v < (1u << 24); v++) {
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		check_against_ref(b, 3);
		three_byte_seqs += cm__utf8_decode(&cp, (const char *)b, 3) == 3;
	}
	/* U+0800..U+FFFF less the 2048 surrogates. */
	assert_int_equal(three_byte_seqs, 0x10000 - 0x800 - 0x800);
}

/* Four-byte sequences: every lead and second byte, sampled tails. */
static void test_four_bytes_sampled(void **state)
{
	static const unsigned char tail[] = {
		0x00, 0x20, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
		0xC2, 0xE0, 0xF0, 0xF4, 0xFF,
	};
	unsigned char b[4];
	unsigned lead, second;
	size_t i, j, len;

	(void)state;
	for (lead = 0xE0; lead < 0x100; lead++) {
		for (second = 0; second < 256; second++) {
			for (i = 0; i < ARRAY_LEN(tail); i++) {
				for (j = 0; j < ARRAY_LEN(tail); j++) {
					b[0] = (unsigned char)lead;
					b[1] = (unsigned char)second;
					b[2] = tail[i];
					b[3] = tail[j];
					for (len = 1; len <= 4; len++)
						check_against_ref(b, len);
				}
			}
		}
	}
	b[0] = 0xF0;
	b[1] = 0x90;
	b[2] = 0x80;
	b[3] = 0x80;
	assert_int_equal(cm__utf8_valid((const char *)b, 4), 1);
	assert_int_equal(cm__utf8_valid((const char *)b, 3), 0);
}

/*
 * Every code point encodes and decodes back; surrogates, values above
 * U+10FFFF and every overlong (longer than shortest) form are refused.
 */
static void test_every_code_point(void **state)
{
	unsigned char b[4];
	uint32_t cp, got;
	size_t n;

	(void)state;
	for (cp = 0; cp < 0x200000; cp++) {
		n = ref_encode(b, cp);
		got = 0xFFFFFFFFu;
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
			assert_int_equal(cm__utf8_decode(&got, (const char *)b,
							 n),
					 0);
			assert_int_equal(cm__utf8_valid((const char *)b, n), 0);
			continue;
		}
		assert_int_equal(cm__utf8_decode(&got, (const char *)b, n), n);
		assert_int_equal(got, cp);
		assert_int_equal(cm__utf8_valid((const char *)b, n), 1);
		/* one byte short never decodes */
		assert_int_equal(cm__utf8_decode(&got, (const char *)b, n - 1),
				 0);
		/* overlong 4-byte form of every BMP value */
		if (cp < 0x10000) {
			b[0] = 0xF0;
			b[1] = (unsigned char)(0x80 | (cp >> 12));
			b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			b[3] = (unsigned char)(0x80 | (cp & 0x3F));
			assert_int_equal(cm__utf8_decode(&got,
							 (const char *)b, 4),
					 0);
		}
		/* overlong 3-byte form of every value below U+0800 */
		if (cp < 0x800) {
			b[0] = 0xE0;
			b[1] = (unsigned char)(0x80 | (cp >> 6));
			b[2] = (unsigned char)(0x80 | (cp & 0x3F));
			assert_int_equal(cm__utf8_decode(&got,
							 (const char *)b, 3),
					 0);
		}
		/* overlong 2-byte form of every ASCII value */
		if (cp < 0x80) {
			b[0] = (unsigned char)(0xC0 | (cp >> 6));
			b[1] = (unsigned char)(0x80 | (cp & 0x3F));
			assert_int_equal(cm__utf8_decode(&got,
							 (const char *)b, 2),
					 0);
		}
	}
}

static void test_decode_args(void **state)
{
	uint32_t cp = 77;
	unsigned char *tight;

	(void)state;
	assert_int_equal(cm__utf8_decode(&cp, NULL, 4), 0);
	assert_int_equal(cm__utf8_decode(&cp, "a", 0), 0);
	assert_int_equal(cp, 77);               /* untouched on failure */
	assert_int_equal(cm__utf8_decode(NULL, "\xE2\x82\xAC", 3), 3);
	assert_int_equal(cm__utf8_decode(&cp, "\xE2\x82\xAC", 2), 0);
	assert_int_equal(cm__utf8_decode(&cp, "\xE2\x82\xAC", 1), 0);
	assert_int_equal(cp, 77);
	/* Only the first sequence is decoded. */
	assert_int_equal(cm__utf8_decode(&cp, "ab", 2), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(cm__utf8_valid(NULL, 0), 1);
	assert_int_equal(cm__utf8_valid(NULL, 1), 0);
	assert_int_equal(cm__utf8_valid("", 0), 1);
	assert_int_equal(cm__utf8_valid("a\0b", 3), 1);  /* NUL is U+0000 */

	/*
	 * Decoding stops at the first byte that does not fit, so a lead byte
	 * followed by the terminator never reads past it even with len 4
	 * (this is what the fold functions rely on; ASan checks it).
	 */
	cp = 77;
	tight = malloc(2);
	assert_non_null(tight);
	tight[0] = 0xF0;
	tight[1] = 0x00;
	assert_int_equal(cm__utf8_decode(&cp, (const char *)tight, 4), 0);
	tight[0] = 0xE2;
	assert_int_equal(cm__utf8_decode(&cp, (const char *)tight, 4), 0);
	assert_int_equal(cm__fold_cmp((const char *)tight, "\xE2"), 0);
	assert_int_equal(cm__fold_has_prefix((const char *)tight, "\xE2"), 1);
	free(tight);
	assert_int_equal(cp, 77);
}

/*
 * ASCII text is tested a word at a time, the last word overlapping the
 * one before it: a non-ASCII byte (a valid sequence or a stray
 * continuation byte) at every position of texts of every length up to
 * five words is still found, at every alignment. Each text is copied to
 * an allocation of exactly its length, so that ASan sees any read past
 * it.
 */
static void test_ascii_words(void **state)
{
	static const unsigned char seqs[][3] = {
		{ 0x80, 0, 0 },       /* stray continuation byte */
		{ 0xC3, 0xA9, 0 },    /* U+00E9 */
		{ 0xE2, 0x82, 0xAC }, /* U+20AC */
		{ 0xC3, 0, 0 },       /* truncated */
	};
	static const size_t seqlen[] = { 1, 2, 3, 1 };
	unsigned char buf[48];
	size_t len, pos, k;

	(void)state;
	for (len = 0; len <= 40; len++) {
		unsigned char *t = malloc(len ? len : 1);
		assert_non_null(t);
		memset(buf, 'a', len);
		memcpy(t, buf, len);
		assert_int_equal(cm__utf8_valid((const char *)t, len), 1);
		for (k = 0; k < sizeof(seqlen) / sizeof(seqlen[0]); k++)
			for (pos = 0; pos + seqlen[k] <= len; pos++) {
				memset(buf, 'a', len);
				memcpy(buf + pos, seqs[k], seqlen[k]);
				memcpy(t, buf, len);
				check_against_ref(t, len);
			}
		free(t);
	}
}

/* ---- cm_utf8_check ----------------------------------------------------- */

static void test_utf8_check(void **state)
{
	static const struct {
		const char *text;
		size_t max;
		int rc;
	} cases[] = {
		{ "", 0, CM_OK },
		{ "", 10, CM_OK },
		{ "a", 0, CM_ETOOLONG },
		{ "abc", 3, CM_OK },
		{ "abc", 2, CM_ETOOLONG },
		{ "abc", SIZE_MAX, CM_OK },
		{ "\xC3\xA9", 2, CM_OK },               /* limit is in bytes */
		{ "\xC3\xA9", 1, CM_ETOOLONG },
		{ "\xF0\x9F\x98\x80", 4, CM_OK },
		{ "\xF0\x9F\x98\x80", 3, CM_ETOOLONG },
		{ "\xC3\xA9", SIZE_MAX, CM_OK },
		{ "\xC3", 1, CM_EUTF8 },
		{ "\xC3", SIZE_MAX, CM_EUTF8 },
		{ "ok\xED\xA0\x80", 5, CM_EUTF8 },
		/* too long takes precedence: only max + 1 bytes are looked at */
		{ "\xFF\xFF\xFF", 2, CM_ETOOLONG },
		{ "ab\xFF", 2, CM_ETOOLONG },
		/* a limit that cuts a sequence is a length problem, not UTF-8 */
		{ "a\xC3\xA9", 2, CM_ETOOLONG },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int rc = cm_utf8_check(cases[i].text, cases[i].max);

		if (rc != cases[i].rc)
			fail_msg("case %zu: got %d, want %d", i, rc,
				 cases[i].rc);
	}
	assert_int_equal(cm_utf8_check(NULL, 10), CM_EINVAL);
	assert_int_equal(cm_utf8_check(NULL, 0), CM_EINVAL);
}

/*
 * The length scan is bounded: with max_bytes = 4, an unterminated buffer of
 * 5 bytes is enough (ASan and valgrind flag any read beyond it).
 */
static void test_utf8_check_bounded(void **state)
{
	char *p = malloc(5);
	size_t max;

	(void)state;
	assert_non_null(p);
	memset(p, 'a', 5);
	assert_int_equal(cm_utf8_check(p, 4), CM_ETOOLONG);
	assert_int_equal(cm_utf8_check(p, 0), CM_ETOOLONG);
	p[4] = '\0';
	assert_int_equal(cm_utf8_check(p, 4), CM_OK);
	assert_int_equal(cm_utf8_check(p, 3), CM_ETOOLONG);
	free(p);

	/* Every limit around the length of a 1000-byte string. */
	p = malloc(1001);
	assert_non_null(p);
	memset(p, 'x', 1000);
	p[1000] = '\0';
	for (max = 990; max < 1010; max++)
		assert_int_equal(cm_utf8_check(p, max),
				 max >= 1000 ? CM_OK : CM_ETOOLONG);
	free(p);
}

/* Every NUL-free two-byte string through the public function. */
static void test_utf8_check_exhaustive(void **state)
{
	char b[3];
	unsigned a, c;

	(void)state;
	b[2] = '\0';
	for (a = 1; a < 256; a++) {
		for (c = 1; c < 256; c++) {
			b[0] = (char)a;
			b[1] = (char)c;
			assert_int_equal(cm_utf8_check(b, 2),
					 ref_valid((const unsigned char *)b, 2)
						 ? CM_OK : CM_EUTF8);
			assert_int_equal(cm_utf8_check(b, 1), CM_ETOOLONG);
		}
	}
}

/* ---- case folding ------------------------------------------------------ */

/*
 * Expected simple foldings (CaseFolding.txt, status C and S) inside the
 * covered ranges; every other code point in them folds to itself.
 * Generated from Python's str.casefold() (Unicode 14), keeping 1:1 results.
 */
static const uint32_t fold_table[][2] = {
	{ 0x0041, 0x0061 }, { 0x0042, 0x0062 }, { 0x0043, 0x0063 },
	{ 0x0044, 0x0064 }, { 0x0045, 0x0065 }, { 0x0046, 0x0066 },
	{ 0x0047, 0x0067 }, { 0x0048, 0x0068 }, { 0x0049, 0x0069 },
	{ 0x004A, 0x006A }, { 0x004B, 0x006B }, { 0x004C, 0x006C },
	{ 0x004D, 0x006D }, { 0x004E, 0x006E }, { 0x004F, 0x006F },
	{ 0x0050, 0x0070 }, { 0x0051, 0x0071 }, { 0x0052, 0x0072 },
	{ 0x0053, 0x0073 }, { 0x0054, 0x0074 }, { 0x0055, 0x0075 },
	{ 0x0056, 0x0076 }, { 0x0057, 0x0077 }, { 0x0058, 0x0078 },
	{ 0x0059, 0x0079 }, { 0x005A, 0x007A }, { 0x00B5, 0x03BC },
	{ 0x00C0, 0x00E0 }, { 0x00C1, 0x00E1 }, { 0x00C2, 0x00E2 },
	{ 0x00C3, 0x00E3 }, { 0x00C4, 0x00E4 }, { 0x00C5, 0x00E5 },
	{ 0x00C6, 0x00E6 }, { 0x00C7, 0x00E7 }, { 0x00C8, 0x00E8 },
	{ 0x00C9, 0x00E9 }, { 0x00CA, 0x00EA }, { 0x00CB, 0x00EB },
	{ 0x00CC, 0x00EC }, { 0x00CD, 0x00ED }, { 0x00CE, 0x00EE },
	{ 0x00CF, 0x00EF }, { 0x00D0, 0x00F0 }, { 0x00D1, 0x00F1 },
	{ 0x00D2, 0x00F2 }, { 0x00D3, 0x00F3 }, { 0x00D4, 0x00F4 },
	{ 0x00D5, 0x00F5 }, { 0x00D6, 0x00F6 }, { 0x00D8, 0x00F8 },
	{ 0x00D9, 0x00F9 }, { 0x00DA, 0x00FA }, { 0x00DB, 0x00FB },
	{ 0x00DC, 0x00FC }, { 0x00DD, 0x00FD }, { 0x00DE, 0x00FE },
	{ 0x0100, 0x0101 }, { 0x0102, 0x0103 }, { 0x0104, 0x0105 },
	{ 0x0106, 0x0107 }, { 0x0108, 0x0109 }, { 0x010A, 0x010B },
	{ 0x010C, 0x010D }, { 0x010E, 0x010F }, { 0x0110, 0x0111 },
	{ 0x0112, 0x0113 }, { 0x0114, 0x0115 }, { 0x0116, 0x0117 },
	{ 0x0118, 0x0119 }, { 0x011A, 0x011B }, { 0x011C, 0x011D },
	{ 0x011E, 0x011F }, { 0x0120, 0x0121 }, { 0x0122, 0x0123 },
	{ 0x0124, 0x0125 }, { 0x0126, 0x0127 }, { 0x0128, 0x0129 },
	{ 0x012A, 0x012B }, { 0x012C, 0x012D }, { 0x012E, 0x012F },
	{ 0x0132, 0x0133 }, { 0x0134, 0x0135 }, { 0x0136, 0x0137 },
	{ 0x0139, 0x013A }, { 0x013B, 0x013C }, { 0x013D, 0x013E },
	{ 0x013F, 0x0140 }, { 0x0141, 0x0142 }, { 0x0143, 0x0144 },
	{ 0x0145, 0x0146 }, { 0x0147, 0x0148 }, { 0x014A, 0x014B },
	{ 0x014C, 0x014D }, { 0x014E, 0x014F }, { 0x0150, 0x0151 },
	{ 0x0152, 0x0153 }, { 0x0154, 0x0155 }, { 0x0156, 0x0157 },
	{ 0x0158, 0x0159 }, { 0x015A, 0x015B }, { 0x015C, 0x015D },
	{ 0x015E, 0x015F }, { 0x0160, 0x0161 }, { 0x0162, 0x0163 },
	{ 0x0164, 0x0165 }, { 0x0166, 0x0167 }, { 0x0168, 0x0169 },
	{ 0x016A, 0x016B }, { 0x016C, 0x016D }, { 0x016E, 0x016F },
	{ 0x0170, 0x0171 }, { 0x0172, 0x0173 }, { 0x0174, 0x0175 },
	{ 0x0176, 0x0177 }, { 0x0178, 0x00FF }, { 0x0179, 0x017A },
	{ 0x017B, 0x017C }, { 0x017D, 0x017E }, { 0x017F, 0x0073 },
	{ 0x0200, 0x0201 }, { 0x0202, 0x0203 }, { 0x0204, 0x0205 },
	{ 0x0206, 0x0207 }, { 0x0208, 0x0209 }, { 0x020A, 0x020B },
	{ 0x020C, 0x020D }, { 0x020E, 0x020F }, { 0x0210, 0x0211 },
	{ 0x0212, 0x0213 }, { 0x0214, 0x0215 }, { 0x0216, 0x0217 },
	{ 0x0218, 0x0219 }, { 0x021A, 0x021B }, { 0x021C, 0x021D },
	{ 0x021E, 0x021F }, { 0x0370, 0x0371 }, { 0x0372, 0x0373 },
	{ 0x0376, 0x0377 }, { 0x037F, 0x03F3 }, { 0x0386, 0x03AC },
	{ 0x0388, 0x03AD }, { 0x0389, 0x03AE }, { 0x038A, 0x03AF },
	{ 0x038C, 0x03CC }, { 0x038E, 0x03CD }, { 0x038F, 0x03CE },
	{ 0x0391, 0x03B1 }, { 0x0392, 0x03B2 }, { 0x0393, 0x03B3 },
	{ 0x0394, 0x03B4 }, { 0x0395, 0x03B5 }, { 0x0396, 0x03B6 },
	{ 0x0397, 0x03B7 }, { 0x0398, 0x03B8 }, { 0x0399, 0x03B9 },
	{ 0x039A, 0x03BA }, { 0x039B, 0x03BB }, { 0x039C, 0x03BC },
	{ 0x039D, 0x03BD }, { 0x039E, 0x03BE }, { 0x039F, 0x03BF },
	{ 0x03A0, 0x03C0 }, { 0x03A1, 0x03C1 }, { 0x03A3, 0x03C3 },
	{ 0x03A4, 0x03C4 }, { 0x03A5, 0x03C5 }, { 0x03A6, 0x03C6 },
	{ 0x03A7, 0x03C7 }, { 0x03A8, 0x03C8 }, { 0x03A9, 0x03C9 },
	{ 0x03AA, 0x03CA }, { 0x03AB, 0x03CB }, { 0x03C2, 0x03C3 },
	{ 0x03CF, 0x03D7 }, { 0x0400, 0x0450 }, { 0x0401, 0x0451 },
	{ 0x0402, 0x0452 }, { 0x0403, 0x0453 }, { 0x0404, 0x0454 },
	{ 0x0405, 0x0455 }, { 0x0406, 0x0456 }, { 0x0407, 0x0457 },
	{ 0x0408, 0x0458 }, { 0x0409, 0x0459 }, { 0x040A, 0x045A },
	{ 0x040B, 0x045B }, { 0x040C, 0x045C }, { 0x040D, 0x045D },
	{ 0x040E, 0x045E }, { 0x040F, 0x045F }, { 0x0410, 0x0430 },
	{ 0x0411, 0x0431 }, { 0x0412, 0x0432 }, { 0x0413, 0x0433 },
	{ 0x0414, 0x0434 }, { 0x0415, 0x0435 }, { 0x0416, 0x0436 },
	{ 0x0417, 0x0437 }, { 0x0418, 0x0438 }, { 0x0419, 0x0439 },
	{ 0x041A, 0x043A }, { 0x041B, 0x043B }, { 0x041C, 0x043C },
	{ 0x041D, 0x043D }, { 0x041E, 0x043E }, { 0x041F, 0x043F },
	{ 0x0420, 0x0440 }, { 0x0421, 0x0441 }, { 0x0422, 0x0442 },
	{ 0x0423, 0x0443 }, { 0x0424, 0x0444 }, { 0x0425, 0x0445 },
	{ 0x0426, 0x0446 }, { 0x0427, 0x0447 }, { 0x0428, 0x0448 },
	{ 0x0429, 0x0449 }, { 0x042A, 0x044A }, { 0x042B, 0x044B },
	{ 0x042C, 0x044C }, { 0x042D, 0x044D }, { 0x042E, 0x044E },
	{ 0x042F, 0x044F },
};

static const uint32_t fold_ranges[][2] = {
	{ 0x0000, 0x017F }, { 0x0200, 0x021F }, { 0x0370, 0x03CF },
	{ 0x0400, 0x045F },
};

static uint32_t expected_fold(uint32_t cp)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(fold_table); i++) {
		if (fold_table[i][0] == cp)
			return fold_table[i][1];
	}
	return cp;
}

static int in_fold_ranges(uint32_t cp)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(fold_ranges); i++) {
		if (cp >= fold_ranges[i][0] && cp <= fold_ranges[i][1])
			return 1;
	}
	return 0;
}

static void test_fold_table(void **state)
{
	uint32_t cp, f;
	size_t changed = 0;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		f = cm__fold_cp(cp);
		if (in_fold_ranges(cp)) {
			if (f != expected_fold(cp))
				fail_msg("U+%04X folds to U+%04X, want U+%04X",
					 (unsigned)cp, (unsigned)f,
					 (unsigned)expected_fold(cp));
		} else if (f != cp) {
			fail_msg("U+%04X outside the covered blocks folds to "
				 "U+%04X", (unsigned)cp, (unsigned)f);
		}
		/* idempotent, and never turns a scalar value into a
		 * surrogate (surrogates themselves pass through) */
		assert_int_equal(cm__fold_cp(f), f);
		assert_int_equal(f >= 0xD800 && f <= 0xDFFF,
				 cp >= 0xD800 && cp <= 0xDFFF);
		changed += f != cp;
	}
	assert_int_equal(changed, ARRAY_LEN(fold_table));
	assert_int_equal(cm__fold_cp(0x110000), 0x110000);
	assert_int_equal(cm__fold_cp(0xFFFFFFFFu), 0xFFFFFFFFu);
}

/* The cases the brief calls out, spelled out. */
static void test_fold_cp_special(void **state)
{
	static const uint32_t cases[][2] = {
		{ 'A', 'a' }, { 'Z', 'z' }, { '@', '@' }, { '[', '[' },
		{ 'a', 'a' }, { 0x00C0, 0x00E0 }, { 0x00C9, 0x00E9 },
		{ 0x00D6, 0x00F6 }, { 0x00D7, 0x00D7 }, /* multiplication */
		{ 0x00D8, 0x00F8 }, { 0x00DE, 0x00FE }, { 0x00DF, 0x00DF },
		{ 0x00F7, 0x00F7 }, { 0x00FF, 0x00FF }, { 0x00B5, 0x03BC },
		{ 0x0100, 0x0101 }, { 0x0101, 0x0101 }, { 0x012E, 0x012F },
		{ 0x0130, 0x0130 }, { 0x0131, 0x0131 }, { 0x0132, 0x0133 },
		{ 0x0136, 0x0137 }, { 0x0138, 0x0138 }, { 0x0139, 0x013A },
		{ 0x013A, 0x013A }, { 0x0141, 0x0142 }, { 0x0147, 0x0148 },
		{ 0x0148, 0x0148 }, { 0x0149, 0x0149 }, { 0x014A, 0x014B },
		{ 0x0152, 0x0153 }, { 0x0160, 0x0161 }, { 0x0176, 0x0177 },
		{ 0x0177, 0x0177 }, { 0x0178, 0x00FF }, { 0x0179, 0x017A },
		{ 0x017D, 0x017E }, { 0x017E, 0x017E }, { 0x017F, 's' },
		{ 0x0218, 0x0219 }, { 0x021A, 0x021B }, { 0x0219, 0x0219 },
		{ 0x0391, 0x03B1 }, { 0x03A1, 0x03C1 }, { 0x03A2, 0x03A2 },
		{ 0x03A3, 0x03C3 }, { 0x03A9, 0x03C9 }, { 0x03C2, 0x03C3 },
		{ 0x0386, 0x03AC }, { 0x038F, 0x03CE }, { 0x03B1, 0x03B1 },
		{ 0x0400, 0x0450 }, { 0x040F, 0x045F }, { 0x0410, 0x0430 },
		{ 0x042F, 0x044F }, { 0x0430, 0x0430 }, { 0x0450, 0x0450 },
		{ 0x0460, 0x0460 }, { 0x1E9E, 0x1E9E }, { 0xFF21, 0xFF21 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (cm__fold_cp(cases[i][0]) != cases[i][1])
			fail_msg("U+%04X folds to U+%04X, want U+%04X",
				 (unsigned)cases[i][0],
				 (unsigned)cm__fold_cp(cases[i][0]),
				 (unsigned)cases[i][1]);
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_fold_cmp(void **state)
{
	static const struct {
		const char *a, *b;
		int sign;
	} cases[] = {
		{ "", "", 0 },
		{ "abc", "abc", 0 },
		{ "ABC", "abc", 0 },
		{ "\xC3\x89" "COLE", "\xC3\xA9" "cole", 0 },    /* ÉCOLE */
		{ "Z\xC3\x9C" "RICH", "z\xC3\xBC" "rich", 0 },  /* ZÜRICH */
		{ "\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91",   /* ΑΘΗΝΑ */
		  "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1", 0 },
		{ "\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3",           /* ΟΔΟΣ */
		  "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82", 0 },      /* οδος, final ς */
		{ "\xD0\x9C\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90", /* МОСКВА */
		  "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", 0 },
		{ "\xD0\x81\xD0\x96", "\xD1\x91\xD0\xB6", 0 },  /* ЁЖ / ёж */
		{ "\xC5\x81\xC3\x93\xC5\x81", "\xC5\x82\xC3\xB3\xC5\x82", 0 },
		{ "\xC5\xB8", "\xC3\xBF", 0 },                  /* Ÿ / ÿ */
		{ "\xC5\xBF", "S", 0 },                         /* ſ / S */
		{ "\xC8\x98" "TEF", "\xC8\x99" "tef", 0 },      /* ȘTEF */
		{ "abc", "abd", -1 },
		{ "abd", "ABC", 1 },
		{ "ab", "abc", -1 },
		{ "", "a", -1 },
		{ "a", "\xC3\xA9", -1 },        /* U+0061 < U+00E9 */
		{ "\xC3\x89", "z", 1 },         /* É folds to U+00E9 > U+007A */
		{ "\xC3\x9F", "ss", 1 },        /* no 1:n folding: ß != ss */
		{ "\xC4\xB0", "i", 1 },         /* İ has no simple folding */
		{ "\xC4\xB1", "i", 1 },         /* dotless ı is its own letter */
		{ "\xC3\x97", "\xC3\xB7", -1 }, /* × and ÷ are not letters */
		{ "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", 1 },
		/* invalid bytes sort after every code point, by byte value */
		{ "\xFF", "\xF4\x8F\xBF\xBF", 1 },
		{ "\xFE", "\xFF", -1 },
		{ "a\x80", "a\x80", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int ab = cm__fold_cmp(cases[i].a, cases[i].b);
		int ba = cm__fold_cmp(cases[i].b, cases[i].a);

		if (sign(ab) != cases[i].sign || sign(ba) != -cases[i].sign)
			fail_msg("case %zu: cmp %d / reversed %d, want sign %d",
				 i, ab, ba, cases[i].sign);
	}
	assert_int_equal(cm__fold_cmp(NULL, NULL), 0);
	assert_true(cm__fold_cmp(NULL, "") < 0);
	assert_true(cm__fold_cmp("", NULL) > 0);
}

static void test_fold_has_prefix(void **state)
{
	static const struct {
		const char *text, *prefix;
		int want;
	} cases[] = {
		{ "", "", 1 },
		{ "abc", "", 1 },
		{ "", "a", 0 },
		{ "abc", "ABC", 1 },
		{ "abc", "abcd", 0 },
		{ "Smith", "SMI", 1 },
		{ "Smith", "smy", 0 },
		{ "\xC3\x89" "cole Normale", "\xC3\xA9" "CO", 1 },  /* École */
		{ "\xC3\xA9" "cole", "E", 0 },          /* no accent stripping */
		{ "\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91",       /* ΑΘΗΝΑ */
		  "\xCE\xB1\xCE\xB8", 1 },                          /* αθ */
		{ "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", /* москва */
		  "\xD0\x9C\xD0\x9E\xD0\xA1", 1 },                  /* МОС */
		{ "\xD0\x9C\xD0\x9E\xD0\xA1", "\xD0\xBC\xD0\xBE\xD1\x81"
		  "\xD0\xBA", 0 },
		/* folded forms of different byte lengths */
		{ "\xC5\xBF" "top", "ST", 1 },          /* ſtop */
		{ "Stop", "\xC5\xBF" "t", 1 },
		{ "\xC5\xB8" "es", "\xC3\xBF", 1 },     /* Ÿes / ÿ */
		/* a prefix ending inside a code point does not match */
		{ "\xC3\xA9", "\xC3", 0 },
		{ "Stra\xC3\x9F" "e", "STRASS", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (cm__fold_has_prefix(cases[i].text, cases[i].prefix) !=
		    cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
	}
	assert_int_equal(cm__fold_has_prefix(NULL, ""), 0);
	assert_int_equal(cm__fold_has_prefix("abc", NULL), 0);
}

/* ---- control characters ------------------------------------------------ */

static void test_has_control(void **state)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "", 0 }, { "plain text", 0 }, { " ~", 0 },
		{ "a\tb", 1 }, { "line\n", 1 }, { "\r", 1 }, { "\x01", 1 },
		{ "\x1B[0m", 1 }, { "\x1F", 1 }, { "end\x7F", 1 },
		{ "\xC3\xA9t\xC3\xA9", 0 },     /* bytes >= 0x80 are not C0 */
		{ "\xC2\x80\xC2\x9F", 0 },      /* C1 controls are not C0/DEL */
	};
	char b[2];
	unsigned c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(cm__has_control(cases[i].text),
				 cases[i].want);
	b[1] = '\0';
	for (c = 1; c < 256; c++) {
		b[0] = (char)c;
		assert_int_equal(cm__has_control(b), c < 0x20 || c == 0x7F);
	}
	assert_int_equal(cm__has_control(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_self_check),
		cmocka_unit_test(test_kuhn_valid),
		cmocka_unit_test(test_kuhn_invalid),
		cmocka_unit_test(test_exhaustive_1_and_2_bytes),
		cmocka_unit_test(test_exhaustive_3_bytes),
		cmocka_unit_test(test_four_bytes_sampled),
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_decode_args),
		cmocka_unit_test(test_ascii_words),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_check_bounded),
		cmocka_unit_test(test_utf8_check_exhaustive),
		cmocka_unit_test(test_fold_table),
		cmocka_unit_test(test_fold_cp_special),
		cmocka_unit_test(test_fold_cmp),
		cmocka_unit_test(test_fold_has_prefix),
		cmocka_unit_test(test_has_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
