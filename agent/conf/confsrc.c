/*
 * confsrc.c: find the node's config (node.conf(5), SOURCES).  The kernel
 * command line names it (`cairn.config=` a path or an https:// URL, with
 * `cairn.config.sha256=` or `cairn.config.ca=` to check it), else the
 * node's own boot medium carries it (a file system labelled CAIRNCFG
 * holding node.conf, on the boot disk or where the boot loader started:
 * medium.c), else the image does (/etc/cairn/node.conf), else there is
 * none and every default holds.  `cairn.config.sha256=` alone pins the
 * config: then any CAIRNCFG medium, or the image, whose node.conf has
 * that sha256, and nothing else.  A source that is named but fails is an
 * error: a node told where its config is never boots on another one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cmdline.h"
#include "conf/confsrc.h"
#include "fileio.h"
#include "conf/nodeconf.h"
#include "text.h"

static const char *const origin_names[] = {
	[CONF_CMDLINE] = "cmdline", [CONF_MEDIUM] = "medium", [CONF_IMAGE] = "image",
	[CONF_NONE] = "none",
};

const char *confsrc_origin_name(enum confsrc_origin o)
{
	return origin_names[o];
}

void confsrc_free(struct conf_found *f)
{
	if (f->text != NULL)
		OPENSSL_cleanse(f->text, f->len);
	free(f->text);
	f->text = NULL;
	f->len = 0;
}

static int parse_sha256(const char *hex, unsigned char out[32])
{
	size_t i;

	if (strlen(hex) != 64)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		int hi = text_hexdigit(hex[2 * i]), lo = text_hexdigit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Whether text has the sha256 want. */
static int sha256_is(const char *text, size_t len, const unsigned char want[32])
{
	unsigned char got[32];

	return EVP_Digest(text, len, got, NULL, EVP_sha256(), NULL) == 1 && memcmp(got, want, 32) == 0;
}

/* A file of the node's own: under root, at most a config's size. */
static int read_local(const struct confsrc *s, const char *path, struct conf_found *f)
{
	char full[CONFSRC_WHERE + 256];

	if ((size_t)snprintf(full, sizeof full, "%s%s", s->root, path) >= sizeof full)
		return -ENAMETOOLONG;
	return file_read_alloc(full, NC_FILE_MAX, &f->text, &f->len);
}

static int from_cmdline(const struct confsrc *s, const char *src, struct conf_found *f, struct perr *e)
{
	char hex[80], ca[CONFSRC_WHERE];
	unsigned char want[32];
	int pinned, has_ca, rc;

	f->origin = CONF_CMDLINE;
	snprintf(f->where, sizeof f->where, "%s", src);
	pinned = cmdline_get(s->cmdline, "cairn.config.sha256", hex, sizeof hex) != -ENOENT;
	if (pinned && parse_sha256(hex, want) < 0)
		return perr(e, -EINVAL, "cairn.config.sha256: not 64 hex digits");
	has_ca = cmdline_get(s->cmdline, "cairn.config.ca", ca, sizeof ca) != -ENOENT;
	if (has_ca && ca[0] != '/')
		return perr(e, -EINVAL, "cairn.config.ca=%s: not an absolute path", ca);

	if (strncmp(src, "https://", 8) == 0) {
		if (!pinned && !has_ca)
			return perr(e, -EINVAL, "cairn.config=%s: an https:// config needs "
				    "cairn.config.ca=FILE or cairn.config.sha256=HEX to check it", src);
		if (s->fetch == NULL)
			return perr(e, -EINVAL, "cairn.config=%s: cannot fetch URLs here", src);
		rc = s->fetch(src, has_ca ? ca : NULL, NC_FILE_MAX, &f->text, &f->len, e);
		if (rc < 0)
			return rc;
	} else if (strncmp(src, "http://", 7) == 0) {
		return perr(e, -EINVAL, "cairn.config=%s: plain http:// is not accepted: use https://", src);
	} else if (src[0] == '/') {
		rc = read_local(s, src, f);
		if (rc == -EFBIG)
			return perr(e, -EINVAL, "cairn.config=%s: longer than %d bytes", src, NC_FILE_MAX);
		if (rc < 0)
			return perr(e, -EINVAL, "cairn.config=%s: %s", src, strerror(-rc));
	} else {
		return perr(e, -EINVAL, "cairn.config=%s: not an absolute path or an https:// URL", src);
	}
	if (pinned && !sha256_is(f->text, f->len, want))
		return perr(e, -EINVAL, "cairn.config=%s: sha256 differs from cairn.config.sha256: "
			    "refused", src);
	return 0;
}

/*
 * The first medium whose node.conf is the one: the node's own (the
 * first that has one), or with a pin, any whose node.conf has that
 * sha256.  1 found, 0 none, or -errno with e set.
 */
static int from_media(const struct confsrc *s, const unsigned char *pin, struct conf_found *f, struct perr *e)
{
	char path[CONFSRC_WHERE];
	int i, rc;

	snprintf(f->where, sizeof f->where, "LABEL=%s:/node.conf", CONFSRC_LABEL);
	for (i = 0; i < s->nmedia; i++) {
		if (!s->media[i].own && pin == NULL)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/node.conf", s->media[i].dir) >= sizeof path)
			return perr(e, -EINVAL, "%s: %s", s->media[i].dir, strerror(ENAMETOOLONG));
		rc = file_read_alloc(path, NC_FILE_MAX, &f->text, &f->len);
		/* A medium without node.conf (a disk's own ESP, which carries
		 * the label so that a config can be put there) gives none. */
		if (rc == -ENOENT)
			continue;
		/* Pinned, one that cannot be read is not the one. */
		if (rc < 0 && pin == NULL)
			return perr(e, -EINVAL, "%s: %s", f->where,
				    rc == -EFBIG ? "longer than a config may be" : strerror(-rc));
		if (rc < 0)
			continue;
		if (pin == NULL || sha256_is(f->text, f->len, pin)) {
			f->origin = CONF_MEDIUM;
			f->medium = i;
			return 1;
		}
		confsrc_free(f);
	}
	f->where[0] = '\0';
	return 0;
}

/*
 * confsrc_find: the node's config text and where it came from.  Returns 0,
 * or -errno with e saying which source failed and why; f holds nothing
 * then.  cairn.config.sha256 without cairn.config pins the config a
 * medium or the image must hold: nothing else is taken.
 */
int confsrc_find(const struct confsrc *s, struct conf_found *f, struct perr *e)
{
	char src[CONFSRC_WHERE], hex[80];
	unsigned char pin[32];
	int rc, pinned;

	memset(f, 0, sizeof *f);
	f->medium = -1;
	rc = cmdline_get(s->cmdline, "cairn.config", src, sizeof src);
	if (rc == -ENAMETOOLONG)
		return perr(e, -EINVAL, "cairn.config: longer than %d bytes", CONFSRC_WHERE - 1);
	if (rc == 0 && src[0] == '\0')
		return perr(e, -EINVAL, "cairn.config: no path or URL given");
	if (rc == 0) {
		rc = from_cmdline(s, src, f, e);
		goto out;
	}
	pinned = cmdline_get(s->cmdline, "cairn.config.sha256", hex, sizeof hex) != -ENOENT;
	if (pinned && parse_sha256(hex, pin) < 0)
		return perr(e, -EINVAL, "cairn.config.sha256: not 64 hex digits");
	rc = from_media(s, pinned ? pin : NULL, f, e);
	if (rc != 0) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	rc = read_local(s, CONFSRC_IMAGE, f);
	if (rc != -ENOENT) {
		f->origin = CONF_IMAGE;
		snprintf(f->where, sizeof f->where, "%s", CONFSRC_IMAGE);
		if (rc < 0)
			perr(e, -EINVAL, "%s: %s", CONFSRC_IMAGE,
			     rc == -EFBIG ? "longer than a config may be" : strerror(-rc));
		else if (pinned && !sha256_is(f->text, f->len, pin))
			rc = -ENOENT;
		if (rc != -ENOENT)
			goto out;
		confsrc_free(f);
	}
	if (pinned) {
		/* Not there yet (a stick still being probed), or not anywhere:
		 * the step fails and initd runs it again. */
		rc = perr(e, -EINVAL, "cairn.config.sha256: no CAIRNCFG medium's node.conf, nor the "
			  "image's, has that sha256 (%d CAIRNCFG file system%s looked at)", s->nmedia,
			  s->nmedia == 1 ? "" : "s");
		goto out;
	}
	f->origin = CONF_NONE;
	f->where[0] = '\0';
	f->text = calloc(1, 1);
	rc = f->text != NULL ? 0 : perr(e, -EINVAL, "%s", strerror(ENOMEM));
out:
	if (rc < 0) {
		confsrc_free(f);
		return rc;
	}
	return 0;
}
