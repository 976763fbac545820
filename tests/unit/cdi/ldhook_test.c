/* ldhook_test.c: the ld cache hook's own parts: the loader's name order,
 * the cache it writes (read back by ldcache_parse), the soname reader on
 * real and broken libraries, the scan of a container's root (links that
 * leave it, a FIFO, include loops), and the hook on a root (as root: its
 * reader pivots and drops privileges). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "elfso.h"
#include "faketree.h"
#include "ldcache.h"
#include "ldhook.h"
#include "ldscan.h"

#define LIBDIR "/lib/x86_64-linux-gnu"

static char root[256];

static void copy(const char *from, const char *rel, mode_t mode)
{
	char path[512], buf[65536];
	ssize_t r;
	int in, out;

	tree_put(root, rel, "");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (in < 0 || out < 0) {
		perror(from);
		exit(1);
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r)
			exit(1);
	fchmod(out, mode);
	close(in);
	close(out);
}

static void test_libcmp(void)
{
	CHECK(ldcache_libcmp("libc.so.6", "libc.so.10") < 0);
	CHECK(ldcache_libcmp("libc.so.10", "libc.so.6") > 0);
	CHECK(ldcache_libcmp("libx.so.1", "libx.so.1") == 0);
	CHECK(ldcache_libcmp("liba.so", "lib1.so") < 0);	/* digits after letters */
	CHECK(ldcache_libcmp("libh2.so.1", "libh10.so.1") < 0);
	CHECK(ldcache_libcmp("libx.so", "libx.so.1") < 0);
	/* a run of digits past 32 bits wraps, as in the loader's int: the
	 * loader looks for libn.so.4294967297 where libn.so.1 would be */
	CHECK(ldcache_libcmp("libn.so.4294967297", "libn.so.1000") < 0);
	CHECK(ldcache_libcmp("libn.so.4294967297", "libn.so.0") > 0);
}

struct seen {
	char names[8][32];
	char paths[8][64];
	size_t n;
};

static int remember(void *ctx, const char *name, const char *path)
{
	struct seen *s = ctx;

	if (s->n == 8)
		return -1;
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
	s->n++;
	return 0;
}

static void test_write(void)
{
	struct ldcache_entry e[] = {
		{ "libh2.so.1", "/opt/h/libh2.so.1" },
		{ "libh10.so.1", "/opt/h/libh10.so.1" },
		{ "libc.so.6", "/lib/libc.so.6" },
	};
	struct seen s = { .n = 0 };
	unsigned char *buf;
	size_t len;

	CHECK(ldcache_write(e, 3, &buf, &len) == 0);
	CHECK(memcmp(buf, "glibc-ld.so.cache1.1", 20) == 0);
	CHECK(ldcache_parse(buf, len, remember, &s) == 0 && s.n == 3);
	/* greatest first: the loader's binary search needs it */
	CHECK(strcmp(s.names[0], "libh10.so.1") == 0 && strcmp(s.paths[0], "/opt/h/libh10.so.1") == 0);
	CHECK(strcmp(s.names[1], "libh2.so.1") == 0);
	CHECK(strcmp(s.names[2], "libc.so.6") == 0 && strcmp(s.paths[2], "/lib/libc.so.6") == 0);
	free(buf);
	CHECK(ldcache_write(e, 0, &buf, &len) == 0 && len == 48);
	free(buf);
}

static int elfso_of(const char *rel, char *soname)
{
	char path[512];
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = elfso_read(fd, soname);
	close(fd);
	return rc;
}

static void test_elfso(void)
{
	char soname[ELFSO_NAME_MAX + 1], path[512];

	tree_new(root, sizeof(root), "ldhook");
	copy(LIBDIR "/libc.so.6", "libc.so.6", 0644);
	CHECK(elfso_of("libc.so.6", soname) == 0 && strcmp(soname, "libc.so.6") == 0);
	copy(LIBDIR "/libm.so.6", "libm.so.6.1", 0644);
	CHECK(elfso_of("libm.so.6.1", soname) == 0 && strcmp(soname, "libm.so.6") == 0);
	tree_put(root, "libtext.so.1", "INPUT(-lc)\n");
	CHECK(elfso_of("libtext.so.1", soname) == -ENOEXEC && soname[0] == '\0');
	/* cut short: its program headers lie past the end */
	copy(LIBDIR "/libc.so.6", "libcut.so.1", 0644);
	snprintf(path, sizeof(path), "%s/libcut.so.1", root);
	CHECK(truncate(path, 100) == 0);
	CHECK(elfso_of("libcut.so.1", soname) < 0 && soname[0] == '\0');
	/* a FIFO: refused, not waited on */
	snprintf(path, sizeof(path), "%s/libfifo.so.1", root);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK(elfso_of("libfifo.so.1", soname) == -ENOEXEC);
	check_rmtree(root);
}

static void test_scan(void)
{
	const char *folders[] = { "/opt/drv" };
	struct seen s = { .n = 0 };
	unsigned char *cache;
	char path[512];
	size_t len, i;
	int rootfd;

	tree_new(root, sizeof(root), "ldhook");
	copy(LIBDIR "/libc.so.6", "usr/lib/x86_64-linux-gnu/libc.so.6", 0644);
	copy(LIBDIR "/libc.so.6", "opt/drv/libc.so.6", 0644);
	copy(LIBDIR "/libm.so.6", "usr/lib/x86_64-linux-gnu/libm.so.6", 0644);
	copy(LIBDIR "/libm.so.6", "srv/lib/libm.so.6.1", 0644);
	tree_put(root, "etc/ld.so.conf", "include ld.so.conf.d/*.conf\n");
	tree_put(root, "etc/ld.so.conf.d/a.conf", "  /srv/lib/  # the site's\n");
	/* an include that includes itself: bounded, not endless */
	tree_put(root, "etc/ld.so.conf.d/loop.conf", "include /etc/ld.so.conf.d/*.conf\n");
	/* a FIFO among the driver's libraries: skipped, not waited on */
	snprintf(path, sizeof(path), "%s/opt/drv/libfifo.so.1", root);
	CHECK(mkfifo(path, 0644) == 0);
	/* links that point out of the root: resolved inside it, so the
	 * host's libdl is not listed */
	CHECK(tree_link(root, LIBDIR "/libdl.so.2", "opt/drv/libdl.so.2") == 0);
	CHECK(tree_link(root, "../../../../../../../../" LIBDIR "/libpthread.so.0", "opt/drv/libpthread.so.0") == 0);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	CHECK(ldscan_root(rootfd, folders, 1, &cache, &len) == 0);
	CHECK(ldcache_parse(cache, len, remember, &s) == 0 && s.n == 2);
	for (i = 0; i < s.n; i++) {
		if (strcmp(s.names[i], "libc.so.6") == 0)
			CHECK(strcmp(s.paths[i], "/opt/drv/libc.so.6") == 0);
		else if (strcmp(s.names[i], "libm.so.6") == 0)
			CHECK(strcmp(s.paths[i], "/srv/lib/libm.so.6.1") == 0);
		else
			CHECK(!"a library that is not in the root");
	}
	free(cache);
	close(rootfd);
	check_rmtree(root);
}

/* The hook on a root, as runc runs it: needs root (mount namespace,
 * pivot_root, setresuid). */
static void test_hook(void)
{
	const char *folders[] = { "/opt/drv" };
	char rootfs[300], path[600], outside[300];
	struct perr e;
	struct seen s = { .n = 0 };
	unsigned char buf[65536];
	struct stat st;
	ssize_t n;
	int fd;

	if (geteuid() != 0) {
		printf("skip test_hook: a mount namespace and pivot_root need root\n");
		return;
	}
	tree_new(root, sizeof(root), "ldhook");
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", root);
	/* no ldconfig, no /etc: the image still gets a cache */
	copy(LIBDIR "/libc.so.6", "rootfs/opt/drv/libc.so.6", 0644);
	/* a library only root may read: the unprivileged reader cannot */
	copy(LIBDIR "/libm.so.6", "rootfs/opt/drv/libm.so.6", 0600);
	/* an ldconfig of the image's: it must never run */
	tree_put(root, "rootfs/sbin/ldconfig", "#!/bin/sh\ntouch /ran\n");
	snprintf(path, sizeof(path), "%s/sbin/ldconfig", rootfs);
	chmod(path, 0755);
	CHECK(ldhook_update(rootfs, folders, 1, &e) == 0);
	snprintf(path, sizeof(path), "%s/etc/ld.so.cache", rootfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	CHECK(n > 0 && ldcache_parse(buf, (size_t)n, remember, &s) == 0);
	CHECK(s.n == 1 && strcmp(s.names[0], "libc.so.6") == 0 && strcmp(s.paths[0], "/opt/drv/libc.so.6") == 0);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/etc/ld.so.conf.d/" LDHOOK_CONF_NAME, rootfs);
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
	snprintf(path, sizeof(path), "%s/ran", rootfs);
	CHECK(stat(path, &st) < 0);
	check_rmtree(root);

	/* /etc a link to a folder of the host's: the hook fails, the host's
	 * folder stays empty */
	tree_new(root, sizeof(root), "ldhook");
	tree_new(outside, sizeof(outside), "ldhook-host");
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", root);
	copy(LIBDIR "/libc.so.6", "rootfs/opt/drv/libc.so.6", 0644);
	CHECK(tree_link(root, outside, "rootfs/etc") == 0);
	CHECK(ldhook_update(rootfs, folders, 1, &e) < 0);
	CHECK(strstr(e.msg, "/etc") != NULL);
	CHECK(rmdir(outside) == 0);	/* still empty */
	check_rmtree(root);
}

int main(void)
{
	RUN(test_libcmp);
	RUN(test_write);
	RUN(test_elfso);
	RUN(test_scan);
	RUN(test_hook);
	return CHECK_DONE();
}
