/* The file journal's default I/O: the libc calls themselves. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage/journal_io.h"

static int io_open(void *ctx, const char *path, int flags, mode_t mode)
{
	int fd;

	(void)ctx;
	do
		fd = open(path, flags, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static ssize_t io_pread(void *ctx, int fd, void *buf, size_t n, off_t off)
{
	(void)ctx;
	return pread(fd, buf, n, off);
}

static ssize_t io_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
	(void)ctx;
	return pwrite(fd, buf, n, off);
}

static int io_fdatasync(void *ctx, int fd)
{
	(void)ctx;
	return fdatasync(fd);
}

static int io_fsync(void *ctx, int fd)
{
	(void)ctx;
	return fsync(fd);
}

static int io_ftruncate(void *ctx, int fd, off_t len)
{
	(void)ctx;
	return ftruncate(fd, len);
}

static int io_rename(void *ctx, const char *from, const char *to)
{
	(void)ctx;
	return rename(from, to);
}

static int io_sync_dir(void *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, rc, e;

	(void)ctx;
	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = io_open(NULL, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int io_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static int io_fallocate(void *ctx, int fd, off_t off, off_t len)
{
	int e;

	(void)ctx;
	do
		e = posix_fallocate(fd, off, len);
	while (e == EINTR);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

const struct cm__jio cm__jio_libc = {
	NULL, io_open, io_pread, io_pwrite, io_fdatasync, io_fsync,
	io_ftruncate, io_rename, io_sync_dir, io_close, io_fallocate, 0, 0, 0, 0,
};
