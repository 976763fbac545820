/* elfso.c: the soname of a shared library of this machine's ABI, read
 * from a file a container image brings: every offset, count and size in
 * the ELF headers is checked against the file before it is used. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfso.h"

#if defined(__x86_64__)
#define ELFSO_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define ELFSO_MACHINE EM_AARCH64
#else
#error "elfso: unknown machine"
#endif

#define PHNUM_MAX 256
#define DYN_MAX 4096		/* entries of PT_DYNAMIC read; real ones have ~40 */

static int read_at(int fd, void *buf, size_t len, uint64_t off, uint64_t size)
{
	ssize_t r;
	size_t got = 0;

	if (off > size || len > size - off)
		return -EINVAL;
	while (got < len) {
		r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EINVAL;	/* shorter than fstat said: it changed */
		got += (size_t)r;
	}
	return 0;
}

/* file_offset: where virtual address VADDR lies in the file, through the
 * PT_LOAD segment that holds it. */
static int file_offset(const Elf64_Phdr *ph, size_t n, uint64_t vaddr, uint64_t *off)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
		    vaddr - ph[i].p_vaddr >= ph[i].p_filesz)
			continue;
		if (ph[i].p_offset > UINT64_MAX - (vaddr - ph[i].p_vaddr))
			return -EINVAL;
		*off = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
		return 0;
	}
	return -EINVAL;
}

/* elfso_read: FD's soname into SONAME (empty when it names none).
 * -ENOEXEC: not a shared library of this machine's ABI; -EINVAL: an ELF
 * file whose headers do not hold together. */
int elfso_read(int fd, char soname[ELFSO_NAME_MAX + 1])
{
	static Elf64_Phdr ph[PHNUM_MAX];
	static Elf64_Dyn dyn[DYN_MAX];
	Elf64_Ehdr eh;
	struct stat st;
	uint64_t size, strtab = 0, name = 0, off;
	size_t i, n, ndyn = 0;
	int have_strtab = 0, have_name = 0, rc;

	soname[0] = '\0';
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	size = (uint64_t)st.st_size;
	if (size < sizeof(eh) || read_at(fd, &eh, sizeof(eh), 0, size) < 0)
		return -ENOEXEC;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB) ||
	    eh.e_machine != ELFSO_MACHINE || eh.e_type != ET_DYN)
		return -ENOEXEC;
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > PHNUM_MAX)
		return -EINVAL;
	n = eh.e_phnum;
	rc = read_at(fd, ph, n * sizeof(ph[0]), eh.e_phoff, size);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			break;
	if (i == n)
		return -ENOEXEC;	/* static: nothing the loader would map */
	ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
	if (ndyn == 0)
		return -EINVAL;
	if (ndyn > DYN_MAX)
		ndyn = DYN_MAX;
	rc = read_at(fd, dyn, ndyn * sizeof(dyn[0]), ph[i].p_offset, size);
	if (rc < 0)
		return rc;
	for (i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB) {
			strtab = dyn[i].d_un.d_ptr;
			have_strtab = 1;
		} else if (dyn[i].d_tag == DT_SONAME) {
			name = dyn[i].d_un.d_val;
			have_name = 1;
		}
	}
	if (!have_name)
		return 0;
	if (!have_strtab || file_offset(ph, n, strtab, &off) < 0 || name > size || off > size - name)
		return -EINVAL;
	off += name;
	n = size - off < ELFSO_NAME_MAX + 1 ? (size_t)(size - off) : ELFSO_NAME_MAX + 1;
	rc = read_at(fd, soname, n, off, size);
	if (rc < 0 || memchr(soname, '\0', n) == NULL) {
		soname[0] = '\0';
		return -EINVAL;
	}
	/* A soname is a file name the loader looks up: no folders in it. */
	if (soname[0] == '\0' || strchr(soname, '/') != NULL) {
		soname[0] = '\0';
		return -EINVAL;
	}
	return 0;
}
