/* txn_stage.c: a transaction's new directories made, its new files written under staged names. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"
#include "fsroot.h"
#include "payload.h"
#include "txn_int.h"
#include "fileio.h"

static int set_owner(int dfd, const char *name, const struct pkg_file *f, int fd)
{
	static int euid = -1;

	if (euid == -1)
		euid = (int)geteuid();
	if (euid != 0)
		return 0;	/* a build as a user: owners are set when the image is packed */
	if (fd >= 0) {
		struct stat st;

		/* A new file is already ours: chown only where it must change
		 * (a package's other owner, a setgid directory's group). */
		if (fstat(fd, &st) == 0 && st.st_uid == f->uid && st.st_gid == f->gid)
			return 0;
		return fchown(fd, f->uid, f->gid) < 0 ? -errno : 0;
	}
	return fchownat(dfd, name, f->uid, f->gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* One regular file, file fi of package pk, from the feed into dfd/name;
 * the feed checked it against its hash. */
static int extract(struct feed *fd, const struct txn_pkg *tp, size_t pk, size_t fi, int dfd, const char *name,
		   struct perr *e)
{
	const struct pkg_file *f = &tp->m.files[fi];
	struct feed_piece p = { NULL, 0, 0, 0, 0, 0 };
	int out, rc = 0;

	if (txn_fault() < 0)
		return perr(e, -errno, "/%s: %s", f->path, strerror(errno));
	/* Made with its permission bits (the umask is 0 while a transaction
	 * runs): a chmod is needed only for setuid and setgid, which must
	 * follow the chown that would clear them. */
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f->mode & 0777);
	if (out < 0)
		return perr(e, -errno, "/%s: %s", f->path, strerror(errno));
	while (rc == 0 && !p.end) {
		rc = feed_get(fd, pk, fi, &p);
		if (rc < 0) {
			perr(e, rc, "/%s: the payload's reader lost its place: %s", f->path, strerror(-rc));
			break;
		}
		if (p.rc < 0) {
			rc = p.pkgerr ? perr(e, p.rc, "%s: %s", tp->m.name, strerror(-p.rc)) :
					perr(e, p.rc, "/%s: %s", f->path, payload_why(p.rc));
			break;
		}
		if (p.len > 0 && (txn_fault() < 0 || file_write_all(out, p.data, p.len) < 0))
			rc = perr(e, -errno, "/%s: %s", f->path, strerror(errno));
	}
	if (rc == 0 && p.bad)
		rc = perr(e, -EINVAL, "/%s: contents do not match the sha256 in the package's metadata "
			  "(tampered payload): refused", f->path);
	if (rc == 0 && (rc = set_owner(dfd, name, f, out)) < 0)
		perr(e, rc, "/%s: chown: %s", f->path, strerror(-rc));
	if (rc == 0 && (f->mode & 06000) && fchmod(out, f->mode) < 0)
		rc = perr(e, -errno, "/%s: chmod: %s", f->path, strerror(errno));
	close(out);
	return rc;
}

/* Package pk's files, each under the staged name of its plan entry. */
int txn_stage_pkg(struct txn *t, const struct plan *pl, size_t pk, struct feed *fd, struct dircache *dc,
		  struct perr *e)
{
	struct txn_pkg *p = &t->add[pk];
	char staged[64], tstaged[64];
	size_t i, at = 0;
	int rc = 0;

	/* Plan entries of this package, in its own (sorted) order. */
	for (i = 0; i < p->m.nfiles && rc == 0; i++) {
		const struct pkg_file *f = &p->m.files[i];
		const struct entry *en = NULL;
		const char *leaf;
		int dfd;

		if (f->type == PKG_DIR)
			continue;
		/* The plan is in path order, and so are this package's files. */
		while (at < pl->n && pl->v[at].nf != f)
			at++;
		if (at == pl->n)
			return perr(e, -EINVAL, "/%s: not in the plan", f->path);
		en = &pl->v[at];
		dfd = txn_dir_of(t->rootfd, dc, en->path, &leaf);
		if (dfd < 0) {
			rc = perr(e, dfd, "/%s: %s", en->path, strerror(-dfd));
			break;
		}
		txn_staged_name(staged, sizeof staged, pl->txn, at);
		switch (f->type) {
		case PKG_FILE:
			rc = extract(fd, p, pk, i, dfd, staged, e);
			t->bytes += f->size;
			break;
		case PKG_SYMLINK:
			if (txn_fault() < 0 || symlinkat(f->target, dfd, staged) < 0)
				rc = perr(e, -errno, "/%s: %s", f->path, strerror(errno));
			else if ((rc = set_owner(dfd, staged, f, -1)) < 0)
				perr(e, rc, "/%s: chown: %s", f->path, strerror(-rc));
			break;
		case PKG_HARDLINK: {
			size_t ti;
			const char *tleaf;
			int tfd;

			for (ti = 0; ti < pl->n && (pl->v[ti].nf == NULL || pl->v[ti].pkg != pk ||
						    strcmp(pl->v[ti].nf->path, f->target) != 0); ti++)
				;
			if (ti == pl->n) {
				rc = perr(e, -EINVAL, "/%s: its link target is not being installed", f->path);
				break;
			}
			txn_staged_name(tstaged, sizeof tstaged, pl->txn, ti);
			tfd = fsroot_parent(t->rootfd, pl->v[ti].path, &tleaf);
			if (tfd < 0 || txn_fault() < 0 || linkat(tfd, tstaged, dfd, staged, 0) < 0)
				rc = perr(e, tfd < 0 ? tfd : -errno, "/%s: %s", f->path,
					  strerror(tfd < 0 ? -tfd : errno));
			if (tfd >= 0)
				close(tfd);
			break;
		}
		case PKG_DIR:
			break;
		}
		t->files++;
	}
	if (rc == 0 && (rc = feed_pkg_end(fd, pk)) < 0)
		perr(e, rc, "%s: %s", p->m.name, payload_why(rc));
	return rc;
}

/*
 * A new directory's owner and mode, set through the directory itself:
 * whoever owns its parent can swap a symlink (or a directory of theirs)
 * in under its name once it is made, and a chmod by name would follow it.
 * -EXDEV when what the name holds now is not the directory made.
 */
static int dir_own(int dfd, const char *leaf, const struct pkg_file *f)
{
	struct stat st;
	int fd, rc;

	fd = openat(dfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR ? -EXDEV : -errno;
	/* Made a moment ago, it is ours; not so, it is not the one made. */
	rc = fstat(fd, &st) < 0 ? -errno : st.st_uid != geteuid() ? -EXDEV : set_owner(dfd, leaf, f, fd);
	if (rc == 0 && fchmod(fd, f->mode) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The plan's new directories, made in place: they are in the journal, so
 * a rollback removes them. */
int txn_make_dirs(struct txn *t, const struct plan *pl, struct perr *e)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct entry *en = &pl->v[i];
		const char *leaf;
		int dfd, rc = 0;

		if (en->op != OP_DIR)
			continue;
		dfd = fsroot_parent(t->rootfd, en->path, &leaf);
		if (dfd < 0)
			return perr(e, dfd, "/%s: %s", en->path, strerror(-dfd));
		if (txn_fault() < 0 || mkdirat(dfd, leaf, 0700) < 0)
			rc = -errno;
		else
			rc = dir_own(dfd, leaf, en->nf);
		close(dfd);
		if (rc == -EXDEV)
			return perr(e, rc, "/%s: replaced by another file (a link, or someone's directory) as it "
				    "was made: refused", en->path);
		if (rc < 0)
			return perr(e, rc, "/%s: %s", en->path, strerror(-rc));
	}
	return 0;
}
