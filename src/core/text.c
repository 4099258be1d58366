/*
 * UTF-8 validation (RFC 3629) and simple case folding.
 *
 * Validation follows Table 3-7 of the Unicode Standard ("Well-Formed UTF-8
 * Byte Sequences"): restricting the second byte's range per lead byte
 * rejects overlong forms, surrogates and code points above U+10FFFF without
 * decoding first and checking afterwards.
 */
#include <string.h>

#include "casemgr/common.h"
#include "core/text.h"

/*
 * Decoding checks bytes strictly in order and stops at the first one that
 * does not fit. A NUL is never a valid continuation byte, so callers that
 * walk a NUL-terminated string may pass len = 4 without reading past the
 * terminator.
 */
size_t cm__utf8_decode(uint32_t *out_cp, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t cp;
	size_t n, i;

	if (!s || len == 0)
		return 0;
	if (u[0] < 0x80) {
		if (out_cp)
			*out_cp = u[0];
		return 1;
	}
	if (u[0] < 0xC2) {
		return 0;       /* continuation byte, or C0/C1 (always overlong) */
	} else if (u[0] < 0xE0) {
		n = 2;
		cp = u[0] & 0x1Fu;
	} else if (u[0] < 0xF0) {
		n = 3;
		cp = u[0] & 0x0Fu;
		if (u[0] == 0xE0)
			lo = 0xA0;      /* below is overlong */
		else if (u[0] == 0xED)
			hi = 0x9F;      /* above is a surrogate */
	} else if (u[0] < 0xF5) {
		n = 4;
		cp = u[0] & 0x07u;
		if (u[0] == 0xF0)
			lo = 0x90;      /* below is overlong */
		else if (u[0] == 0xF4)
			hi = 0x8F;      /* above is beyond U+10FFFF */
	} else {
		return 0;       /* F5..FF never appear */
	}
	for (i = 1; i < n; i++) {
		if (i >= len || u[i] < lo || u[i] > hi)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	if (out_cp)
		*out_cp = cp;
	return n;
}

#define HIGH_BITS UINT64_C(0x8080808080808080)

/* 1 if none of the len bytes at s has its high bit set (ASCII). Whole
 * words, the last one overlapping the one before it: no byte-by-byte
 * tail for the short texts (ids, codes, names) most calls check. */
static int ascii_only(const char *s, size_t len)
{
	uint64_t w, acc = 0;
	uint32_t a, b;
	size_t i;

	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8) {
			memcpy(&w, s + i, 8);
			acc |= w;
		}
		memcpy(&w, s + len - 8, 8);
		return !((acc | w) & HIGH_BITS);
	}
	if (len >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		return !((a | b) & 0x80808080u);
	}
	for (i = 0; i < len; i++)
		acc |= (unsigned char)s[i];
	return !(acc & 0x80);
}

int cm__utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;

	if (!s)
		return len == 0;
	if (ascii_only(s, len))
		return 1;
	while (i < len) {
		/* ASCII runs (ids, codes, most names): 8 bytes at a time. */
		while (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & HIGH_BITS)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = cm__utf8_decode(NULL, s + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int cm_utf8_check(const char *text, size_t max_bytes)
{
	size_t n = 0;

	if (!text)
		return CM_EINVAL;
	/* Bounded length scan: never walk a huge string past max_bytes + 1. */
	while (text[n] != '\0') {
		if (n == max_bytes)
			return CM_ETOOLONG;
		n++;
	}
	return cm__utf8_valid(text, n) ? CM_OK : CM_EUTF8;
}

/* ---- case folding ------------------------------------------------------ */

/*
 * Simple case folding (CaseFolding.txt, status C and S) for the scripts of
 * European names: ASCII, Latin-1, Latin Extended-A, the Latin Extended-B
 * pairs U+0200-U+021F (Romanian comma-below letters), the Greek alphabet
 * U+0370-U+03CF and the basic Cyrillic capitals. Code points with only a
 * full (1:n) folding (U+00DF, U+0130, U+0149) are left alone, as are
 * lower-case letters without an upper-case partner (U+0131, U+0138).
 */
uint32_t cm__fold_cp(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp;
	if (cp < 0x100) {
		if (cp == 0xB5)
			return 0x3BC;   /* MICRO SIGN -> GREEK SMALL MU */
		if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
			return cp + 0x20;
		return cp;
	}
	if (cp < 0x180) {
		/*
		 * Latin Extended-A: upper/lower pairs, upper even up to
		 * U+0137, odd from U+0139 to U+0148 (after the unpaired
		 * U+0138), even again up to U+0177 (after U+0149) and odd
		 * from U+0179. U+0131, U+0138 and U+0149 are left alone by
		 * that parity rule; U+0130 must be excluded explicitly.
		 */
		if (cp == 0x130)
			return cp;
		if (cp == 0x178)
			return 0xFF;
		if (cp == 0x17F)
			return 's';     /* LONG S */
		if ((cp < 0x138 || (cp > 0x149 && cp < 0x178)) && cp % 2 == 0)
			return cp + 1;
		if (((cp > 0x138 && cp < 0x149) || cp > 0x178) && cp % 2 == 1)
			return cp + 1;
		return cp;
	}
	if (cp >= 0x200 && cp <= 0x21F)
		return cp % 2 == 0 ? cp + 1 : cp;
	if (cp >= 0x370 && cp <= 0x3CF) {
		if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
			return cp + 0x20;
		switch (cp) {
		case 0x370: case 0x372: case 0x376: return cp + 1;
		case 0x37F: return 0x3F3;
		case 0x386: return 0x3AC;
		case 0x388: case 0x389: case 0x38A: return cp + 0x25;
		case 0x38C: return 0x3CC;
		case 0x38E: case 0x38F: return cp + 0x3F;
		case 0x3C2: return 0x3C3;       /* final sigma */
		case 0x3CF: return 0x3D7;
		default: return cp;
		}
	}
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	return cp;
}

/*
 * Next code point of a NUL-terminated string, advancing *s; 0 at the end.
 * A byte that does not start a valid sequence yields a value above
 * U+10FFFF, so that comparison stays total and never equates it with text.
 */
static uint32_t next_folded(const char **s)
{
	uint32_t cp;
	size_t n;

	if (**s == '\0')
		return 0;
	n = cm__utf8_decode(&cp, *s, 4);
	if (n == 0) {
		cp = 0x110000u + (unsigned char)**s;
		n = 1;
	}
	*s += n;
	return cm__fold_cp(cp);
}

int cm__fold_cmp(const char *a, const char *b)
{
	uint32_t ca, cb;

	if (!a || !b)
		return (a != NULL) - (b != NULL);
	do {
		ca = next_folded(&a);
		cb = next_folded(&b);
	} while (ca == cb && ca != 0);
	return (ca > cb) - (ca < cb);
}

void cm__fold_key(unsigned char *out, size_t n, const char *s)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n && (cp = next_folded(&s)) != 0) {
		/* cp < 0x110100 (an invalid byte maps past Unicode): at most
		 * 4 bytes, in code point order. */
		unsigned char b[4];
		size_t k, len;
		if (cp < 0x80) {
			b[0] = (unsigned char)cp;
			len = 1;
		} else if (cp < 0x800) {
			b[0] = (unsigned char)(0xC0 | cp >> 6);
			b[1] = (unsigned char)(0x80 | (cp & 0x3F));
			len = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xE0 | cp >> 12);
			b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
			b[2] = (unsigned char)(0x80 | (cp & 0x3F));
			len = 3;
		} else {
			b[0] = (unsigned char)(0xF0 | cp >> 18);
			b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
			b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
			b[3] = (unsigned char)(0x80 | (cp & 0x3F));
			len = 4;
		}
		for (k = 0; k < len && i < n; k++)
			out[i++] = b[k];
	}
	for (; i < n; i++)
		out[i] = 0;
}

int cm__fold_has_prefix(const char *text, const char *prefix)
{
	uint32_t cp;

	if (!text || !prefix)
		return 0;
	while (*prefix != '\0') {
		cp = next_folded(&prefix);
		if (*text == '\0' || next_folded(&text) != cp)
			return 0;
	}
	return 1;
}

int cm__has_control(const char *s)
{
	if (!s)
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	}
	return 0;
}
