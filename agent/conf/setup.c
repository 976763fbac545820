/*
 * setup.c: `cairn-agent setup`, the first thing the agent does at boot:
 * put the clock no earlier than the image's build, find the node config
 * (confsrc.c), check it whole, and only then write it where the rest of
 * the node reads it (/run/cairn/node.conf, root only), with its secrets
 * in root-only files of their own and the host name it gives.  A config
 * that is named but cannot be had, or does not check, stops here with a
 * message and nothing written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "conf/clock.h"
#include "cmdline.h"
#include "conf/confsrc.h"
#include "fetch.h"
#include "fileio.h"
#include "conf/medium.h"
#include "conf/nodeconf.h"
#include "runcap.h"
#include "conf/setup.h"

/* Each try's bound on connecting: half what is left of --wait, 1 to 10 s. */
static int try_seconds;
/* The clock read earlier than the build: only "no earlier than" is known. */
static int time_unsure;

/* An https:// config through OpenSSL (lib/fetch.c), never checked against
 * a clock older than the image. */
static int https_get(const char *url, const char *ca, size_t max, char **text, size_t *len, struct perr *e)
{
	struct perr why;
	int rc;

	rc = fetch_url(url, ca, CAIRN_BUILD_EPOCH, time_unsure, try_seconds, max, text, len, &why);
	if (rc < 0)
		perr(e, rc, "cairn.config=%s: %s", url, why.msg);
	return rc;
}

/* The EFI variables, read-only: where they are mounted already, there;
 * else (the firmware is EFI) a mount of setup's own beside /run, so
 * that its unmount never takes away a mount someone else made on the
 * usual place meanwhile.  Returns the directory, or NULL; *MINE is 1
 * when it is setup's own mount, for efivars_done. */
#define SETUP_EFIVARS "/run/cairn/efivars.setup"
static const char *efivars_mount(int *mine)
{
	*mine = 0;
	if (access(MEDIUM_EFIVARS "/" MEDIUM_LOADER_VAR, F_OK) == 0)
		return MEDIUM_EFIVARS;
	if (access("/sys/firmware/efi", F_OK) < 0)
		return NULL;
	mkdir("/run/cairn", 0755);
	if ((mkdir(SETUP_EFIVARS, 0700) < 0 && errno != EEXIST) ||
	    mount("efivarfs", SETUP_EFIVARS, "efivarfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return MEDIUM_EFIVARS;	/* read what is there: nothing, said below */
	*mine = 1;
	return SETUP_EFIVARS;
}

static void efivars_done(int mine)
{
	if (mine) {
		umount(SETUP_EFIVARS);
		rmdir(SETUP_EFIVARS);
	}
}

/*
 * Every file system labelled CAIRNCFG (BusyBox blkid), the node's own
 * first (medium.c), each said.  Returns how many are in m.
 */
static int media_find(struct medium *m, int pinned, FILE *out)
{
	char prog[] = "blkid", *argv[] = { prog, NULL }, *text;
	struct medium_boot b;
	struct medium t;
	const char *efivars;
	size_t len;
	int n, i, j, efi, rc;

	if (run_capture(argv, 1 << 16, 10, &text, &len) < 0)
		return 0;
	n = medium_list(text, CONFSRC_LABEL, m, MEDIUM_MAX);
	free(text);
	if (n == 0)
		return 0;
	efivars = efivars_mount(&efi);
	rc = medium_boot_read("/sys", "/dev", efivars != NULL ? efivars : MEDIUM_EFIVARS, "/", &b);
	efivars_done(efi);
	if (rc < 0)
		fprintf(out, "setup: %s/%s: %s\n", MEDIUM_EFIVARS, MEDIUM_LOADER_VAR, strerror(-rc));
	if (b.note[0] != '\0')
		fprintf(out, "setup: %s\n", b.note);
	for (i = 0; i < n; i++) {
		medium_judge("/sys", &b, &m[i]);
		fprintf(out, "setup: /dev/%s (LABEL=%s): %s: %s\n", m[i].name, CONFSRC_LABEL, m[i].why,
			m[i].own ? "the node's own" : pinned ? "looked at for cairn.config.sha256" :
			"ignored (cairn.config.sha256= on the command line would admit its node.conf)");
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && m[j].own && !m[j - 1].own; j--) {
			t = m[j];
			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	return n;
}

/* Mount it read-only, trying the file systems a config medium has. */
static int mount_medium(const char *dev, const char *dir)
{
	static const char *const types[] = { "vfat", "ext4", "iso9660", NULL };
	int i, rc = -ENODEV;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	for (i = 0; types[i] != NULL; i++) {
		if (mount(dev, dir, types[i], MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
			return 0;
		/* Mounted read-write already (a disk's ESP, by pkg os-update or
		 * the agent's os check): the same file system, this mount of it
		 * made read-only. */
		if (errno == EBUSY && mount(dev, dir, types[i], MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
			if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  NULL) == 0)
				return 0;
			rc = -errno;
			umount(dir);
			return rc;
		}
		if (errno != EINVAL && errno != ENODEV)
			rc = -errno;
	}
	return rc;
}

static int write_secret(const char *dir, const char *name, const void *data, size_t len, struct perr *e)
{
	char path[512];
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	if (chmod(dir, 0700) < 0)
		return perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/%s", dir, name);
	rc = file_write_atomic(path, data, len, 0400);
	return rc < 0 ? perr(e, -EINVAL, "%s: %s", path, strerror(-rc)) : 0;
}

/* The config's secrets, each alone in a root-only file under out/secrets. */
static int secrets(const struct setup_opts *o, const struct nodeconf *c, struct perr *e)
{
	char dir[400], *key = NULL;
	size_t len = 0;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/secrets", o->out);
	if (c->munge_key_len > 0) {
		rc = write_secret(dir, "munge.key", c->munge_key, c->munge_key_len, e);
	} else if (c->munge_key_file[0] != '\0') {
		char path[NC_PATH + 256];

		snprintf(path, sizeof path, "%s%s", o->root, c->munge_key_file);
		rc = file_read_alloc(path, NC_SECRET_MAX, &key, &len);
		if (rc < 0)
			return perr(e, -EINVAL, "[slurm] munge-key-file %s: %s", c->munge_key_file,
				    rc == -EFBIG ? "longer than a MUNGE key may be" : strerror(-rc));
		if (len < 32)
			rc = perr(e, -EINVAL, "[slurm] munge-key-file %s: %zu bytes; a MUNGE key has "
				  "32 to %d (not shown)", c->munge_key_file, len, NC_SECRET_MAX);
		else
			rc = write_secret(dir, "munge.key", key, len, e);
		OPENSSL_cleanse(key, len);
		free(key);
	}
	if (rc == 0 && c->kube_token[0] != '\0')
		rc = write_secret(dir, "kube-token", c->kube_token, strlen(c->kube_token), e);
	return rc;
}

/* out/profile/NAME, the one file there: what initd's `condition =` of a
 * profile's services looks for (rootfs/etc/initd: munged, slurmd, kubelet). */
static int profile_mark(const char *out, enum nc_profile profile, struct perr *e)
{
	static const enum nc_profile all[] = { NC_STANDALONE, NC_SLURM, NC_KUBERNETES };
	char dir[400], path[500];
	size_t i;
	int rc;

	snprintf(dir, sizeof dir, "%s/profile", out);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, nodeconf_profile_name(all[i]));
		if (all[i] != profile && unlink(path) < 0 && errno != ENOENT)
			return perr(e, -EINVAL, "%s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof path, "%s/%s", dir, nodeconf_profile_name(profile));
	rc = file_write_atomic(path, "", 0, 0644);
	return rc < 0 ? perr(e, -EINVAL, "%s: %s", path, strerror(-rc)) : 0;
}

static long long now_real(void)
{
	return (long long)time(NULL);
}

/* Seconds on a clock setting the time does not move. */
static long long now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* out/install, holding cairn.install's value (a disk, or none: the one
 * blank disk), when the command line has it: the installer image's boot
 * (rootfs/etc/initd/install's condition); gone otherwise. */
static int install_mark(const char *out, const char *cmdline, struct perr *e)
{
	char path[400], value[128], text[130];
	int rc, n;

	snprintf(path, sizeof path, "%s/install", out);
	if (!cmdline_has(cmdline, "cairn.install"))
		return unlink(path) < 0 && errno != ENOENT ? perr(e, -EINVAL, "%s: %s", path, strerror(errno)) : 0;
	if (cmdline_get(cmdline, "cairn.install", value, sizeof value) < 0)
		value[0] = '\0';
	n = snprintf(text, sizeof text, "%s\n", value);
	rc = file_write_atomic(path, text, (size_t)n, 0644);
	return rc < 0 ? perr(e, -EINVAL, "%s: %s", path, strerror(-rc)) : 0;
}

/* out/cdi-devices-env, there only while the config says [gpu]
 * cdi-devices-env = yes: cairn-runtime(8) takes a container's CDI_DEVICES
 * as a device request only then, and a container cannot write here. */
static int cdi_env_mark(const char *out, int on, struct perr *e)
{
	char path[400];
	int rc;

	snprintf(path, sizeof path, "%s/%s", out, SETUP_CDI_ENV_MARK);
	if (!on)
		return unlink(path) < 0 && errno != ENOENT ? perr(e, -EINVAL, "%s: %s", path, strerror(errno)) : 0;
	rc = file_write_atomic(path, "", 0, 0644);
	return rc < 0 ? perr(e, -EINVAL, "%s: %s", path, strerror(-rc)) : 0;
}

/* Step 1: the clock no earlier than the build.  It is unsure from the
 * time it is found behind the build until NTP has set it: a run that
 * restarts after the first one moved it up must know, and health how
 * long it has been (the mark under out/, with the boot clock's time). */
static void setup_clock(const struct setup_opts *o, FILE *out)
{
	char path[400], msg[256];
	int rc;

	snprintf(path, sizeof path, "%s/%s", o->out, SETUP_CLOCK_MARK);
	rc = clock_floor(now_real(), CAIRN_BUILD_EPOCH, clock_set_real, msg, sizeof msg);
	if (rc != 0) {
		int mrc = clock_mark(path, clock_boottime());

		fprintf(out, "setup: %s\n", msg);
		if (mrc < 0)
			fprintf(out, "setup: %s: %s\n", path, strerror(-mrc));
	}
	time_unsure = rc != 0 || clock_unsure(path);
}

/* The config media: --medium's, or those found, mounted under out/ (which
 * of found each is: from). */
struct setup_media {
	struct confsrc_medium m[MEDIUM_MAX];
	int n;
	struct medium found[MEDIUM_MAX];
	int from[MEDIUM_MAX];
};

/* Step 2: the media mounted.  Another's medium is mounted only for a pin:
 * never otherwise, so a stranger's file system is not even read.  The
 * node's own that does not mount stops setup (e set); what it mounted
 * so far is in sm for media_unmount. */
static int media_mount(const struct setup_opts *o, const char *cmdline, struct setup_media *sm, FILE *out,
		       struct perr *e)
{
	static char dirs[MEDIUM_MAX][400];
	int pinned = cmdline_has(cmdline, "cairn.config.sha256") && !cmdline_has(cmdline, "cairn.config");
	int rc, i, nfound = 0;
	char dev[80];

	sm->n = 0;
	if (o->medium_dir != NULL) {
		sm->m[sm->n++] = (struct confsrc_medium){ o->medium_dir, 1 };
	} else if (o->find_medium) {
		nfound = media_find(sm->found, pinned, out);
	}
	for (i = 0; i < nfound; i++) {
		if (!sm->found[i].own && !pinned)
			continue;
		snprintf(dirs[i], sizeof dirs[i], "%s/medium%d", o->out, i);
		snprintf(dev, sizeof dev, "/dev/%.63s", sm->found[i].name);
		rc = mount_medium(dev, dirs[i]);
		if (rc < 0 && sm->found[i].own) {
			perr(e, -EINVAL, "%s (LABEL=%s): cannot mount: %s", dev, CONFSRC_LABEL, strerror(-rc));
			return rc;
		}
		if (rc < 0) {
			fprintf(out, "setup: %s (LABEL=%s): cannot mount: %s\n", dev, CONFSRC_LABEL, strerror(-rc));
			continue;
		}
		sm->from[sm->n] = i;
		sm->m[sm->n++] = (struct confsrc_medium){ dirs[i], sm->found[i].own };
	}
	return 0;
}

static void media_unmount(const struct setup_opts *o, const struct setup_media *sm)
{
	int i;

	for (i = 0; i < sm->n; i++)
		if (sm->m[i].dir != o->medium_dir && umount(sm->m[i].dir) == 0)
			rmdir(sm->m[i].dir);
}

/* Step 3: the config found.  A URL may be out of reach while the network
 * comes up, or not yet published: try again until `until`.  What it
 * served and was refused (-EINVAL) is not tried again. */
static int config_find(const struct confsrc *src, long long until, struct conf_found *f, FILE *out, struct perr *e)
{
	int rc, tries;

	for (tries = 1;; tries++) {
		long long left = until - now_mono();

		try_seconds = left < 2 ? 1 : left > 20 ? 10 : (int)(left / 2);
		rc = confsrc_find(src, f, e);
		if (rc == 0 || rc == -EINVAL || strncmp(e->msg, "cairn.config=https://", 21) != 0 ||
		    now_mono() >= until)
			return rc;
		fprintf(out, "setup: %s (try %d; again in %d s)\n", e->msg, tries, tries < 5 ? tries : 5);
		fflush(out);
		sleep(tries < 5 ? (unsigned)tries : 5);
	}
}

/* Step 4: the config checked whole and written.  The secrets first, the
 * config last: the config is what the rest of the node reads, and it
 * appears only once all of it is in place; then where it came from and
 * the marks initd's conditions and cairn-runtime look for.  f is freed. */
static int config_write(const struct setup_opts *o, struct nodeconf *c, struct conf_found *f,
			const char *cmdline, FILE *out, struct perr *e)
{
	char path[400], msg[256];
	int rc;

	rc = nodeconf_parse(c, f->where[0] ? f->where : "(defaults)", f->text, f->len, e->msg, sizeof e->msg);
	if (rc == 0)
		rc = secrets(o, c, e);
	if (rc == 0) {
		snprintf(path, sizeof path, "%s/node.conf", o->out);
		rc = file_write_atomic(path, f->text, f->len, 0600);
		if (rc < 0)
			perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
	}
	confsrc_free(f);
	if (rc == 0) {
		int n = snprintf(msg, sizeof msg, "%s %s\n", confsrc_origin_name(f->origin),
				 f->where[0] ? f->where : "-");

		snprintf(path, sizeof path, "%s/node.conf.origin", o->out);
		rc = file_write_atomic(path, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, 0644);
		if (rc < 0)
			perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
	}
	if (rc == 0)
		rc = profile_mark(o->out, c->profile, e);
	if (rc == 0)
		rc = install_mark(o->out, cmdline, e);
	if (rc == 0)
		rc = cdi_env_mark(o->out, c->cdi_env, e);
	if (rc == 0 && c->cdi_env)
		fprintf(out, "setup: [gpu] cdi-devices-env: a container's CDI_DEVICES is a device request "
			"(cairn-runtime(8))\n");
	return rc;
}

/* Step 5: the host name.  The command line's cairn.hostname (initd set
 * it) beats the config's. */
static int host_name(const struct nodeconf *c, const char *cmdline, FILE *out, struct perr *e)
{
	char host[64];

	if (c->hostname[0] == '\0' || cmdline_get(cmdline, "cairn.hostname", host, sizeof host) != -ENOENT)
		return 0;
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		return perr(e, -EINVAL, "sethostname %s: %s", c->hostname, strerror(errno));
	fprintf(out, "setup: host name %s\n", c->hostname);
	return 0;
}

/*
 * setup_run: everything above, said line by line on out.  Returns 0, or
 * -errno with e set and nothing of the config written.
 */
int setup_run(const struct setup_opts *o, FILE *out, struct perr *e)
{
	static struct nodeconf c;
	struct confsrc src = { .root = o->root, .fetch = https_get };
	struct setup_media sm;
	struct conf_found f;
	char cmdline[CMDLINE_MAX];
	long long until;
	int rc;

	if (mkdir(o->out, 0755) < 0 && errno != EEXIST)
		return perr(e, -EINVAL, "%s: %s", o->out, strerror(errno));
	if (o->set_clock)
		setup_clock(o, out);
	until = now_mono() + o->wait_s;
	rc = cmdline_read(o->cmdline, cmdline, sizeof cmdline);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: %s", o->cmdline, strerror(-rc));
	src.cmdline = cmdline;
	rc = media_mount(o, cmdline, &sm, out, e);
	src.media = sm.m;
	src.nmedia = sm.n;
	if (rc == 0)
		rc = config_find(&src, until, &f, out, e);
	if (rc == 0 && f.origin == CONF_MEDIUM && o->medium_dir == NULL)
		fprintf(out, "setup: node.conf from /dev/%s\n", sm.found[sm.from[f.medium]].name);
	media_unmount(o, &sm);
	if (rc < 0)
		return rc;
	rc = config_write(o, &c, &f, cmdline, out, e);
	if (rc == 0 && o->set_hostname)
		rc = host_name(&c, cmdline, out, e);
	if (rc == 0)
		fprintf(out, "setup: config from %s%s%s: profile %s, %d interface%s\n",
			confsrc_origin_name(f.origin), f.where[0] ? " " : "", f.where,
			nodeconf_profile_name(c.profile), c.nnet, c.nnet == 1 ? "" : "s");
	OPENSSL_cleanse(&c, sizeof c);
	return rc;
}
