/* fileio_test.c: the one atomic write: a whole new file renamed over the
 * old, through a path below a directory handle; a link planted under the
 * name or the temporary name replaced, never followed; nothing left
 * behind on failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fileio.h"

static char dir[] = "/tmp/fileio_test.XXXXXX";

static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_write_replace(void)
{
	char buf[64], path[PATH_MAX];
	struct stat st;
	size_t len = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHECK(dfd >= 0 && mkdirat(dfd, "sub", 0755) == 0);
	CHECK(file_write_at(dfd, "sub/f", "one", 3, 0600) == 0);
	CHECK(file_write_at(dfd, "sub/f", "second", 6, 0644) == 0);
	snprintf(path, sizeof path, "%s/sub/f", dir);
	CHECK(file_read(path, buf, sizeof buf, &len) == 0 && len == 6 && strcmp(buf, "second") == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	snprintf(path, sizeof path, "%s/sub", dir);
	CHECK(entries(path) == 1);			/* no temporary left */
	CHECK(file_write_at(dfd, "none/f", "x", 1, 0644) == -ENOENT);
	CHECK(file_write_at(dfd, "sub/", "x", 1, 0644) == -EISDIR);
	close(dfd);
}

/* Links an attacker planted where the writer writes: under the name, and
 * under the temporary name this process would use. */
static void test_links_not_followed(void)
{
	char target[PATH_MAX], name[PATH_MAX], tmp[PATH_MAX], buf[16];
	struct stat st;

	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(name, sizeof name, "%s/name", dir);
	snprintf(tmp, sizeof tmp, "%s/name.tmp.%ld", dir, (long)getpid());
	CHECK(file_write_atomic(target, "keep", 4, 0644) == 0);
	CHECK(symlink(target, name) == 0 && symlink(target, tmp) == 0);
	CHECK(file_write_atomic(name, "new", 3, 0644) == 0);
	CHECK(lstat(name, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(file_read(target, buf, sizeof buf, NULL) == 0 && strcmp(buf, "keep") == 0);
	CHECK(file_read(name, buf, sizeof buf, NULL) == 0 && strcmp(buf, "new") == 0);
	CHECK(lstat(tmp, &st) < 0 && errno == ENOENT);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_write_replace);
	RUN(test_links_not_followed);
	check_rmtree(dir);
	return CHECK_DONE();
}
