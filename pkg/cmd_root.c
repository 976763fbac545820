/* cmd_root.c: `pkg root ... -o FILE PUB...`: a root document listing the keys in the PUB files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fileio.h"

struct root_opts {
	unsigned long long version, expires, threshold;
	int have_version, have_expires, have_threshold;
	const char *out;
};

static int root_write(const struct root_opts *ro, char **pubs, int n)
{
	char *doc, *text;
	size_t len, at, cap = 256 + (size_t)n * 600;
	struct doc d;
	struct perr e = { "" };
	char err[256];
	int i, rc;

	doc = malloc(cap);
	if (doc == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	at = (size_t)snprintf(doc, cap, "cairn-root 1\nversion %llu\nexpires %llu\nthreshold %llu\n",
			      ro->version, ro->expires, ro->threshold);
	for (i = 0; i < n; i++) {
		if (file_read_at(AT_FDCWD, pubs[i], 1024, &text, &len, &e) < 0)
			cmd_fail(&e);
		if (len < 5 || strncmp(text, "key ", 4) != 0 || text[len - 1] != '\n' ||
		    memchr(text, '\n', len) != text + len - 1 || at + len >= cap)
			cmd_die(1, "%s: not a public key file (one 'key ALG HEX' line)", pubs[i]);
		memcpy(doc + at, text, len + 1);
		at += len;
		free(text);
	}
	/* The same parser that will trust it checks it now. */
	if (doc_parse(doc, at, &d, err, sizeof err) < 0)
		cmd_die(1, "%s: %s", ro->out, err);
	doc_free(&d);
	rc = file_write_at(AT_FDCWD, ro->out, doc, at, 0644);
	if (rc < 0)
		cmd_die(111, "%s: %s", ro->out, strerror(-rc));
	free(doc);
	return 0;
}

int cmd_root(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "expires", required_argument, NULL, 'e' },
		{ "threshold", required_argument, NULL, 't' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct root_opts ro = { 0 };
	struct cmd_args a;
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "o:", opts)) != -1) {
		if (c == 'o')
			ro.out = optarg;
		else if (c == 'v')
			ro.version = cmd_number("--version", optarg), ro.have_version = 1;
		else if (c == 'e')
			ro.expires = cmd_when("--expires", optarg), ro.have_expires = 1;
		else if (c == 't')
			ro.threshold = cmd_number("--threshold", optarg), ro.have_threshold = 1;
	}
	if (a.n < 1)
		cmd_wrong_args(argv[0]);
	if (!ro.have_version || !ro.have_expires || !ro.have_threshold || ro.out == NULL)
		cmd_die(100, "root needs --version N --expires WHEN --threshold K -o FILE PUB...");
	return root_write(&ro, argv + 1, a.n);
}
