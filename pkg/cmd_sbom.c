/* cmd_sbom.c: `pkg sbom [--name NAME]`: SPDX 2.3 JSON of the root's packages, or of --repo's. */
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

/* sbom: of the root (its db), or of the repository when --repo is given. */
static int sbom(const struct pkg_opts *o, const char *name)
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
		rc = sbom_write(stdout, name ? name : "root", v, n, sbom_time());
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
		rc = sbom_write(stdout, name ? name : "repository", v, n, sbom_time());
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
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct cmd_args a;
	const char *name = NULL;
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1)
		if (c == 'n')
			name = optarg;
	if (a.n != 0)
		cmd_wrong_args(argv[0]);
	return sbom(o, name);
}
