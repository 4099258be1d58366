/*
 * fuzz_utf8: cm_utf8_check (and the internal decoder) against an
 * independent reference validator written here from RFC 3629 by decoding
 * first and judging the code point afterwards (the library judges by byte
 * ranges, Unicode Table 3-7): the two must agree on every input.
 *
 * Input: one byte of max_bytes (255: SIZE_MAX), then the text.
 */
#include "fuzz.h"
#include "core/text.h"

/* Length of the valid sequence at s (len bytes available), 0 if none;
 * the code point in *cp. */
static size_t ref_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		v = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		v = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	/* Shortest form only, no surrogates, nothing above U+10FFFF. */
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000))
		return 0;
	if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return n;
}

static int ref_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = ref_seq(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max, len, i;
	char *text;
	int want, rc;

	if (size == 0)
		return 0;
	max = data[0] == 255 ? SIZE_MAX : data[0];
	data++;
	size--;

	/* Length-delimited: the internal validator and decoder, NULs too. */
	FZ_CHECK(cm__utf8_valid((const char *)data, size) == ref_valid(data, size));
	for (i = 0; i < size;) {
		uint32_t cp = 0, rcp = 0;
		size_t n = cm__utf8_decode(&cp, (const char *)data + i, size - i);
		size_t rn = ref_seq(data + i, size - i, &rcp);
		FZ_CHECK(n == rn);
		if (!n)
			break;
		FZ_CHECK(cp == rcp);
		i += n;
	}

	/* NUL-terminated: the public check. */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	if (len > max)
		want = CM_ETOOLONG;
	else
		want = ref_valid((const unsigned char *)text, len) ? CM_OK : CM_EUTF8;
	rc = cm_utf8_check(text, max);
	if (rc != want)
		fprintf(stderr, "cm_utf8_check: %d, reference: %d\n", rc, want);
	FZ_CHECK(rc == want);
	free(text);
	return 0;
}
