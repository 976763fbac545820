/*
 * extensions_test.c: initd's extensions overlay (initd/extensions.c) on an
 * area the way pkg leaves it, checked by the host's pkg as the image's
 * initd checks it with its own: a layer whose file was changed, or that
 * holds a file no package installed (the data disk written in another
 * machine), stays out; the rest is overlaid read-only, nosuid and nodev.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "extensions.h"
#include "faketree.h"
#include "log.h"
#include "text.h"
#include "fileio.h"
#include "sha256.h"

#ifndef TEST_PKG
#error "TEST_PKG: the host build of pkg (the Makefile names it)"
#endif

static char root[128];
static int logpipe[2];

static struct {
	char target[256], type[16], data[600];
	unsigned long flags;
} mounts[4];
static int nmounts;

static int fake_mount(const char *source, const char *target, const char *type, unsigned long flags,
		      const void *data)
{
	(void)source;
	if (nmounts == 4)
		return -1;
	snprintf(mounts[nmounts].target, sizeof mounts[nmounts].target, "%s", target);
	snprintf(mounts[nmounts].type, sizeof mounts[nmounts].type, "%s", type);
	snprintf(mounts[nmounts].data, sizeof mounts[nmounts].data, "%s", (const char *)data);
	mounts[nmounts++].flags = flags;
	return 0;
}

static const char *logged(void)
{
	static char buf[4096];
	ssize_t n = read(logpipe[0], buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[512];

	tree_put(root, rel, text);
	snprintf(path, sizeof path, "%s/%s", root, rel);
	chmod(path, mode);
}

/* An "f" line of the metadata for text at path. */
static int file_line(char *out, size_t size, const char *mode, const char *text, const char *path)
{
	uint8_t sum[32];
	char hex[65];

	sha256_buf(text, strlen(text), sum);
	text_hex(sum, 32, hex);
	return snprintf(out, size, "f %s 0 0 %zu %s %s\n", mode, strlen(text), hex, path);
}

/* The area with one package, "tool", installed as pkg would leave it. */
static void make_area(void)
{
	static const char tool[] = "#!/bin/sh\necho tool\n", data[] = "data\n";
	char meta[2048], line[256], name[128], db[256], hex[65];
	uint8_t sum[32];

	snprintf(meta, sizeof meta, "format 1\nname tool\nversion 1.0\narch x86_64\nlicense MIT\n"
		 "source-sha256 %064d\npayload-size %zu\nd 0755 0 0 opt\nd 0755 0 0 opt/tool\n", 0,
		 strlen(tool) + strlen(data));
	file_line(line, sizeof line, "0644", data, "opt/tool/data");
	strcat(meta, line);
	snprintf(line, sizeof line, "d 0755 0 0 usr\nd 0755 0 0 usr/bin\n");
	strcat(meta, line);
	file_line(line, sizeof line, "0755", tool, "usr/bin/tool");
	strcat(meta, line);
	sha256_buf(meta, strlen(meta), sum);
	text_hex(sum, 32, hex);
	snprintf(name, sizeof name, "var/lib/extensions/lib/pkg/meta/%s", hex);
	put(name, meta, 0644);
	snprintf(db, sizeof db, "cairn-db 1\ntxn 1\nworld tool\npackage tool 1.0 %s\n", hex);
	put("var/lib/extensions/lib/pkg/db", db, 0644);
	put("var/lib/extensions/opt/tool/data", data, 0644);
	put("var/lib/extensions/usr/bin/tool", tool, 0755);
	mkdir(strcat(strcpy(name, root), "/usr"), 0755);
	mkdir(strcat(strcpy(name, root), "/opt"), 0755);
}

static int mounted(const char *dir)
{
	char want[256];
	int i;

	snprintf(want, sizeof want, "%s/%s", root, dir);
	for (i = 0; i < nmounts; i++)
		if (strcmp(mounts[i].target, want) == 0)
			return 1;
	return 0;
}

static int run(const char *pkg)
{
	struct extensions_sys sys = { pkg, fake_mount };

	nmounts = 0;
	logged();
	return extensions_mount(root, &sys);
}

static void matching_layers_overlaid_nosuid_nodev(void)
{
	char want[600];

	CHECK(run(TEST_PKG) == 2);
	CHECK(mounted("usr") && mounted("opt"));
	snprintf(want, sizeof want, "lowerdir=%s/usr:%s/var/lib/extensions/usr", root, root);
	CHECK(strcmp(mounts[0].data, want) == 0);
	CHECK(strcmp(mounts[0].type, "overlay") == 0);
	CHECK(mounts[0].flags == (MS_RDONLY | MS_NOSUID | MS_NODEV));
	CHECK(mounts[1].flags == (MS_RDONLY | MS_NOSUID | MS_NODEV));
}

/* Same size, other bytes: only the hash tells. */
static void changed_file_leaves_its_layer_out(void)
{
	const char *log;

	put("var/lib/extensions/usr/bin/tool", "#!/bin/sh\necho root\n", 0755);
	CHECK(run(TEST_PKG) == 1);
	CHECK(!mounted("usr") && mounted("opt"));
	log = logged();
	CHECK(strstr(log, "/var/lib/extensions/usr does not match its database") != NULL);
	CHECK(strstr(log, "left out of /usr") != NULL);
	put("var/lib/extensions/usr/bin/tool", "#!/bin/sh\necho tool\n", 0755);
	CHECK(run(TEST_PKG) == 2);
}

static void foreign_file_leaves_its_layer_out(void)
{
	char path[512];

	put("var/lib/extensions/opt/tool/lib.so", "not from any package\n", 0644);
	CHECK(run(TEST_PKG) == 1);
	CHECK(mounted("usr") && !mounted("opt"));
	CHECK(strstr(logged(), "left out of /opt") != NULL);
	snprintf(path, sizeof path, "%s/var/lib/extensions/opt/tool/lib.so", root);
	unlink(path);
}

/* No checker, no layer: unchecked files never join the image's. */
static void no_check_no_overlay(void)
{
	CHECK(run("/nonexistent/pkg") == 0);
	CHECK(nmounts == 0);
	CHECK(strstr(logged(), "/nonexistent/pkg verify failed (above): left out of /usr") != NULL);
}

int main(void)
{
	int rc;

	umask(022);
	tree_new(root, sizeof root, "extensions_test");
	if (pipe2(logpipe, O_NONBLOCK) != 0)
		return 1;
	/* Console level 0: every line reaches the pipe, where tests read it. */
	log_open("extensions_test", -1, logpipe[1], 0);
	make_area();
	RUN(matching_layers_overlaid_nosuid_nodev);
	RUN(changed_file_leaves_its_layer_out);
	RUN(foreign_file_leaves_its_layer_out);
	RUN(no_check_no_overlay);
	rc = CHECK_DONE();
	check_rmtree(root);
	return rc;
}
