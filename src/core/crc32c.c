/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
 * record encodings and journal frames, so on every byte a journal writes
 * and reads. The crc32 instruction of SSE 4.2 where the CPU has it
 * (x86-64, checked once at run time): 8 bytes per instruction. Elsewhere
 * tables sliced by 8: 8 bytes per round instead of 1. Both give the same
 * value (tests/test_journal.c compares them).
 */
#include <pthread.h>
#include <string.h>

#include "casemgr/storage.h"
#include "core/crc32c.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CM__CRC_X86 1
#endif

static uint32_t table[8][256];
/* x^(2^k) modulo the polynomial, for cm__crc32c_shift: a length of len
 * bytes is 8 * len bits, so bit b of len needs k = b + 3, up to 66. */
#define X2N 67
static uint32_t x2n[X2N];
/* 1: software; 2: the CPU has the instruction. Set once, by setup. */
static int mode;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* a * b modulo the polynomial, both in the reflected representation
 * (the bit of x^0 is the highest). */
static uint32_t multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = (uint32_t)1 << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = (b & 1) ? (b >> 1) ^ 0x82F63B78u : b >> 1;
	}
	return p;
}

static void setup(void)
{
	uint32_t n, k, c;
	int m = 1;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
		table[0][n] = c;
	}
	for (n = 0; n < 256; n++)
		for (k = 1; k < 8; k++)
			table[k][n] = table[0][table[k - 1][n] & 0xFF] ^
				      (table[k - 1][n] >> 8);
	x2n[0] = (uint32_t)1 << 30; /* x^1 */
	for (n = 1; n < X2N; n++)
		x2n[n] = multmodp(x2n[n - 1], x2n[n - 1]);
#ifdef CM__CRC_X86
	if (__builtin_cpu_supports("sse4.2"))
		m = 2;
#endif
	mode = m;
}

static int get_mode(void)
{
	pthread_once(&once, setup);
	return mode;
}

static uint32_t soft(uint32_t crc, const unsigned char *p, size_t len)
{
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		/* Assembled byte by byte: the same on any byte order. */
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		crc = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
		      table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
		      table[3][p[4]] ^ table[2][p[5]] ^ table[1][p[6]] ^
		      table[0][p[7]];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

#ifdef CM__CRC_X86
__attribute__((target("sse4.2")))
static uint32_t hard(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = (uint32_t)~crc, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8); /* little-endian, as the instruction reads */
		c = __builtin_ia32_crc32di(c, w);
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#endif

uint32_t cm__crc32c_soft(uint32_t crc, const void *bytes, size_t len)
{
	get_mode();
	return soft(crc, bytes, len);
}

uint32_t cm__crc32c_shift(uint32_t crc, uint64_t len)
{
	uint32_t x = (uint32_t)1 << 31; /* x^0 */
	unsigned k = 3;                 /* len bytes are 8 * len bits */

	get_mode();
	for (; len; len >>= 1, k++)
		if (len & 1)
			x = multmodp(x2n[k], x);
	return multmodp(x, crc);
}

int cm__crc32c_hardware(void)
{
	return get_mode() == 2;
}

uint32_t cm_crc32c(uint32_t crc, const void *bytes, size_t len)
{
#ifdef CM__CRC_X86
	if (get_mode() == 2)
		return hard(crc, bytes, len);
#else
	get_mode();
#endif
	return soft(crc, bytes, len);
}
