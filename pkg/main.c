/* main.c: pkg, Cairn's package manager.  So far it reads packages:
 * `pkg info FILE` and `pkg files FILE` (doc/pkg-format.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"

static const char usage[] =
	"usage: pkg [--json] info FILE.pkg\n"
	"       pkg [--json] files FILE.pkg\n"
	"\n"
	"  info   name, version, arch, license, source, relations, sizes\n"
	"  files  every entry: type, mode, owner, size, sha256, path\n"
	"\n"
	"Exit status: 0 done, 1 the package is malformed (the reason on stderr),\n"
	"100 usage, 111 system error.\n";

struct pkg_open {
	struct pkg_header h;
	struct pkg_meta m;
	char *text;
};

static void die(int code, const char *path, const char *why) __attribute__((noreturn));
static void die(int code, const char *path, const char *why)
{
	fprintf(stderr, "pkg: %s: %s\n", path, why);
	exit(code);
}

/* Read exactly len bytes at off; short is a truncated package. */
static int read_at(int fd, char *buf, size_t len, off_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = pread(fd, buf + got, len - got, off + (off_t)got);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENODATA;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Open and check a package: the header, the exact file size (nothing cut,
 * nothing appended), and the metadata.  The payload is not read here.
 */
static void pkg_load(const char *path, struct pkg_open *p)
{
	char head[PKG_HEADER_MAX], err[256];
	struct stat st;
	int fd, rc;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(111, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die(1, path, "not a regular file");
	n = pread(fd, head, sizeof head, 0);
	if (n < 0)
		die(111, path, strerror(errno));
	if (pkg_header_parse(head, (size_t)n, &p->h, err, sizeof err) < 0)
		die(1, path, err);
	if ((unsigned long long)st.st_size != p->h.header_len + p->h.meta_len + p->h.payload_len)
		die(1, path, (unsigned long long)st.st_size <
			p->h.header_len + p->h.meta_len + p->h.payload_len ?
			"truncated: shorter than its header says" : "bytes after the payload");
	p->text = malloc(p->h.meta_len + 1);
	p->m.maxfiles = PKG_FILES_MAX;
	p->m.files = calloc(PKG_FILES_MAX, sizeof *p->m.files);
	if (p->text == NULL || p->m.files == NULL)
		die(111, path, strerror(ENOMEM));
	rc = read_at(fd, p->text, p->h.meta_len, (off_t)p->h.header_len);
	if (rc < 0)
		die(rc == -ENODATA ? 1 : 111, path, rc == -ENODATA ? "truncated" : strerror(-rc));
	close(fd);
	p->text[p->h.meta_len] = '\0';
	if (pkg_meta_parse(p->text, p->h.meta_len, &p->m, err, sizeof err) < 0)
		die(1, path, err);
}

static void hex(const uint8_t *b, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

static const char *op_text(enum pkg_op op)
{
	static const char *const ops[] = { "", "<", "<=", "=", ">=", ">" };

	return ops[op];
}

/* Strings from a parsed package are printable ASCII without quotes'
 * special meaning except " and \, which JSON escapes. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void print_rels(const char *key, const struct pkg_rel *r, int n, int json)
{
	int i;

	if (json) {
		printf(",\"%s\":[", key);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(r[i].name);
			if (r[i].version != NULL) {
				printf(",\"op\":\"%s\",\"version\":", op_text(r[i].op));
				json_str(r[i].version);
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
		printf(" %s%s%s", r[i].name, op_text(r[i].op), r[i].version ? r[i].version : "");
	putchar('\n');
}

static void info(const struct pkg_open *p, int json)
{
	const struct pkg_meta *m = &p->m;
	char sum[65];

	hex(m->source_sha256, sum);
	if (json) {
		printf("{\"name\":");
		json_str(m->name);
		printf(",\"version\":");
		json_str(m->version);
		printf(",\"arch\":");
		json_str(m->arch);
		printf(",\"license\":");
		json_str(m->license);
		if (m->summary != NULL) {
			printf(",\"summary\":");
			json_str(m->summary);
		}
		printf(",\"source_sha256\":\"%s\",\"files\":%zu,\"installed_size\":%llu,"
		       "\"payload_bytes\":%llu", sum, m->nfiles, m->payload_size, p->h.payload_len);
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
	printf("%-13s %s\n%-13s %zu\n%-13s %llu bytes\n%-13s %llu bytes\n", "source-sha256", sum,
	       "files", m->nfiles, "installed", m->payload_size, "payload", p->h.payload_len);
	print_rels("depends", m->depends, m->ndepends, 0);
	print_rels("provides", m->provides, m->nprovides, 0);
	print_rels("conflicts", m->conflicts, m->nconflicts, 0);
}

static void files(const struct pkg_open *p, int json)
{
	const struct pkg_file *f;
	char sum[65];
	size_t i;

	if (json)
		putchar('[');
	for (i = 0; i < p->m.nfiles; i++) {
		f = &p->m.files[i];
		hex(f->sha256, sum);
		if (json) {
			printf("%s{\"type\":\"%c\",\"path\":", i ? "," : "", (char)f->type);
			json_str(f->path);
			if (f->type != PKG_HARDLINK)
				printf(",\"uid\":%u,\"gid\":%u", f->uid, f->gid);
			if (f->type == PKG_FILE || f->type == PKG_DIR)
				printf(",\"mode\":\"%04o\"", f->mode);
			if (f->type == PKG_FILE)
				printf(",\"size\":%llu,\"sha256\":\"%s\"", f->size, sum);
			if (f->target != NULL) {
				printf(",\"target\":");
				json_str(f->target);
			}
			putchar('}');
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

int main(int argc, char **argv)
{
	struct pkg_open p;
	int i = 1, json = 0;

	memset(&p, 0, sizeof p);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		puts("pkg (Cairn) " CAIRN_VERSION);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--json") == 0) {
		json = 1;
		i++;
	}
	if (argc - i != 2 || (strcmp(argv[i], "info") != 0 && strcmp(argv[i], "files") != 0)) {
		fprintf(stderr, "pkg: %s\n%s", argc - i < 1 ? "no command" : "unknown command or "
			"wrong arguments", usage);
		return 100;
	}
	pkg_load(argv[i + 1], &p);
	if (strcmp(argv[i], "info") == 0)
		info(&p, json);
	else
		files(&p, json);
	free(p.text);
	free(p.m.files);
	return fflush(stdout) == 0 ? 0 : 111;
}
