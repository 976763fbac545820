/* ramroot.h: the netbooted root: a verified squashfs carried in the initramfs, made "/". */
#ifndef CAIRN_INITD_RAMROOT_H
#define CAIRN_INITD_RAMROOT_H

#include <stddef.h>
#include <stdint.h>

/* The image, the one file of the initramfs that is the root. */
#define RAMROOT_IMAGE "/cairn/root.img"
/* Files an appended initramfs lays over the root (a site's config, a test's services). */
#define RAMROOT_EXTRA "/cairn/extra"
/* Optional layers an appended initramfs brings (doc/netboot.md, "Layers"):
 * RAMROOT_LAYERS/NAME.img, each named with its own root hash by a
 * cairn.layer= of the command line, or left out. */
#define RAMROOT_LAYERS "/cairn/layers"
#define RAMROOT_LAYERS_MAX 8
#define RAMROOT_NAME_MAX 32
#define RAMROOT_BLOCK 4096
/* A root that will not open: how long before the machine restarts. */
#define RAMROOT_RETRY_S 15

struct ramroot {
	uint64_t blocks;   /* the squashfs's 4 KiB blocks; its hash tree follows them */
	char roothash[65]; /* sha256, hex */
	char salt[129];    /* hex, at most 64 bytes */
};

struct ramlayer {
	char name[RAMROOT_NAME_MAX + 1];
	struct ramroot v;
};

int ramroot_param(const char *cmdline, char *value, size_t size);
int ramroot_parse(const char *value, struct ramroot *r);
int ramroot_layer_parse(const char *value, struct ramlayer *l);
int ramroot_layers(const char *cmdline, struct ramlayer *l, int max);
int ramroot_table(const struct ramroot *r, unsigned major, unsigned minor, char *buf, size_t size);
int ramroot_switch(char *const argv[]);

#endif
