/* cmd_sbom.c: `pkg sbom [--name NAME] [--version V]`: SPDX 2.3 JSON of the root's packages, or of --repo's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "sbom.h"
#include "text.h"

/* The document's time: the build's SOURCE_DATE_EPOCH, else now. */
static long long sbom_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;

	return e != NULL && text_uint(e, 1ULL << 40, &v) == 0 ? (long long)v : (long long)time(NULL);
}

/* --name and --version go into the JSON as they are (sbom.c escapes
 * quotes and backslashes): printable ASCII only. */
static int sbom_text_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 256)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

/* sbom: of the root (its db), or of the repository when --repo is given. */
static int sbom(const struct pkg_opts *o, struct sbom_root *root)
{
	const struct pkg_meta **v;
	struct txn_pkg *loaded = NULL;
	struct repo r;
	struct txn t;
	struct perr e = { "" };
	size_t i, n = 0;
	int rc;

	cmd_open_txn(o, &t, o->repo == NULL);
	if (o->repo == NULL) {
		v = calloc(t.db.n + 1, sizeof(const struct pkg_meta *));
		if (v == NULL)
			cmd_die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < t.db.n; i++)
			v[n++] = &t.db.pkgs[i].m;
		if (root->name == NULL)
			root->name = "root";
		root->purpose = "OPERATING_SYSTEM";
		rc = sbom_write(stdout, root, v, n, sbom_time());
	} else {
		if (repo_open(&r, o->repo, t.pkgdir, cmd_repo_opts(o), &e) < 0)
			cmd_fail(&e);
		v = calloc(r.ix.n + 1, sizeof(const struct pkg_meta *));
		loaded = calloc(r.ix.n + 1, sizeof *loaded);
		if (v == NULL || loaded == NULL)
			cmd_die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < r.ix.n; i++) {
			long long len;
			off_t base;
			int fd = repo_pkg_open(&r, &r.ix.pkgs[i], &base, &len, &e);

			if (fd < 0 || txn_pkg_load(&loaded[i], fd, base, len, r.ix.pkgs[i].sha256,
						   r.ix.pkgs[i].size, r.ix.pkgs[i].name, &e) < 0)
				cmd_fail(&e);
			v[n++] = &loaded[i].m;
		}
		if (root->name == NULL)
			root->name = "repository";
		rc = sbom_write(stdout, root, v, n, sbom_time());
		for (i = 0; i < n; i++)
			txn_pkg_free(&loaded[i]);
		free(loaded);
		repo_close(&r);
	}
	free(v);
	txn_close(&t);
	if (rc < 0 || fflush(stdout) != 0)
		cmd_die(111, "writing the SBOM: %s", strerror(EIO));
	return 0;
}

int cmd_sbom(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'V' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct cmd_args a;
	struct sbom_root r = { NULL, NULL, NULL };
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1) {
		if (c == 'n')
			r.name = optarg;
		else if (c == 'V')
			r.version = optarg;
	}
	if (a.n != 0)
		cmd_wrong_args(argv[0]);
	if ((r.name != NULL && !sbom_text_ok(r.name)) || (r.version != NULL && !sbom_text_ok(r.version)))
		cmd_die(100, "sbom: --name and --version take printable ASCII, up to 256 bytes");
	return sbom(o, &r);
}
