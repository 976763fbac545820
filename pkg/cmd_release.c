/* cmd_release.c: `pkg release --version N --expires WHEN DIR`: DIR/release, naming DIR/index. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "text.h"
#include "fileio.h"
#include "sha256.h"

static int release(const char *dir, unsigned long long version, unsigned long long expires)
{
	char *text, doc[256];
	uint8_t sum[32], hex[65];
	size_t len;
	struct perr e = { "" };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n, rc;

	if (dfd < 0)
		cmd_die(111, "%s: %s", dir, strerror(errno));
	if (file_read_at(dfd, "index", INDEX_MAX, &text, &len, &e) < 0)
		cmd_fail(&e);
	sha256_buf(text, len, sum);
	text_hex(sum, 32, (char *)hex);
	n = snprintf(doc, sizeof doc, "cairn-release 1\nversion %llu\nexpires %llu\nindex %zu %s\n",
		     version, expires, len, (char *)hex);
	rc = file_write_at(dfd, "release", doc, (size_t)n, 0644);
	if (rc < 0)
		cmd_die(111, "%s/release: %s", dir, strerror(-rc));
	free(text);
	close(dfd);
	return 0;
}

int cmd_release(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "expires", required_argument, NULL, 'e' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	unsigned long long version = 0, expires = 0;
	int c, have_version = 0, have_expires = 0;
	struct cmd_args a;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1) {
		if (c == 'v')
			version = cmd_number("--version", optarg), have_version = 1;
		else if (c == 'e')
			expires = cmd_when("--expires", optarg), have_expires = 1;
	}
	if (a.n != 1)
		cmd_wrong_args(argv[0]);
	if (!have_version || !have_expires)
		cmd_die(100, "release needs --version N and --expires WHEN");
	return release(argv[1], version, expires);
}
