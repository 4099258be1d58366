/*
 * Internal: CRC-32C (Castagnoli), behind the public cm_crc32c (crc32c.c).
 */
#ifndef CM_CORE_CRC32C_H
#define CM_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* cm_crc32c in software (slicing by 8), whatever the CPU: for tests that
 * compare it with the instruction cm_crc32c uses where it can. */
uint32_t cm__crc32c_soft(uint32_t crc, const void *bytes, size_t len);

/* The checksum of A followed by len bytes, from crc = cm_crc32c(0, A):
 * for any B of len bytes, cm_crc32c(crc, B) equals
 * cm__crc32c_shift(crc, len) ^ cm_crc32c(0, B) (the checksum is linear).
 * So the checksum of any stretch of a stream follows from the running
 * checksums at its two ends, without reading it again:
 * cm_crc32c(0, B) = Q(end) ^ cm__crc32c_shift(Q(start), len). About 2,000
 * operations; any len. */
uint32_t cm__crc32c_shift(uint32_t crc, uint64_t len);

/* 1 if cm_crc32c uses the CPU's CRC-32C instruction. */
int cm__crc32c_hardware(void);

#endif
