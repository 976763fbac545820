/* cmd_change.c: `pkg install`, `pkg upgrade`: packages from --repo in, as one transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "solve.h"

/*
 * An extension holds files under /usr and /opt only: initd overlays just
 * those.  None is setuid or setgid: the overlay is mounted nosuid anyway,
 * and a site's package has no business raising privilege.
 */
static void ext_check(const struct pkg_meta *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		const struct pkg_file *f = &m->files[i];

		if (strcmp(f->path, "usr") != 0 && strcmp(f->path, "opt") != 0 &&
		    strncmp(f->path, "usr/", 4) != 0 && strncmp(f->path, "opt/", 4) != 0)
			cmd_die(1, "%s-%s: /%s: an extension holds files under /usr and /opt only: refused",
				    m->name, m->version, f->path);
		if (f->type == PKG_FILE && (f->mode & (S_ISUID | S_ISGID)) != 0)
			cmd_die(1, "%s-%s: /%s: setuid or setgid (mode %04o): an extension may not raise "
				    "privilege: refused", m->name, m->version, f->path, f->mode);
	}
}

static void load_pkgs(const struct pkg_opts *o, struct repo *r, const struct solution *s, struct txn *t)
{
	struct perr e = { "" };
	size_t i;

	t->add = calloc(s->nadd + 1, sizeof *t->add);
	if (t->add == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	/* Every package checked against the signed index before anything is written. */
	for (i = 0; i < s->nadd; i++) {
		const struct index_pkg *p = s->add[i];
		long long len;
		off_t base;
		int fd = repo_pkg_open(r, p, &base, &len, &e);

		if (fd < 0 || txn_pkg_load(&t->add[i], fd, base, len, p->sha256, p->size, p->name, &e) < 0)
			cmd_fail(&e);
		if (strcmp(t->add[i].m.name, p->name) != 0 || strcmp(t->add[i].m.version, p->version) != 0 ||
		    strcmp(t->add[i].m.arch, p->arch) != 0)
			cmd_die(1, "%s-%s: its metadata names another package: refused", p->name, p->version);
		if (o->ext)
			ext_check(&t->add[i].m);
		t->nadd++;
	}
}

static int change(const struct pkg_opts *o, const char *cmd, char **names, int n)
{
	struct pkg_rel *want = calloc((size_t)n + 1, sizeof *want);
	struct solution s;
	struct repo r;
	struct txn t;
	struct perr e = { "" };
	char **plain = calloc((size_t)n + 1, sizeof *plain);
	size_t i, nw;
	int rc, upgrade = strcmp(cmd, "upgrade") == 0;

	if (want == NULL || plain == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	if (o->repo == NULL)
		cmd_die(100, "%s needs --repo DIR", cmd);
	for (i = 0; i < (size_t)n; i++) {
		plain[i] = strdup(names[i]);
		if (plain[i] == NULL || pkg_rel_parse(names[i], &want[i], 1) < 0)
			cmd_die(100, "%s: not NAME or NAME OP VERSION (OP: >= <= = > <)", plain[i]);
		plain[i][strcspn(plain[i], "<>=")] = '\0';
	}
	cmd_open_repo(o, cmd, &t, &r);
	if (upgrade) {
		free(want);
		want = calloc(t.db.nworld + 1, sizeof *want);
		if (want == NULL)
			cmd_die(111, "%s", strerror(ENOMEM));
		for (i = 0; i < t.db.nworld; i++)
			want[i] = (struct pkg_rel){ t.db.world[i], PKG_ANY, NULL };
		n = (int)t.db.nworld;
	}
	if (solve(&r.ix, &t.db, want, (size_t)n, upgrade, o->arch, &s, &e) < 0)
		cmd_fail(&e);
	load_pkgs(o, &r, &s, &t);
	t.remove = s.replace;
	t.nremove = s.nreplace;
	t.world = upgrade ? cmd_world_edit(&t.db, NULL, 0, 1, &nw)
			  : cmd_world_edit(&t.db, plain, (size_t)n, 1, &nw);
	t.nworld = nw;
	t.progress = isatty(2);
	if (s.nadd == 0 && t.nworld == t.db.nworld) {
		fprintf(stderr, "pkg: nothing to do\n");
		rc = 0;
	} else {
		rc = txn_apply(&t, &e);
		if (rc < 0)
			cmd_fail(&e);
		fprintf(stderr, "pkg: %s: %zu package%s, %llu files, %llu bytes\n", cmd, s.nadd,
			s.nadd == 1 ? "" : "s", t.files, t.bytes);
	}
	for (i = 0; i < t.nadd; i++)
		txn_pkg_free(&t.add[i]);
	free(t.add);
	free(t.world);
	solution_free(&s);
	repo_close(&r);
	txn_close(&t);
	for (i = 0; i < (size_t)n && !upgrade; i++)
		free(plain[i]);
	free(plain);
	free(want);
	return rc;
}


int cmd_install(struct pkg_opts *o, int argc, char **argv)
{
	int n = cmd_operands(o, argc, argv);

	if (n < 1)
		cmd_wrong_args(argv[0]);
	return change(o, argv[0], argv + 1, n);
}

int cmd_upgrade(struct pkg_opts *o, int argc, char **argv)
{
	if (cmd_operands(o, argc, argv) != 0)
		cmd_wrong_args(argv[0]);
	return change(o, argv[0], argv + 1, 0);
}
