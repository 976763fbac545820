/*
 * format.c: the strict parser of a package's header line and metadata
 * (doc/pkg-format.md).  Nothing in a package is trusted: every size is
 * bounded, every path checked, and the file list must be sorted and free
 * of duplicates, so a package has one meaning and one byte form.  Modes,
 * owners and link targets come only from here (the payload holds file
 * contents alone): a file cannot carry a bit the metadata does not show.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "text.h"

/*
 * pkg_err: the reason a parser refuses its input, into err: "WHAT line N: "
 * first when the line is known (WHAT NULL: "line N: "), then the words.
 * Returns -EINVAL, for the parser to return.
 */
int pkg_err(char *err, size_t errsize, const char *what, int line, const char *fmt, ...)
{
	va_list ap;
	int n = line > 0 ? snprintf(err, errsize, "%s%sline %d: ", what ? what : "", what ? " " : "", line) : 0;

	if (n >= 0 && (size_t)n < errsize) {
		va_start(ap, fmt);
		vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

#define fail(err, errsize, line, ...) pkg_err(err, errsize, "metadata", line, __VA_ARGS__)

/* A decimal with no sign, no leading zero (one form per number), <= max. */
int pkg_decimal(const char *s, unsigned long long max, unsigned long long *v)
{
	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	return text_uint(s, max, v);
}

/*
 * pkg_header_parse: "cairn-pkg 1 META_LEN PAYLOAD_LEN\n" at the start of
 * buf (len bytes available, at least the line).
 */
int pkg_header_parse(const char *buf, size_t len, struct pkg_header *h, char *err, size_t errsize)
{
	char line[PKG_HEADER_MAX + 1], *w[4], *save = NULL;
	const char *nl = memchr(buf, '\n', len < PKG_HEADER_MAX ? len : PKG_HEADER_MAX);
	size_t n;
	int i;

	if (len < 10 || memcmp(buf, "cairn-pkg ", 10) != 0)
		return fail(err, errsize, 0, "not a Cairn package (no 'cairn-pkg' header)");
	if (nl == NULL)
		return fail(err, errsize, 0, "package header line too long or cut short");
	n = (size_t)(nl - buf);
	memcpy(line, buf, n);
	line[n] = '\0';
	for (i = 0; i < 4; i++) {
		w[i] = strtok_r(i == 0 ? line : NULL, " ", &save);
		if (w[i] == NULL)
			return fail(err, errsize, 0, "package header needs 4 fields");
	}
	if (strtok_r(NULL, " ", &save) != NULL)
		return fail(err, errsize, 0, "package header has extra fields");
	if (strcmp(w[1], "1") != 0)
		return fail(err, errsize, 0, "package format '%.8s' is not one this pkg reads (1)", w[1]);
	if (pkg_decimal(w[2], PKG_META_MAX, &h->meta_len) < 0 || h->meta_len == 0)
		return fail(err, errsize, 0, "metadata length '%.20s' is not 1 to %u", w[2], PKG_META_MAX);
	if (pkg_decimal(w[3], PKG_PAYLOAD_MAX, &h->payload_len) < 0)
		return fail(err, errsize, 0, "payload length '%.20s' is out of range", w[3]);
	/* One spelling of the line: single spaces, as written. */
	if (strlen(w[0]) + strlen(w[1]) + strlen(w[2]) + strlen(w[3]) + 3 != n)
		return fail(err, errsize, 0, "package header is not single-spaced");
	h->header_len = n + 1;
	return 0;
}

/* pkg_hex32: 64 lowercase hex digits (one spelling) into 32 bytes. */
int pkg_hex32(const char *hex, uint8_t out[32])
{
	size_t n;

	return strlen(hex) == 64 && text_unhex(hex, out, 32, &n) == 0 ? 0 : -EINVAL;
}

/* Package names: [a-z0-9][a-z0-9+._-]*, up to 64 bytes. */
int pkg_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > 64 || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (i = 1; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      strchr("+._-", name[i]) != NULL))
			return 0;
	return 1;
}

/* Versions: a digit first, then [0-9A-Za-z.+~_-], up to 64 bytes. */
int pkg_version_ok(const char *version)
{
	size_t n = strlen(version), i;

	if (n == 0 || n > 64 || version[0] < '0' || version[0] > '9')
		return 0;
	for (i = 1; i < n; i++)
		if (!((version[i] >= '0' && version[i] <= '9') || (version[i] >= 'a' && version[i] <= 'z') ||
		      (version[i] >= 'A' && version[i] <= 'Z') || strchr(".+~_-", version[i]) != NULL))
			return 0;
	return 1;
}

/*
 * pkg_path_ok: 1 for a path a package may hold: relative to the root (no
 * leading /), components of printable non-space bytes, none empty, "." or
 * "..", at most PKG_PATH_MAX bytes and PKG_DEPTH_MAX deep.  Else 0, with
 * the reason in *why.
 */
int pkg_path_ok(const char *path, const char **why)
{
	const char *c = path, *start = path;
	size_t n = strlen(path);
	int depth = 1;

	*why = NULL;
	if (n == 0)
		*why = "empty path";
	else if (n > PKG_PATH_MAX)
		*why = "path too long";
	else if (path[0] == '/')
		*why = "absolute path";
	for (; *why == NULL && *c != '\0'; c++) {
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f)
			*why = "path has a space, control or non-ASCII byte";
		if (*c != '/' && c[1] != '\0')
			continue;
		{
			size_t len = (size_t)(c - start) + (*c != '/');

			if (len == 0)
				*why = "empty path component (// or trailing /)";
			else if ((len == 1 && start[0] == '.') || (len == 2 && start[0] == '.' && start[1] == '.'))
				*why = "'.' or '..' in path";
		}
		if (*c == '/' && ++depth > PKG_DEPTH_MAX)
			*why = "path too deep";
		start = c + 1;
	}
	if (*why == NULL && path[n - 1] == '/')
		*why = "empty path component (// or trailing /)";
	return *why == NULL;
}

/* pkg_rel_parse: "NAME" or, when versioned, "NAME OP VERSION" without
 * spaces, in place into r.  0 or -EINVAL. */
int pkg_rel_parse(char *v, struct pkg_rel *r, int versioned)
{
	static const struct { const char *s; enum pkg_op op; } ops[] = {
		{ ">=", PKG_GE }, { "<=", PKG_LE }, { "=", PKG_EQ }, { ">", PKG_GT }, { "<", PKG_LT },
	};
	size_t i, at = strcspn(v, "<>=");

	r->op = PKG_ANY;
	r->version = NULL;
	if (v[at] != '\0') {
		if (!versioned)
			return -EINVAL;
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (strncmp(v + at, ops[i].s, strlen(ops[i].s)) == 0)
				break;
		if (i == sizeof ops / sizeof ops[0])
			return -EINVAL;
		r->op = ops[i].op;
		r->version = v + at + strlen(ops[i].s);
		v[at] = '\0';
		if (!pkg_version_ok(r->version))
			return -EINVAL;
	}
	r->name = v;
	return pkg_name_ok(v) ? 0 : -EINVAL;
}

/* pkg_words: v split in place into exactly n single-space-separated words. */
int pkg_words(char *v, char *w[], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		w[i] = v;
		v = strchr(v, ' ');
		if (i < n - 1) {
			if (v == NULL || v == w[i])
				return -EINVAL;
			*v++ = '\0';
		}
	}
	return v == NULL && *w[n - 1] != '\0' ? 0 : -EINVAL;
}

static int octal_mode(const char *s, unsigned *mode)
{
	unsigned m = 0;
	size_t i;

	if (strlen(s) != 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		m = m * 8 + (unsigned)(s[i] - '0');
	}
	*mode = m;
	return 0;
}

/* One file entry: "f MODE UID GID SIZE SHA256 PATH", "d MODE UID GID PATH",
 * "l UID GID TARGET PATH", "h TARGET PATH". */
static int file_parse(char type, char *v, struct pkg_file *f, const char **why)
{
	unsigned long long id;
	char *w[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
	int n = type == 'f' ? 6 : type == 'd' ? 4 : type == 'l' ? 4 : 2, i = 0;

	memset(f, 0, sizeof *f);
	f->type = (enum pkg_ftype)type;
	*why = "wrong number of fields";
	if (pkg_words(v, w, n) < 0)
		return -EINVAL;
	if (type == 'f' || type == 'd') {
		*why = "mode is not 4 octal digits";
		if (octal_mode(w[i++], &f->mode) < 0)
			return -EINVAL;
		*why = "setuid or setgid on a directory";
		if (type == 'd' && (f->mode & 06000))
			return -EINVAL;
		*why = "sticky bit on a file";
		if (type == 'f' && (f->mode & 01000))
			return -EINVAL;
	}
	if (type != 'h') {
		*why = "owner is not a number up to 2147483647";
		if (pkg_decimal(w[i++], 0x7fffffff, &id) < 0)
			return -EINVAL;
		f->uid = (unsigned)id;
		if (pkg_decimal(w[i++], 0x7fffffff, &id) < 0)
			return -EINVAL;
		f->gid = (unsigned)id;
	}
	if (type == 'f') {
		*why = "size is not a number in range";
		if (pkg_decimal(w[i++], PKG_PAYLOAD_MAX, &f->size) < 0)
			return -EINVAL;
		*why = "sha256 is not 64 lowercase hex digits";
		if (pkg_hex32(w[i++], f->sha256) < 0)
			return -EINVAL;
	}
	if (type == 'l' || type == 'h') {
		f->target = w[i++];
		*why = "symlink target too long or with a control byte";
		if (type == 'l') {
			const char *c;

			if (strlen(f->target) > PKG_PATH_MAX)
				return -EINVAL;
			for (c = f->target; *c != '\0'; c++)
				if ((unsigned char)*c < ' ' || (unsigned char)*c == 0x7f)
					return -EINVAL;
		} else if (!pkg_path_ok(f->target, why)) {
			return -EINVAL;
		}
	}
	f->path = w[i];
	return f->path != NULL && pkg_path_ok(f->path, why) ? 0 : -EINVAL;
}

/* The entry for path among those parsed so far (sorted), or NULL. */
static const struct pkg_file *find(const struct pkg_meta *m, const char *path)
{
	size_t lo = 0, hi = m->nfiles;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->files[mid].path, path);

		if (c == 0)
			return &m->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every ancestor this package lists must be a directory: nothing may sit
 * below one of its files or links.  Ancestors sort before the path, so
 * they are among the entries parsed already. */
static const char *leaf_above(const struct pkg_meta *m, const char *path)
{
	static char up[PKG_PATH_MAX + 1];
	const struct pkg_file *f;
	const char *c;

	for (c = strchr(path, '/'); c != NULL; c = strchr(c + 1, '/')) {
		memcpy(up, path, (size_t)(c - path));
		up[c - path] = '\0';
		f = find(m, up);
		if (f != NULL && f->type != PKG_DIR)
			return f->path;
	}
	return NULL;
}

static int add_rel(struct pkg_rel *rels, int *n, size_t cap, char *v, int versioned)
{
	if ((size_t)*n == cap)
		return -E2BIG;
	if (pkg_rel_parse(v, &rels[*n], versioned) < 0)
		return -EINVAL;
	(*n)++;
	return 0;
}

/* The relation keys, in the order their lines are kept in rels. */
static const char *const rel_key[3] = { "depends ", "provides ", "conflicts " };

/* How many lines of text begin with each relation key (past
 * PKG_RELS_MAX: one more, which the parser refuses at its line). */
static void rel_count(const char *text, size_t len, size_t n[3])
{
	const char *l = text, *end = text + len;

	n[0] = n[1] = n[2] = 0;
	while (l < end) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t k, ll = nl ? (size_t)(nl - l) : (size_t)(end - l);

		for (k = 0; k < 3; k++)
			if (ll > strlen(rel_key[k]) && memcmp(l, rel_key[k], strlen(rel_key[k])) == 0 &&
			    n[k] < PKG_RELS_MAX)
				n[k]++;
		l += ll + 1;
	}
}

/*
 * pkg_meta_alloc: m emptied, with room for the files and relations text
 * may hold (a file or a relation per line), for pkg_meta_parse; -ENOMEM.
 * pkg_meta_free gives it back.
 */
int pkg_meta_alloc(struct pkg_meta *m, const char *text, size_t len)
{
	size_t n[3], lines = 0, i;

	memset(m, 0, sizeof *m);
	for (i = 0; i < len; i++)
		lines += text[i] == '\n';
	rel_count(text, len, n);
	m->maxfiles = lines;
	m->maxrels = n[0] + n[1] + n[2];
	m->files = calloc(lines ? lines : 1, sizeof *m->files);
	m->rels = calloc(m->maxrels ? m->maxrels : 1, sizeof *m->rels);
	if (m->files == NULL || m->rels == NULL) {
		pkg_meta_free(m);
		return -ENOMEM;
	}
	return 0;
}

/* *s once more at *at (then past it), or only counted (*at NULL), in *n. */
static void keep(const char **s, char **at, size_t *n)
{
	size_t len;

	if (*s == NULL)
		return;
	len = strlen(*s) + 1;
	if (*at != NULL) {
		memcpy(*at, *s, len);
		*s = *at;
		*at += len;
	}
	*n += len;
}

static void keep_rels(struct pkg_rel *r, int nr, char **at, size_t *n)
{
	int k;

	for (k = 0; k < nr; k++) {
		keep(&r[k].name, at, n);
		keep(&r[k].version, at, n);
	}
}

/* Every string of m, kept (or counted). */
static void meta_strings(struct pkg_meta *m, char **at, size_t *n)
{
	const char **one[] = { &m->name, &m->version, &m->arch, &m->license, &m->summary, &m->supplier,
			       &m->download };
	size_t i;
	int k;

	for (i = 0; i < sizeof one / sizeof one[0]; i++)
		keep(one[i], at, n);
	for (k = 0; k < m->npurl; k++)
		keep(&m->purl[k], at, n);
	for (k = 0; k < m->ncpe; k++)
		keep(&m->cpe[k], at, n);
	keep_rels(m->depends, m->ndepends, at, n);
	keep_rels(m->provides, m->nprovides, at, n);
	keep_rels(m->conflicts, m->nconflicts, at, n);
	for (i = 0; i < m->nfiles; i++) {
		keep(&m->files[i].path, at, n);
		keep(&m->files[i].target, at, n);
	}
}

/*
 * pkg_meta_compact: the strings of a parsed m moved into one new block
 * that replaces *text, the text it was parsed from (freed): the hashes'
 * hex and the keys are not kept.  m's files (pkg_meta_alloc's) are trimmed
 * to those it has.  -ENOMEM leaves both as they were.
 */
int pkg_meta_compact(struct pkg_meta *m, char **text)
{
	size_t n = 0;
	char *block, *at = NULL;

	/* A line each was room for every file: what is left over goes. */
	if (m->nfiles > 0 && m->nfiles < m->maxfiles) {
		struct pkg_file *f = realloc(m->files, m->nfiles * sizeof *f);

		if (f != NULL) {
			m->files = f;
			m->maxfiles = m->nfiles;
		}
	}

	meta_strings(m, &at, &n);
	block = malloc(n ? n : 1);
	if (block == NULL)
		return -ENOMEM;
	at = block;
	n = 0;
	meta_strings(m, &at, &n);
	free(*text);
	*text = block;
	return 0;
}

void pkg_meta_free(struct pkg_meta *m)
{
	free(m->files);
	free(m->rels);
	m->files = NULL;
	m->rels = NULL;
	m->maxfiles = m->maxrels = 0;
}

#define TEXT_OF_(x) #x
#define TEXT_OF(x) TEXT_OF_(x)

/* An identifier: printable ASCII without spaces, quotes or backslashes,
 * its scheme's prefix, at most 256 bytes; purl and cpe at most
 * PKG_IDS_MAX times, download once. */
static int id_parse(struct pkg_meta *m, const char *key, const char *v, const char **why)
{
	const char *c;
	int purl = key[0] == 'p', cpe = key[0] == 'c';

	if (strlen(v) > 256) {
		*why = "identifier longer than 256 bytes";
		return -1;
	}
	for (c = v; *c != '\0'; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\') {
			*why = "identifier has a space, quote, backslash or byte outside printable ASCII";
			return -1;
		}
	if ((purl && strncmp(v, "pkg:", 4) != 0) || (cpe && strncmp(v, "cpe:2.3:", 8) != 0) ||
	    (!purl && !cpe && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)) {
		*why = purl ? "purl must begin 'pkg:'" : cpe ? "cpe must begin 'cpe:2.3:'" :
		       "download must be an http:// or https:// URL";
		return -1;
	}
	if (purl ? m->npurl == PKG_IDS_MAX : cpe ? m->ncpe == PKG_IDS_MAX : m->download != NULL) {
		*why = purl ? "more than " TEXT_OF(PKG_IDS_MAX) " 'purl' lines" :
		       cpe ? "more than " TEXT_OF(PKG_IDS_MAX) " 'cpe' lines" : "'download' given twice";
		return -1;
	}
	if (purl)
		m->purl[m->npurl++] = v;
	else if (cpe)
		m->cpe[m->ncpe++] = v;
	else
		m->download = v;
	return 0;
}

/* A key of one string: name, version, arch, license, summary, supplier
 * (printable, at most 256 bytes, once), or an identifier.  Returns 0, 1
 * when key is none of them, or fail()'s error. */
static int string_key(struct pkg_meta *m, const char *key, const char *v, char *err, size_t errsize,
		      int line)
{
	const char **field, *c, *why;

	if (strcmp(key, "purl") == 0 || strcmp(key, "cpe") == 0 || strcmp(key, "download") == 0)
		return id_parse(m, key, v, &why) < 0 ? fail(err, errsize, line, "%s", why) : 0;
	if (strcmp(key, "name") != 0 && strcmp(key, "version") != 0 && strcmp(key, "arch") != 0 &&
	    strcmp(key, "license") != 0 && strcmp(key, "summary") != 0 && strcmp(key, "supplier") != 0)
		return 1;
	field = key[0] == 'n' ? &m->name : key[0] == 'v' ? &m->version : key[0] == 'a' ? &m->arch :
		key[0] == 'l' ? &m->license : key[1] == 'u' && key[2] == 'm' ? &m->summary : &m->supplier;
	if (*field != NULL)
		return fail(err, errsize, line, "'%s' given twice", key);
	if (strlen(v) > 256)
		return fail(err, errsize, line, "'%s' longer than 256 bytes", key);
	for (c = v; *c != '\0'; c++)
		if ((unsigned char)*c < ' ' || (unsigned char)*c == 0x7f)
			return fail(err, errsize, line, "'%s' has a control byte", key);
	*field = v;
	return 0;
}

/*
 * pkg_meta_parse: the metadata text (len bytes, edited in place: strings
 * in m point into it) into m, whose files and relations arrays the caller
 * gives (m->files, m->maxfiles, m->rels, m->maxrels; pkg_meta_alloc sizes
 * them).  Returns 0, or -EINVAL/-E2BIG with the line and the reason in
 * err; m is then not to be used.
 */
int pkg_meta_parse(char *text, size_t len, struct pkg_meta *m, char *err, size_t errsize)
{
	struct pkg_file *files = m->files;
	struct pkg_rel *rels = m->rels;
	size_t maxfiles = m->maxfiles, maxrels = m->maxrels, at = 0, nrel[3];
	unsigned long long total = 0, declared = 0;
	const char *leaf, *why;
	int line = 0, have_sum = 0, have_payload = 0, rc;

	memset(m, 0, sizeof *m);
	m->files = files;
	m->maxfiles = maxfiles;
	m->rels = rels;
	m->maxrels = maxrels;
	if (len == 0 || text[len - 1] != '\n')
		return fail(err, errsize, 0, "metadata does not end with a newline");
	if (memchr(text, '\0', len) != NULL)
		return fail(err, errsize, 0, "metadata has a NUL byte");
	/* Each kind's relations get their exact room, one after another. */
	rel_count(text, len, nrel);
	if (nrel[0] + nrel[1] + nrel[2] > maxrels)
		return fail(err, errsize, 0, "more relations than the %zu there is room for", maxrels);
	m->depends = rels;
	m->provides = rels + nrel[0];
	m->conflicts = rels + nrel[0] + nrel[1];
	while (at < len) {
		char *l = text + at, *nl = memchr(l, '\n', len - at), *sp, *key, *v;

		*nl = '\0';
		at = (size_t)(nl - text) + 1;
		line++;
		sp = strchr(l, ' ');
		if (sp == NULL || sp == l || sp[1] == '\0')
			return fail(err, errsize, line, "not a 'key value' line");
		*sp = '\0';
		key = l;
		v = sp + 1;
		if (line == 1) {
			if (strcmp(key, "format") != 0 || strcmp(v, "1") != 0)
				return fail(err, errsize, line, "must be 'format 1'");
			continue;
		}
		if (strlen(key) == 1 && strchr("fdlh", key[0]) != NULL) {
			struct pkg_file *f;

			if (m->nfiles == m->maxfiles || m->nfiles == PKG_FILES_MAX)
				return fail(err, errsize, line, "more than %zu files",
					    m->maxfiles < PKG_FILES_MAX ? m->maxfiles : (size_t)PKG_FILES_MAX);
			f = &m->files[m->nfiles];
			if (file_parse(key[0], v, f, &why) < 0)
				return fail(err, errsize, line, "%s", why);
			if (m->nfiles > 0 && strcmp(m->files[m->nfiles - 1].path, f->path) >= 0)
				return fail(err, errsize, line, "'%.80s' is out of order or listed twice",
					    f->path);
			leaf = leaf_above(m, f->path);
			if (leaf != NULL)
				return fail(err, errsize, line, "'%.80s' is below '%.80s', which is not a directory",
					    f->path, leaf);
			if (f->type == PKG_HARDLINK && (find(m, f->target) == NULL ||
							find(m, f->target)->type != PKG_FILE))
				return fail(err, errsize, line, "hardlink target '%.80s' is not a file listed before it",
					    f->target);
			if (f->type == PKG_FILE) {
				total += f->size;
				if (total > PKG_PAYLOAD_MAX)
					return fail(err, errsize, line, "files add up to more than 2^40 bytes");
			}
			m->nfiles++;
			continue;
		}
		if (m->nfiles > 0)
			return fail(err, errsize, line, "'%.32s' after the file list", key);
		rc = string_key(m, key, v, err, errsize, line);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (strcmp(key, "source-sha256") == 0) {
			if (have_sum++ || pkg_hex32(v, m->source_sha256) < 0)
				return fail(err, errsize, line, "source-sha256 must be given once, 64 lowercase hex digits");
			continue;
		}
		if (strcmp(key, "payload-size") == 0) {
			if (have_payload++ || pkg_decimal(v, PKG_PAYLOAD_MAX, &declared) < 0)
				return fail(err, errsize, line, "payload-size must be given once, a number up to 2^40");
			continue;
		}
		if (strcmp(key, "depends") == 0)
			rc = add_rel(m->depends, &m->ndepends, nrel[0], v, 1);
		else if (strcmp(key, "provides") == 0)
			rc = add_rel(m->provides, &m->nprovides, nrel[1], v, 0);
		else if (strcmp(key, "conflicts") == 0)
			rc = add_rel(m->conflicts, &m->nconflicts, nrel[2], v, 1);
		else
			return fail(err, errsize, line, "unknown key '%.32s'", key);
		if (rc == -E2BIG)
			return fail(err, errsize, line, "more than %d '%s' lines", PKG_RELS_MAX, key);
		if (rc < 0)
			return fail(err, errsize, line, "'%s' needs NAME or NAME OP VERSION (OP: >= <= = > <)", key);
	}
	if (line == 0 || m->name == NULL || m->version == NULL || m->arch == NULL || m->license == NULL ||
	    !have_sum || !have_payload)
		return fail(err, errsize, 0, "metadata lacks one of name, version, arch, license, "
			    "source-sha256, payload-size");
	if (!pkg_name_ok(m->name))
		return fail(err, errsize, 0, "'%.64s' is not a package name", m->name);
	if (!pkg_version_ok(m->version))
		return fail(err, errsize, 0, "'%.64s' is not a version", m->version);
	if (strcmp(m->arch, "x86_64") != 0 && strcmp(m->arch, "aarch64") != 0 &&
	    strcmp(m->arch, "noarch") != 0)
		return fail(err, errsize, 0, "arch '%.32s' is not x86_64, aarch64 or noarch", m->arch);
	/* The payload holds exactly the files' bytes: a bigger stream is a
	 * decompression bomb and is cut off at this size when extracted. */
	if (declared != total)
		return fail(err, errsize, 0, "payload-size %llu is not the %llu bytes the files add up to",
			    declared, total);
	m->payload_size = total;
	return 0;
}
