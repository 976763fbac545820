/* ramroot_test.c: cairn.root='s value, and the verity table made of it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ramroot.h"

#define HASH "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define SALT "aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55aa55"

static void parse(void)
{
	struct ramroot r;

	CHECK(ramroot_parse("verity:13450:" HASH ":" SALT, &r) == 0);
	CHECK(r.blocks == 13450);
	CHECK(strcmp(r.roothash, HASH) == 0);
	CHECK(strcmp(r.salt, SALT) == 0);
	/* A short salt is a salt (veritysetup takes up to 256 bytes; we keep to 64). */
	CHECK(ramroot_parse("verity:1:" HASH ":00", &r) == 0);
}

static void refused(void)
{
	static const char *const bad[] = {
		"",
		"verity",
		"verity:",
		"squashfs:10:" HASH ":" SALT,
		"verity:0:" HASH ":" SALT,	   /* no data */
		"verity:-1:" HASH ":" SALT,
		"verity:012:" HASH ":" SALT,	   /* not how the build writes it */
		"verity:10x:" HASH ":" SALT,
		"verity:99999999999999999999:" HASH ":" SALT,
		"verity:2305843009213693952:" HASH ":" SALT, /* 2^61 blocks: sectors overflow */
		"verity:10:" HASH,			   /* no salt */
		"verity:10:" HASH ":",
		"verity:10:" HASH ":abc",		   /* odd */
		"verity:10:" HASH ":" SALT SALT "00", /* 65 bytes */
		"verity:10:" HASH "0:" SALT,	   /* 65 digits */
		"verity:10:" "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0:" SALT,
		"verity:10:" HASH ":" SALT " 1 ignore_corruption", /* no table of one's own */
		"verity:10:" HASH ":" SALT ":x",
	};
	struct ramroot r;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ramroot_parse(bad[i], &r) != -EINVAL)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		CHECK(ramroot_parse(bad[i], &r) == -EINVAL);
	}
}

static void param(void)
{
	char v[300];

	CHECK(ramroot_param("console=ttyS0 cairn.root=verity:1:" HASH ":00 quiet", v, sizeof v) == 0);
	CHECK(strcmp(v, "verity:1:" HASH ":00") == 0);
	CHECK(ramroot_param("console=ttyS0 quiet", v, sizeof v) == -ENOENT);
	/* A second one, whatever it says, is refused: never "the last wins". */
	CHECK(ramroot_param("cairn.root=verity:1:" HASH ":00 cairn.root=verity:1:" HASH ":00", v, sizeof v) ==
	      -EINVAL);
	CHECK(ramroot_param("cairn.root=verity:1:" HASH ":00 x cairn.root", v, sizeof v) == -EINVAL);
	CHECK(ramroot_param("cairn.root=verity:1:" HASH ":00 cairn.root=", v, sizeof v) == -EINVAL);
	/* Too long for the buffer: refused, not cut. */
	CHECK(ramroot_param("cairn.root=verity:1:" HASH ":00", v, 16) < 0);
}

static void layers(void)
{
	static const char *const bad[] = {
		"cairn.layer=gpu",
		"cairn.layer=:verity:1:" HASH ":00",
		"cairn.layer=-gpu:verity:1:" HASH ":00",
		"cairn.layer=GPU:verity:1:" HASH ":00",
		"cairn.layer=g/u:verity:1:" HASH ":00",
		"cairn.layer=g.u:verity:1:" HASH ":00",
		"cairn.layer=../x:verity:1:" HASH ":00",
		"cairn.layer=abcdefghijklmnopqrstuvwxyz0123456:verity:1:" HASH ":00", /* 33 */
		"cairn.layer=gpu:verity:0:" HASH ":00",
		"cairn.layer=gpu:verity:1:" HASH ":00 x cairn.layer=",
		/* The same name twice, whatever each says: never "the last wins". */
		"cairn.layer=gpu:verity:1:" HASH ":00 cairn.layer=gpu:verity:1:" HASH ":00",
		"cairn.layer=gpu:verity:1:" HASH ":00 cairn.layer=gpu:verity:2:" HASH ":00",
	};
	struct ramlayer l[RAMROOT_LAYERS_MAX];
	char many[RAMROOT_LAYERS_MAX * 120 + 200];
	size_t i, len = 0;

	CHECK(ramroot_layers("console=ttyS0 quiet", l, RAMROOT_LAYERS_MAX) == 0);
	CHECK(ramroot_layers("cairn.layer=gpu:verity:7:" HASH ":" SALT " quiet cairn.layer=a-1:verity:1:" HASH ":00",
			     l, RAMROOT_LAYERS_MAX) == 2);
	CHECK(strcmp(l[0].name, "gpu") == 0 && l[0].v.blocks == 7 && strcmp(l[0].v.salt, SALT) == 0);
	CHECK(strcmp(l[1].name, "a-1") == 0 && l[1].v.blocks == 1);
	CHECK(ramroot_layers("cairn.layer=abcdefghijklmnopqrstuvwxyz012345:verity:1:" HASH ":00", l,
			     RAMROOT_LAYERS_MAX) == 1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ramroot_layers(bad[i], l, RAMROOT_LAYERS_MAX) != -EINVAL)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		CHECK(ramroot_layers(bad[i], l, RAMROOT_LAYERS_MAX) == -EINVAL);
	}
	/* As many as fit, then one more: refused, not cut. */
	for (i = 0; i < RAMROOT_LAYERS_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof many - len, "cairn.layer=l%zu:verity:1:" HASH ":00 ", i);
	CHECK(ramroot_layers(many, l, RAMROOT_LAYERS_MAX) == RAMROOT_LAYERS_MAX);
	snprintf(many + len, sizeof many - len, "cairn.layer=extra:verity:1:" HASH ":00");
	CHECK(ramroot_layers(many, l, RAMROOT_LAYERS_MAX) == -EINVAL);
}

static void table(void)
{
	struct ramroot r;
	char buf[512], small[64];

	CHECK(ramroot_parse("verity:13450:" HASH ":" SALT, &r) == 0);
	CHECK(ramroot_table(&r, 7, 0, buf, sizeof buf) == 0);
	CHECK(strcmp(buf, "1 7:0 7:0 4096 4096 13450 13450 sha256 " HASH " " SALT " 1 panic_on_corruption") == 0);
	CHECK(ramroot_table(&r, 7, 0, small, sizeof small) == -ENAMETOOLONG);
}

int main(void)
{
	RUN(parse);
	RUN(refused);
	RUN(param);
	RUN(layers);
	RUN(table);
	return CHECK_DONE();
}
