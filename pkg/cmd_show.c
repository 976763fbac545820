/* cmd_show.c: `pkg info`, `pkg files`: a package's metadata or entries (its file, or the db). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "text.h"

static void print_rels(const char *key, const struct pkg_rel *r, int n, int json)
{
	int i;

	if (json) {
		printf(",\"%s\":[", key);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			cmd_json_str(r[i].name);
			if (r[i].version != NULL) {
				printf(",\"op\":\"%s\",\"version\":", cmd_op_text(r[i].op));
				cmd_json_str(r[i].version);
			}
			putchar('}');
		}
		putchar(']');
		return;
	}
	if (n == 0)
		return;
	printf("%-13s", key);
	for (i = 0; i < n; i++)
		printf(" %s%s%s", r[i].name, cmd_op_text(r[i].op), r[i].version ? r[i].version : "");
	putchar('\n');
}

static void info(const struct pkg_meta *m, unsigned long long payload, int json)
{
	char sum[65];

	text_hex(m->source_sha256, 32, sum);
	if (json) {
		putchar('{');
		cmd_json_ident(m);
		if (m->summary != NULL) {
			printf(",\"summary\":");
			cmd_json_str(m->summary);
		}
		printf(",\"source_sha256\":\"%s\",\"files\":%zu,\"installed_size\":%llu", sum, m->nfiles,
		       m->payload_size);
		if (payload > 0)
			printf(",\"payload_bytes\":%llu", payload);
		print_rels("depends", m->depends, m->ndepends, 1);
		print_rels("provides", m->provides, m->nprovides, 1);
		print_rels("conflicts", m->conflicts, m->nconflicts, 1);
		printf("}\n");
		return;
	}
	printf("%-13s %s\n%-13s %s\n%-13s %s\n%-13s %s\n", "name", m->name, "version", m->version,
	       "arch", m->arch, "license", m->license);
	if (m->summary != NULL)
		printf("%-13s %s\n", "summary", m->summary);
	printf("%-13s %s\n%-13s %zu\n%-13s %llu bytes\n", "source-sha256", sum, "files", m->nfiles,
	       "installed", m->payload_size);
	if (payload > 0)
		printf("%-13s %llu bytes\n", "payload", payload);
	print_rels("depends", m->depends, m->ndepends, 0);
	print_rels("provides", m->provides, m->nprovides, 0);
	print_rels("conflicts", m->conflicts, m->nconflicts, 0);
}

static void file_json(const struct pkg_file *f, const char *sum, int first)
{
	printf("%s{\"type\":\"%c\",\"path\":", first ? "" : ",", (char)f->type);
	cmd_json_str(f->path);
	if (f->type != PKG_HARDLINK)
		printf(",\"uid\":%u,\"gid\":%u", f->uid, f->gid);
	if (f->type == PKG_FILE || f->type == PKG_DIR)
		printf(",\"mode\":\"%04o\"", f->mode);
	if (f->type == PKG_FILE)
		printf(",\"size\":%llu,\"sha256\":\"%s\"", f->size, sum);
	if (f->target != NULL) {
		printf(",\"target\":");
		cmd_json_str(f->target);
	}
	putchar('}');
}

static void files(const struct pkg_meta *m, int json)
{
	const struct pkg_file *f;
	char sum[65];
	size_t i;

	if (json)
		putchar('[');
	for (i = 0; i < m->nfiles; i++) {
		f = &m->files[i];
		text_hex(f->sha256, 32, sum);
		if (json) {
			file_json(f, sum, i == 0);
			continue;
		}
		switch (f->type) {
		case PKG_FILE:
			printf("f %04o %u:%u %llu %s /%s\n", f->mode, f->uid, f->gid, f->size, sum, f->path);
			break;
		case PKG_DIR:
			printf("d %04o %u:%u /%s\n", f->mode, f->uid, f->gid, f->path);
			break;
		case PKG_SYMLINK:
			printf("l %u:%u /%s -> %s\n", f->uid, f->gid, f->path, f->target);
			break;
		case PKG_HARDLINK:
			printf("h /%s => /%s\n", f->path, f->target);
			break;
		}
	}
	if (json)
		printf("]\n");
}

/* A package file (checked whole), or an installed package. */
static int show(struct pkg_opts *o, int argc, char **argv, int show_files)
{
	const char *what;
	struct txn_pkg p;
	struct txn t;
	struct perr e = { "" };
	const struct db_pkg *d;

	if (cmd_operands(o, argc, argv) != 1)
		cmd_wrong_args(argv[0]);
	what = argv[1];
	if (cmd_ends_with(what, ".pkg")) {
		int fd = open(what, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			cmd_die(111, "%s: %s", what, strerror(errno));
		if (txn_pkg_load(&p, fd, 0, -1, NULL, 0, what, &e) < 0)
			cmd_fail(&e);
		if (show_files)
			files(&p.m, o->json);
		else
			info(&p.m, p.payload_len, o->json);
		txn_pkg_free(&p);
		return 0;
	}
	cmd_open_txn(o, &t, 1);
	d = db_find(&t.db, what);
	if (d == NULL)
		cmd_die(1, "%s: not installed under %s", what, o->root);
	if (show_files)
		files(&d->m, o->json);
	else
		info(&d->m, 0, o->json);
	txn_close(&t);
	return 0;
}

int cmd_info(struct pkg_opts *o, int argc, char **argv)
{
	return show(o, argc, argv, 0);
}

int cmd_files(struct pkg_opts *o, int argc, char **argv)
{
	return show(o, argc, argv, 1);
}
