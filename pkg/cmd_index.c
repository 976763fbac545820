/* cmd_index.c: `pkg index DIR`: DIR/index of every DIR/NAME-VERSION.ARCH.pkg, each checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"

/* The index's text as it grows. */
struct index_text {
	char *s;
	size_t len, cap;
};

static void text_add(struct index_text *t, const char *s)
{
	size_t l = strlen(s);

	if (t->len + l + 1 > t->cap) {
		t->cap = (t->len + l + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			cmd_die(111, "%s", strerror(ENOMEM));
	}
	memcpy(t->s + t->len, s, l + 1);
	t->len += l;
}

static int pkg_file_name(const struct dirent *d)
{
	return d->d_name[0] != '.' && cmd_ends_with(d->d_name, ".pkg");
}

/* Each package file, checked whole and named for what it holds. */
static void index_load(const char *dir, int dfd, struct dirent **list, int n, struct txn_pkg *p)
{
	struct perr e = { "" };
	char name[256];
	int i;

	for (i = 0; i < n; i++) {
		/* Not blocking: a FIFO is refused by the load, not waited on. */
		int fd = openat(dfd, list[i]->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

		if (fd < 0 || txn_pkg_load(&p[i], fd, 0, -1, NULL, 0, list[i]->d_name, &e) < 0)
			cmd_die(1, "%s/%s: %s", dir, list[i]->d_name, fd < 0 ? strerror(errno) : e.msg);
		snprintf(name, sizeof name, "%s-%s.%s.pkg", p[i].m.name, p[i].m.version, p[i].m.arch);
		if (strcmp(name, list[i]->d_name) != 0)
			cmd_die(1, "%s/%s: holds %s: rename it", dir, list[i]->d_name, name);
	}
}

/* Sorted by name, then version text: the index's own order. */
static void index_sort(const char *dir, const struct txn_pkg *p, int *ord, int n)
{
	int i, j, tmp;

	for (i = 0; i < n; i++)
		ord[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const struct pkg_meta *a = &p[ord[j - 1]].m, *b = &p[ord[j]].m;
			int c = strcmp(a->name, b->name);

			if (c < 0 || (c == 0 && strcmp(a->version, b->version) < 0))
				break;
			if (c == 0 && strcmp(a->version, b->version) == 0)
				cmd_die(1, "%s: %s %s is there twice (two arches?): one repository per arch", dir,
					a->name, a->version);
			tmp = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = tmp;
		}
}

/* One package's lines: its file, then what it depends on, provides, conflicts with. */
static void index_entry(struct index_text *t, const struct txn_pkg *q)
{
	const struct pkg_meta *m = &q->m;
	char line[512];
	int k;

	index_line(line, sizeof line, m->name, m->version, m->arch, q->file_size, q->file_sha256);
	text_add(t, line);
	for (k = 0; k < m->ndepends; k++) {
		snprintf(line, sizeof line, "depends %s%s%s\n", m->depends[k].name,
			 cmd_op_text(m->depends[k].op), m->depends[k].version ? m->depends[k].version : "");
		text_add(t, line);
	}
	for (k = 0; k < m->nprovides; k++) {
		snprintf(line, sizeof line, "provides %s\n", m->provides[k].name);
		text_add(t, line);
	}
	for (k = 0; k < m->nconflicts; k++) {
		snprintf(line, sizeof line, "conflicts %s%s%s\n", m->conflicts[k].name,
			 cmd_op_text(m->conflicts[k].op), m->conflicts[k].version ? m->conflicts[k].version : "");
		text_add(t, line);
	}
}

int cmd_index(struct pkg_opts *o, int argc, char **argv)
{
	const char *dir;
	struct index_text t = { NULL, 0, 0 };
	struct dirent **list;
	struct txn_pkg *p;
	int *ord, n, i, dfd, rc;

	if (cmd_operands(o, argc, argv) != 1)
		cmd_wrong_args(argv[0]);
	dir = argv[1];
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		cmd_die(111, "%s: %s", dir, strerror(errno));
	n = scandir(dir, &list, pkg_file_name, alphasort);
	if (n < 0)
		cmd_die(111, "%s: %s", dir, strerror(errno));
	p = calloc((size_t)n + 1, sizeof *p);
	ord = calloc((size_t)n + 1, sizeof *ord);
	if (p == NULL || ord == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	index_load(dir, dfd, list, n, p);
	index_sort(dir, p, ord, n);
	t.cap = 64 + (size_t)n * 1024;
	t.s = malloc(t.cap);
	if (t.s == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	text_add(&t, "cairn-index 1\n");
	for (i = 0; i < n; i++)
		index_entry(&t, &p[ord[i]]);
	for (i = 0; i < n; i++) {
		txn_pkg_free(&p[i]);
		free(list[i]);
	}
	free(list);
	free(p);
	free(ord);
	rc = file_write_at(dfd, "index", t.s, t.len, 0644);
	if (rc < 0)
		cmd_die(111, "%s/index: %s", dir, strerror(-rc));
	fprintf(stderr, "pkg: %s/index: %d packages\n", dir, n);
	free(t.s);
	close(dfd);
	return 0;
}
