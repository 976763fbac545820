/* mountlist.c: mount points from /proc/self/mounts, for unmounting. */
#include <string.h>

#include "mountlist.h"

/* Undo the octal escapes (\040 for a space) the kernel writes in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/*
 * mountlist_parse: split a mounts file held in buf (modified in place) and
 * store mount points in targets in the file's order (mount order).  When
 * there are more than max, the newest max are kept: they are the ones to
 * unmount first.  Lines without a second field are skipped.  Returns the
 * count stored.
 */
int mountlist_parse(char *buf, char *targets[], int max)
{
	char *line = buf, *next, *first;
	int n = 0, i, start;

	if (max <= 0)
		return 0;
	for (; line != NULL && *line != '\0'; line = next) {
		char *target, *end;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		target = strchr(line, ' ');
		if (target == NULL)
			continue;
		target++;
		end = strchr(target, ' ');
		if (end == NULL || end == target)
			continue;
		*end = '\0';
		unescape(target);
		targets[n++ % max] = target;
	}
	if (n <= max)
		return n;
	/* rotate the ring so the oldest kept entry comes first */
	start = n % max;
	for (i = 0; i < start; i++) {
		int j;

		first = targets[0];
		for (j = 0; j < max - 1; j++)
			targets[j] = targets[j + 1];
		targets[max - 1] = first;
	}
	return max;
}
