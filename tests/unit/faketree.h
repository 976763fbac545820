/* faketree.h: the unit tests' fake /proc, /sys and /dev trees under a
 * temporary root. */
#ifndef CAIRN_FAKETREE_H
#define CAIRN_FAKETREE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tree_new: a fresh temporary root for NAME into ROOT (at least 64
 * bytes); the test stops when none can be made. */
static inline void tree_new(char *root, size_t size, const char *name)
{
	snprintf(root, size, "/tmp/%s.XXXXXX", name);	/* mkdtemp's template */
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

/* tree_parents: the directories above ROOT/REL made. */
static inline void tree_parents(const char *root, const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

/* tree_put: ROOT/REL holding TEXT, its parent directories made. */
static inline void tree_put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	tree_parents(root, rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* tree_link: ROOT/REL a symbolic link to TARGET, its parent directories
 * made; 0 or -1. */
static inline int tree_link(const char *root, const char *target, const char *rel)
{
	char path[512];

	tree_parents(root, rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return symlink(target, path);
}

#endif
