/* bootent.h: the root slots' boot entries on the ESP, and systemd-boot's
 * boot counting in their names (doc/update.md): \EFI\Linux\cairn-S.efi is
 * slot S's Unified Kernel Image, blessed; cairn-S+L-D.efi one on trial,
 * with L tries left and D done; L 0: tried out, never the default again;
 * cairn-S+N.efi.staged one staged, armed (renamed cairn-S+N.efi) by the
 * reboot that starts it. */
#ifndef CAIRN_BOOTENT_H
#define CAIRN_BOOTENT_H

#include <stddef.h>

#include "perr.h"

#define ESP_DIR "/run/cairn/esp"	/* where pkg and the agent mount the ESP */
#define ESP_LABEL "ESP"			/* its GPT name */
#define BOOTENT_DIR "EFI/Linux"		/* the entries, under the ESP */
#define BOOTENT_TRIES_MAX 9
#define BOOTENT_STAGED ".staged"	/* cairn-S+N.efi.staged: written, not yet armed */

struct bootent {
	char slot;			/* 'a' or 'b' */
	int left, done;			/* -1, -1: no counter (blessed) */
	char name[32];			/* its file name in BOOTENT_DIR */
};

int bootent_parse(const char *name, struct bootent *b);
int bootent_find(int dirfd, char slot, struct bootent *b);
int bootent_bless(int dirfd, const struct bootent *b);
int bootent_remove(int dirfd, char slot);
int bootent_staged(int dirfd, char slot, int *tries);
int bootent_arm(int dirfd, char slot);
int esp_mount(const char *sys, const char *dir, struct perr *e);

#endif
