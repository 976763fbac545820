/* ramroot.c: the netbooted root: a verified squashfs carried in the initramfs, made "/". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/loop.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "ramroot.h"

/*
 * The kernel unpacks a cpio root into page cache file by file: for a
 * 150 MiB root that is most of a netboot, and all of it stays in memory.
 * Instead the initramfs holds the root as the disk slot does, a zstd
 * squashfs followed by its dm-verity hash tree, in one file; this initd,
 * run from the initramfs, opens it through a read-only loop device and
 * dm-verity with the root hash from the command line (which a signed UKI
 * covers), mounts it, moves it over "/" as switch_root does, and runs the
 * root's own initd.  Pages are decompressed when read and every block is
 * checked against the tree, with panic_on_corruption as on the disk.
 */

#define DM_NAME "cairn-root"
#define LOWER "/cairn/lower"
#define NEWROOT "/cairn/root"
#define ROOTDEV "/cairn/root.dev"
/* Decompressors a squashfs mount gets at most (squashfs_threads). */
#define RAMROOT_THREADS 4

static int hex_run(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * ramroot_parse: "verity:BLOCKS:ROOTHASH:SALT" (cairn.root=): the image's
 * data blocks (4 KiB; its hash tree starts right after them), the sha256
 * root hash, the salt (lower-case hex, an even count of digits, at most 64
 * bytes).  Returns 0 or -EINVAL.
 */
int ramroot_parse(const char *value, struct ramroot *r)
{
	const char *p, *h, *s;
	char *end;
	unsigned long long n;
	size_t saltlen;

	memset(r, 0, sizeof *r);
	if (strncmp(value, "verity:", 7) != 0)
		return -EINVAL;
	p = value + 7;
	if (*p < '1' || *p > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(p, &end, 10);
	/* The device's sectors must fit a u64, and the hash tree after it. */
	if (errno != 0 || *end != ':' || n > (UINT64_MAX >> 13))
		return -EINVAL;
	h = end + 1;
	s = strchr(h, ':');
	if (s == NULL || s - h != 64 || !hex_run(h, 64))
		return -EINVAL;
	s++;
	saltlen = strlen(s);
	if (saltlen == 0 || saltlen % 2 != 0 || saltlen >= sizeof r->salt || !hex_run(s, saltlen))
		return -EINVAL;
	r->blocks = n;
	memcpy(r->roothash, h, 64);
	memcpy(r->salt, s, saltlen + 1);
	return 0;
}

/*
 * ramroot_param: the command line's one cairn.root= value.  Given twice
 * it is refused (-EINVAL), not "the last wins": whatever can append to a
 * command line (a loader's extra words) must not name another root.
 */
int ramroot_param(const char *cmdline, char *value, size_t size)
{
	char other[8];
	int rc = cmdline_nth(cmdline, "cairn.root", 0, value, size);

	if (rc < 0)
		return rc;
	rc = cmdline_nth(cmdline, "cairn.root", 1, other, sizeof other);
	return rc == -ENOENT ? 0 : -EINVAL;
}

/*
 * ramroot_layer_parse: "NAME:verity:BLOCKS:ROOTHASH:SALT" (cairn.layer=):
 * the layer's name (lower-case letters, digits and '-', not first; at
 * most RAMROOT_NAME_MAX) and its image's verity parameters, as
 * cairn.root's.  Returns 0 or -EINVAL.
 */
int ramroot_layer_parse(const char *value, struct ramlayer *l)
{
	const char *c = strchr(value, ':');
	size_t i, n = c != NULL ? (size_t)(c - value) : 0;

	memset(l, 0, sizeof *l);
	if (n == 0 || n > RAMROOT_NAME_MAX || value[0] == '-')
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!((value[i] >= 'a' && value[i] <= 'z') || (value[i] >= '0' && value[i] <= '9') || value[i] == '-'))
			return -EINVAL;
	memcpy(l->name, value, n);
	return ramroot_parse(c + 1, &l->v);
}

/*
 * ramroot_layers: the command line's cairn.layer= values into L (at most
 * MAX).  Returns how many, or -EINVAL for a bad one, one too many, or a
 * name given twice: as for cairn.root, words appended to a command line
 * must not name another image for a layer.
 */
int ramroot_layers(const char *cmdline, struct ramlayer *l, int max)
{
	char value[RAMROOT_NAME_MAX + 300];
	int i, j, rc;

	for (i = 0;; i++) {
		rc = cmdline_nth(cmdline, "cairn.layer", i, value, sizeof value);
		if (rc == -ENOENT)
			return i;
		if (rc < 0 || i == max || ramroot_layer_parse(value, &l[i]) < 0)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (strcmp(l[j].name, l[i].name) == 0)
				return -EINVAL;
	}
}

/*
 * ramroot_table: the verity target's parameters over the block device
 * MAJOR:MINOR, data and hash tree on the same device (as the disk's slot).
 * Returns 0 or -ENAMETOOLONG.
 */
int ramroot_table(const struct ramroot *r, unsigned major, unsigned minor, char *buf, size_t size)
{
	unsigned long long b = (unsigned long long)r->blocks;
	int n = snprintf(buf, size, "1 %u:%u %u:%u %d %d %llu %llu sha256 %s %s 1 panic_on_corruption", major,
			 minor, major, minor, RAMROOT_BLOCK, RAMROOT_BLOCK, b, b, r->roothash, r->salt);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The image on a free loop device, read-only; its device number in *dev. */
static int loop_attach(int img, dev_t *dev)
{
	struct loop_config cfg;
	struct stat st;
	char path[32];
	int ctl, fd, n, rc = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	if (n < 0) {
		rc = -errno;
		close(ctl);
		return rc;
	}
	close(ctl);
	snprintf(path, sizeof path, "/dev/loop%d", n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&cfg, 0, sizeof cfg);
	cfg.fd = (unsigned)img;
	cfg.block_size = RAMROOT_BLOCK;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY;
	if (ioctl(fd, LOOP_CONFIGURE, &cfg) < 0 || fstat(fd, &st) < 0)
		rc = -errno;
	else
		*dev = st.st_rdev;
	/* The loop device keeps the file; the dm table will keep the loop. */
	close(fd);
	return rc;
}

/* One device-mapper command: header, then (for a table) one target. */
struct dm_request {
	struct dm_ioctl hdr;
	struct dm_target_spec spec;
	char params[512];
};

static void dm_init(struct dm_request *q, const char *name, size_t size, unsigned flags)
{
	memset(q, 0, sizeof *q);
	q->hdr.version[0] = DM_VERSION_MAJOR;
	q->hdr.data_size = (uint32_t)size;
	q->hdr.data_start = sizeof q->hdr;
	q->hdr.flags = flags;
	snprintf(q->hdr.name, sizeof q->hdr.name, "%s", name);
}

/* The device NAME: created, its verity table loaded, resumed. */
static int dm_verity(const struct ramroot *r, const char *name, dev_t loop, dev_t *dev)
{
	struct dm_request q;
	int fd, rc = 0;

	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dm_init(&q, name, sizeof q.hdr, 0);
	if (ioctl(fd, DM_DEV_CREATE, &q) < 0) {
		rc = -errno;
		goto out;
	}
	dm_init(&q, name, sizeof q, DM_READONLY_FLAG);
	q.hdr.target_count = 1;
	q.spec.sector_start = 0;
	q.spec.length = r->blocks * (RAMROOT_BLOCK / 512);
	memcpy(q.spec.target_type, "verity", sizeof "verity");
	rc = ramroot_table(r, major(loop), minor(loop), q.params, sizeof q.params);
	if (rc < 0)
		goto out;
	if (ioctl(fd, DM_TABLE_LOAD, &q) < 0) {
		rc = -errno;
		goto out;
	}
	dm_init(&q, name, sizeof q.hdr, 0);
	if (ioctl(fd, DM_DEV_SUSPEND, &q) < 0) {
		rc = -errno;
		goto out;
	}
	*dev = (dev_t)q.hdr.dev;
out:
	close(fd);
	return rc;
}

/* Whether DIR holds an entry (RAMROOT_EXTRA: files laid over the root). */
static int has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

/*
 * squashfs's threads=: a decompressor for each online CPU, at most
 * RAMROOT_THREADS.  The kernel (base.config) leaves the number to the
 * mount, since each decompressor holds a block of the image (1 MiB,
 * rootimg.sh) besides its zstd workspace: one per possible CPU would hold
 * some 500 MB a mount on a 256-thread server.  The kernel takes at most
 * twice the online CPUs; these are at most those.
 */
static const char *squashfs_threads(void)
{
	static char opt[16];
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > RAMROOT_THREADS)
		n = RAMROOT_THREADS;
	snprintf(opt, sizeof opt, "threads=%ld", n);
	return opt;
}

/*
 * One verified image: PATH through a read-only loop device and dm-verity
 * (the device NAME, its node made at DEV) with R's root hash, and its
 * squashfs mounted read-only on DIR.  *WHAT names the step that failed.
 */
static int verity_mount(const char *path, const struct ramroot *r, const char *name, const char *dev,
			const char *dir, const char **what)
{
	struct stat st;
	dev_t loop = 0, dm = 0;
	int img, rc;

	/* A regular file, looked at before it is opened: a FIFO would hang
	 * PID 1, a device's driver would run its open, a link lead elsewhere. */
	*what = path;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	img = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (img < 0)
		return -errno;
	/* A tree of one block at least after the data, unless the data is
	 * one block: its hash is the root hash itself. */
	if (fstat(img, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size / RAMROOT_BLOCK < r->blocks + (r->blocks > 1) || st.st_size % RAMROOT_BLOCK != 0) {
		/* No room for the hash tree after the data: not the image the hash names. */
		close(img);
		*what = "the image's size";
		return -EINVAL;
	}
	rc = loop_attach(img, &loop);
	close(img);
	if (rc < 0) {
		*what = "loop device";
		return rc;
	}
	rc = dm_verity(r, name, loop, &dm);
	if (rc < 0) {
		*what = "dm-verity";
		return rc;
	}
	/* Made here, never taken as found: an appended archive could have
	 * put a node of the raw loop device (or a disk) at DEV, or a link
	 * at a mount point. */
	*what = dev;
	if (mknod(dev, S_IFBLK | 0400, dm) < 0)
		return -errno;
	*what = dir;
	if (mkdir(dir, 0755) < 0)
		return -errno;
	*what = "mount";
	return mount(dev, dir, "squashfs", MS_RDONLY, squashfs_threads()) < 0 ? -errno : 0;
}

/* An image in RAMROOT_LAYERS that no cairn.layer= names is left out, and said. */
static void layers_unnamed(const struct ramlayer *l, int nl)
{
	DIR *d = opendir(RAMROOT_LAYERS);
	struct dirent *e;
	char shown[65];
	size_t n;
	int i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (i = 0; i < nl; i++) {
			n = strlen(l[i].name);
			if (strncmp(e->d_name, l[i].name, n) == 0 && strcmp(e->d_name + n, ".img") == 0)
				break;
		}
		if (i == nl) {
			/* The name as a planted file gives it: no control bytes on the console. */
			for (n = 0; n < sizeof shown - 1 && e->d_name[n] != '\0'; n++) {
				shown[n] = e->d_name[n];
				if ((unsigned char)shown[n] < 0x20 || shown[n] == 0x7f)
					shown[n] = '?';
			}
			shown[n] = '\0';
			log_msg(LOG_ERR, "cairn.layer: " RAMROOT_LAYERS "/%s: no cairn.layer= names it: left out", shown);
		}
	}
	closedir(d);
}

/*
 * Each layer of L whose image the initramfs carries, verified and mounted
 * on LOWER-NAME, its directory appended to the overlay's OPTS.  A layer
 * the node was not given is no error; one that does not open is.
 */
static int layers_mount(const struct ramlayer *l, int nl, char *opts, size_t size, const char **what)
{
	char img[64], dm[48], dev[64], dir[64];
	struct stat st;
	size_t len;
	int i, rc;

	layers_unnamed(l, nl);
	for (i = 0; i < nl; i++) {
		/* %.32s: RAMROOT_NAME_MAX, which ramroot_layer_parse holds names to. */
		snprintf(img, sizeof img, RAMROOT_LAYERS "/%.32s.img", l[i].name);
		/* Only "no such file" is a layer not given: anything else there
		 * (a dangling link, a FIFO) is refused by verity_mount. */
		if (lstat(img, &st) < 0 && errno == ENOENT) {
			log_msg(LOG_INFO, "cairn.layer %s: not in the initramfs: not loaded", l[i].name);
			continue;
		}
		snprintf(dm, sizeof dm, "cairn-layer-%.32s", l[i].name);
		snprintf(dev, sizeof dev, "/cairn/layer-%.32s.dev", l[i].name);
		snprintf(dir, sizeof dir, LOWER "-%.32s", l[i].name);
		rc = verity_mount(img, &l[i].v, dm, dev, dir, what);
		if (rc < 0) {
			log_msg(LOG_ERR, "cairn.layer %s: %s: %s", l[i].name, *what, strerror(-rc));
			*what = "cairn.layer";
			return rc;
		}
		len = strlen(opts);
		snprintf(opts + len, size - len, ":%s", dir);
		log_msg(LOG_INFO, "cairn.layer %s: verified squashfs, root hash %.16s...", l[i].name, l[i].v.roothash);
	}
	/* Never a name from this frame's buffers past its end. */
	*what = "cairn.layer";
	return 0;
}

/*
 * The verified root mounted on NEWROOT with what lies over and under it:
 * the initramfs's extra files above, the image's own files next (a layer
 * adds files, never replaces one of the image's), then the layers in the
 * command line's order.  Read-only, with no upper layer.
 */
static int mount_root(const struct ramroot *r, const struct ramlayer *l, int nl, const char **what)
{
	char opts[64 + RAMROOT_LAYERS_MAX * (sizeof LOWER + RAMROOT_NAME_MAX + 2)];
	int rc;

	rc = verity_mount(RAMROOT_IMAGE, r, DM_NAME, ROOTDEV, LOWER, what);
	if (rc < 0)
		return rc;
	*what = NEWROOT;
	if (mkdir(NEWROOT, 0755) < 0)
		return -errno;
	snprintf(opts, sizeof opts, "lowerdir=%s" LOWER, has_entries(RAMROOT_EXTRA) ? RAMROOT_EXTRA ":" : "");
	rc = layers_mount(l, nl, opts, sizeof opts, what);
	if (rc < 0)
		return rc;
	*what = "mount";
	if (strcmp(opts, "lowerdir=" LOWER) == 0)
		return mount(LOWER, NEWROOT, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
	*what = "the overlay";
	if (mount("cairn-root", NEWROOT, "overlay", MS_RDONLY, opts) < 0)
		return -errno;
	if (has_entries(RAMROOT_EXTRA))
		log_msg(LOG_NOTICE, "cairn.root: the initramfs's " RAMROOT_EXTRA " lies over the verified root");
	return 0;
}

static int switch_root(char *const argv[]) __attribute__((noinline));

/*
 * ramroot_switch: when this is PID 1 on an initramfs that carries
 * RAMROOT_IMAGE, make that image "/" with the root hash of the command
 * line's cairn.root= and exec the root's /sbin/initd (or init=) with
 * ARGV.  Returns 0 at once where there is no such image (a disk's root;
 * the root's own initd after the switch), and -errno when it fails, said
 * on the console, RAMROOT_RETRY_S later: there is no root to go on with.  An image without cairn.root= is such a
 * failure: an unverified root is never booted.  The early mounts it needs
 * are gone again before the exec, so the root's initd starts as the
 * kernel's would.
 */
int ramroot_switch(char *const argv[])
{
	struct statfs sf;

	if (statfs("/", &sf) < 0 || (sf.f_type != RAMFS_MAGIC && sf.f_type != TMPFS_MAGIC) ||
	    access(RAMROOT_IMAGE, F_OK) < 0)
		return 0;
	return switch_root(argv);
}

/* The switch itself, its buffers on a stack frame of its own: the root's
 * initd, which only checks, never touches their pages. */
static int switch_root(char *const argv[])
{
	char cmdline[CMDLINE_MAX], value[300], init[256] = "/sbin/initd";
	struct ramlayer layers[RAMROOT_LAYERS_MAX];
	struct ramroot r;
	const char *what = "early mounts";
	int rc, nl;

	mkdir("/proc", 0555);
	mkdir("/dev", 0755);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0) {
		rc = -errno;
	} else if ((rc = cmdline_read("/proc/cmdline", cmdline, sizeof cmdline)) < 0) {
		what = "/proc/cmdline";
	} else if (ramroot_param(cmdline, value, sizeof value) < 0 || ramroot_parse(value, &r) < 0) {
		log_msg(LOG_ERR, "cairn.root: missing, given twice, or not verity:BLOCKS:ROOTHASH:SALT: "
			"not booting " RAMROOT_IMAGE " unverified");
		rc = -EINVAL;
		what = "cairn.root";
	} else if ((nl = ramroot_layers(cmdline, layers, RAMROOT_LAYERS_MAX)) < 0) {
		log_msg(LOG_ERR, "cairn.layer: more than %d, a name given twice, or not NAME:verity:BLOCKS:ROOTHASH:SALT",
			RAMROOT_LAYERS_MAX);
		rc = -EINVAL;
		what = "cairn.layer";
	} else {
		rc = mount_root(&r, layers, nl, &what);
		/* init= names the root's init, as for a root the kernel mounts. */
		if (cmdline_get(cmdline, "init", init, sizeof init) < 0 || init[0] != '/')
			strcpy(init, "/sbin/initd");
	}
	umount2("/proc", MNT_DETACH);
	umount2("/dev", MNT_DETACH);
	if (rc == 0 && (chdir(NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
			chdir("/") < 0)) {
		rc = -errno;
		what = "switching to it";
	}
	if (rc == 0) {
		log_msg(LOG_INFO, "cairn.root: verified squashfs, root hash %.16s...", r.roothash);
		execv(init, argv);
		rc = -errno;
		what = init;
	}
	log_msg(LOG_ERR, "cairn.root: %s: %s: no root to boot", what, strerror(-rc));
	/* Not at once: a rack whose boot files are wrong does not storm the
	 * boot server, and the console keeps the reason long enough to read. */
	log_msg(LOG_ERR, "cairn.root: restarting in %d s", RAMROOT_RETRY_S);
	sleep(RAMROOT_RETRY_S);
	return rc;
}
