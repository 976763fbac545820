# Cairn: the one entry point.  `make help` lists the targets and options.
#
#   make run    build the default board and boot it in QEMU on this terminal
#   make test   every test: unit (ASan+UBSan), fuzz smoke, build, QEMU boot

BOARD    ?= qemu-x86_64
O        ?= out
JOBS     ?= $(shell nproc)
V        ?= 0
CAIRN_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/cairn
DL_DIR   ?= $(CAIRN_CACHE)/dl
KEYS_DIR ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/cairn/keys
CCACHE   ?= $(if $(shell command -v ccache),ccache)
CCACHE_DIR ?= $(CAIRN_CACHE)/ccache
FUZZ_RUNS ?= 200000
BENCH_N  ?= 5
NODE_CONFIG ?=
export CAIRN_CACHE DL_DIR KEYS_DIR CCACHE_DIR JOBS
# ccache keys name paths relative to the checkout, so a second checkout
# (CI's fresh clone) hits what the first one cached; no debug info is kept,
# so the build directory need not be part of the key either.
CCACHE_BASEDIR ?= $(CURDIR)
CCACHE_NOHASHDIR ?= 1
export CCACHE_BASEDIR CCACHE_NOHASHDIR

BOARDS := $(notdir $(wildcard board/*))
ifeq ($(filter $(BOARD),$(BOARDS)),)
$(error unknown BOARD '$(BOARD)': boards are $(BOARDS))
endif
include board/$(BOARD)/board.mk

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

TOP  := $(CURDIR)
B    := $(abspath $(O))/build
OUT  := $(abspath $(O))/$(BOARD)
HB   := $(B)/host
SYSROOT := $(B)/sysroot
# Build steps must not see the user's time zone or locale (BusyBox prints
# its build time in local time; sort orders follow the locale).
export TZ := UTC
export LC_ALL := C
export SOURCE_DATE_EPOCH := $(shell sed -n 's/^epoch[[:space:]]*\([0-9]*\).*/\1/p' sources.lock)
CAIRN_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

.DELETE_ON_ERROR:
.SUFFIXES:
.PHONY: all image run test test-full unit fuzz fuzz-smoke build-tests vm-tests \
	host-pkg agent disk bundle netboot bench-netboot bench-update gpu-kit gpu-test fetch lock-update source-bundle repro-check bench-boot bench-init bench-runtime bench-agent bench-pkg keys hostdeps \
	lint clean distclean help FORCE

all: image
FORCE:

help:
	@echo 'Cairn: a minimal, hardened OS for GPU servers.'
	@echo
	@echo 'Targets:'
	@echo '  run            build BOARD and boot it in QEMU on this terminal (Ctrl-a x quits)'
	@echo '  test           every test: unit (ASan+UBSan), fuzz smoke, build, QEMU boot'
	@echo '  test-full      test, then the server-x86_64 board build and its checks'
	@echo '  image (all)    build BOARD into O/BOARD: vmlinuz initramfs.cpio.zst kernel.config cmdline SHA256SUMS netboot/'
	@echo '  netboot        O/BOARD/netboot: kernel, initramfs, iPXE script, guide (doc/netboot.md)'
	@echo '  bundle         O/BOARD/cairn-BOARD.bundle (air-gapped: signed repo, OS, netboot set)'
	@echo '                 and O/BOARD/installer.img, the stick that installs it (doc/install.md)'
	@echo '  fetch          fill DL_DIR with every input sources.lock pins'
	@echo '  lock-update    pin what Debian'"'"'s archive has now (commit sources.lock after)'
	@echo '  source-bundle  one tarball of DL_DIR: builds this image with no network'
	@echo '  repro-check    build twice (other dir, time, umask, TZ, no ccache) and compare'
	@echo '  bench-boot     boot BENCH_N times: median time to "cairn: boot ok", artifact sizes'
	@echo '  bench-init     initd against BusyBox init: PID 1 start to all services ready, RSS'
	@echo '  bench-runtime  PID 1 to containerd ready, ctr run to first output, idle memory'
	@echo '  bench-agent    the agent: mTLS API requests beside openssl s_server, setup, inventory'
	@echo '  bench-netboot  NODES simulated nodes fetching the netboot set from nginx at once'
	@echo '  bench-update   A/B update: slot write, reboot to good, automatic rollback (BENCH_N runs)'
	@echo '  bench-pkg      pkg install against dpkg -i: 300 packages, 30,000 files, time and memory'
	@echo '  unit, fuzz     unit tests; libFuzzer runs (FUZZ_RUNS each)'
	@echo '  agent          the static cairn-agent, cairn-cdi and cairn-runtime'
	@echo '  gpu-kit        O/gpu-kit: what tests/gpu/run.sh needs on a GPU host'
	@echo '  gpu-test       tests/gpu/run.sh with the kit (skipped without an NVIDIA GPU)'
	@echo '  lint           cppcheck, clang-tidy, clang --analyze'
	@echo '  keys           make the signing keys in KEYS_DIR (done on first use)'
	@echo '  hostdeps       install the host packages the build needs (root)'
	@echo '  clean          remove O;  distclean: also the caches under CAIRN_CACHE'
	@echo
	@echo 'Options:'
	@echo '  BOARD=NAME     $(BOARDS) (default qemu-x86_64)'
	@echo '  O=DIR          output directory (default out)'
	@echo '  DL_DIR=DIR     downloaded sources (default $$CAIRN_CACHE/dl)'
	@echo '  KEYS_DIR=DIR   signing keys (default ~/.local/share/cairn/keys)'
	@echo '  NODE_CONFIG=F  bake node config F into the image as /etc/cairn/node.conf'
	@echo '  SITE_CA=F      bake the site CA F into the image as /etc/cairn/site-ca.pem'
	@echo '  NETBOOT_CONFIG=URL  the netboot script'"'"'s cairn.config (https://.../{mac}.conf)'
	@echo '  JOBS=N         parallel jobs (default: nproc)'
	@echo '  V=1            show full commands'

# ---- host packages and tools ---------------------------------------------
$(HB)/.hostdeps: scripts/hostdeps.sh
	$(Q)scripts/hostdeps.sh
	$(Q)mkdir -p $(@D) && touch $@
hostdeps:
	$(Q)scripts/hostdeps.sh

# ---- sources --------------------------------------------------------------
$(B)/.fetched: sources.lock scripts/fetch.sh | $(HB)/.hostdeps
	$(Q)scripts/fetch.sh
	$(Q)mkdir -p $(@D) && touch $@
fetch: $(B)/.fetched

lock-update: | $(HB)/.hostdeps
	$(Q)scripts/lock-update.sh sources.lock

source-bundle: $(B)/.fetched
	$(Q)scripts/source-bundle.sh $(abspath $(O))/cairn-sources.tar

# Secure Boot's PK, KEK and db (doc/secure-boot.md): db signs every UKI
# and systemd-boot.
SB_KEYS := $(KEYS_DIR)/secureboot/db.auth
$(KEYS_DIR)/module-signing.pem $(KEYS_DIR)/kernel-seed $(SB_KEYS): | $(HB)/.hostdeps
	$(Q)scripts/keys.sh >/dev/null
keys: $(KEYS_DIR)/module-signing.pem $(KEYS_DIR)/kernel-seed $(SB_KEYS)

# One rule unpacks each source, so parallel jobs never unpack one twice.
# Each source's own lock line, rewritten only when it changes: a new pin of
# one source unpacks and rebuilds that source, not every other.
$(B)/lock/%: sources.lock
	$(Q)mkdir -p $(@D)
	$(Q)awk -v n=$* '$$1 == "src" && $$2 == n' sources.lock >$@.tmp
	$(Q)[ -s $@.tmp ] || { echo "sources.lock has no 'src $*'" >&2; rm -f $@.tmp; exit 1; }
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
.SECONDARY: $(patsubst %,$(B)/lock/%,$(shell awk '$$1 == "src" { print $$2 }' sources.lock))
$(B)/src/.%.unpacked: $(B)/lock/% | $(B)/.fetched
	$(Q)rm -rf $(B)/src/$*
	$(Q)scripts/unpack.sh $* $(B)/src/$*
	$(Q)touch $@

# ---- toolchain: musl sysroot with the cairn-cc wrapper --------------------
RECIPE = B=$(B) SYSROOT=$(SYSROOT) CCACHE=$(CCACHE) scripts/recipe.sh
# What a recipe's build reads: its files less `recipe` (the package's
# metadata: license, supplier, contents), which the package stamp follows.
build_inputs = $(filter-out %/recipe,$(wildcard pkg/recipes/$(1)/*))
$(B)/musl/.built: $(B)/src/.musl.unpacked $(call build_inputs,musl)
	$(Q)$(RECIPE) musl
$(B)/linux-headers/.built: $(B)/musl/.built $(B)/src/.linux.unpacked $(call build_inputs,linux-headers)
	$(Q)$(RECIPE) linux-headers
TOOLCHAIN := $(B)/linux-headers/.built
MUSL_CC := $(SYSROOT)/bin/cairn-cc

$(B)/busybox/.built: $(TOOLCHAIN) $(B)/src/.busybox.unpacked $(call build_inputs,busybox)
	$(Q)$(RECIPE) busybox
$(B)/openssl/.built: $(TOOLCHAIN) $(B)/src/.openssl.unpacked $(call build_inputs,openssl)
	$(Q)$(RECIPE) openssl
$(B)/zstd/.built: $(TOOLCHAIN) $(B)/src/.zstd.unpacked $(call build_inputs,zstd)
	$(Q)$(RECIPE) zstd
$(B)/jansson/.built: $(TOOLCHAIN) $(B)/src/.jansson.unpacked $(call build_inputs,jansson)
	$(Q)$(RECIPE) jansson
PKG_LIBS := $(B)/openssl/.built $(B)/zstd/.built

# Debian's binary builds, taken as they are (scripts/debpick.sh): the
# container runtime and the glibc closure it runs with.
# The slurm profile: Slurm and MUNGE (Debian 12's) and the libraries they link.
SLURM_PKGS := slurmd slurm-client slurm-plugins munge libmunge liblz4 libnuma libhwloc libpam \
	libbz2 zlib libgcrypt libgpg-error libreadline libtinfo libdbus libsystemd libudev libaudit \
	libcap-ng libcap liblzma libzstd
# Disks: sfdisk and the ext4 tools (Debian 13's) and the libraries they link.
DISK_PKGS := sfdisk libfdisk libsmartcols libuuid libblkid e2fsprogs libext2fs libcom-err
DEB_PKGS := glibc libseccomp runc containerd cni-plugins firmware-amdgpu \
	libtirpc libgssapi-krb5 libkrb5 libk5crypto libkrb5support libkeyutils systemd-boot \
	$(SLURM_PKGS) $(DISK_PKGS)
$(patsubst %,$(B)/%/.built,$(DEB_PKGS)): $(B)/%/.built: $(B)/src/.%.unpacked pkg/recipes/%/build scripts/debpick.sh
	$(Q)$(RECIPE) $*

# ---- Cairn's own C code: static-pie musl for the image --------------------
WARN    := -Wall -Wextra -Werror -Wshadow -Wcast-qual -Wmissing-prototypes \
	   -Wstrict-prototypes -Wformat=2 -Wvla
HARDEN  := -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -DCAIRN_VERSION='"$(CAIRN_VERSION)"' \
	-DCAIRN_BUILD_EPOCH=$(SOURCE_DATE_EPOCH)LL -Ilib -Iinitd -Ipkg -Iagent $(WARN)
MUSL_CFLAGS  := $(CFLAGS_COMMON) $(HARDEN) -Os -ffunction-sections -fdata-sections -ffile-prefix-map=$(TOP)/=
MUSL_LDFLAGS := -static-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--gc-sections -s

LIB_SRC   := $(wildcard lib/*.c)
# One main per program; every other source is a module any program may use.
PROGS     := initd initctl logd
MAIN_SRC  := initd/main.c initd/initctl.c initd/logd.c pkg/main.c agent/cdi_main.c agent/runtime_main.c \
	agent/agent_main.c
INITD_SRC := $(filter-out $(MAIN_SRC),$(wildcard initd/*.c))
PKG_SRC   := $(filter-out $(MAIN_SRC),$(wildcard pkg/*.c))
AGENT_SRC := $(filter-out $(MAIN_SRC),$(wildcard agent/*.c))
HEADERS   := $(wildcard lib/*.h initd/*.h pkg/*.h agent/*.h)
MODULE_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(INITD_SRC) $(LIB_SRC))
PKG_OBJ   := $(patsubst %.c,$(B)/obj/%.o,$(PKG_SRC))
AGENT_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(AGENT_SRC))
# The agent's CDI tools parse and write JSON with jansson (its recipe); the
# agent uses OpenSSL (base64, certificates, and TLS: a config by URL).
AGENT_LDLIBS := -ljansson -lssl -lcrypto
# pkg links OpenSSL (all its crypto, and TLS for https:// repositories) and zstd,
# built for musl by their recipes.
PKG_LDLIBS := -lssl -lcrypto -lzstd

$(B)/obj/%.o: %.c $(HEADERS) $(TOOLCHAIN) Makefile
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CCACHE) $(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<
$(PKG_OBJ) $(B)/obj/pkg/main.o: $(PKG_LIBS)
# The image's pkg only installs and verifies: no building, no signing.
$(PKG_OBJ) $(B)/obj/pkg/main.o: MUSL_CFLAGS += -DPKG_VERIFY_ONLY

# The shared library's OpenSSL helpers (lib/util.c, lib/fetch.c) need its headers.
$(B)/obj/lib/util.o $(B)/obj/lib/fetch.o: $(B)/openssl/.built
$(B)/obj/libcairn.a: $(MODULE_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcD $@ $^
$(B)/obj/libpkg.a: $(PKG_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcD $@ $^
$(AGENT_OBJ) $(B)/obj/agent/cdi_main.o $(B)/obj/agent/runtime_main.o $(B)/obj/agent/agent_main.o: \
	$(B)/jansson/.built $(B)/openssl/.built
$(B)/obj/libagent.a: $(AGENT_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcD $@ $^

$(B)/obj/initd/initd: $(B)/obj/initd/main.o $(B)/obj/libcairn.a
$(B)/obj/initd/initctl: $(B)/obj/initd/initctl.o $(B)/obj/libcairn.a
$(B)/obj/initd/logd: $(B)/obj/initd/logd.o $(B)/obj/libcairn.a
$(addprefix $(B)/obj/initd/,$(PROGS)):
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^
$(B)/obj/pkg/pkg: $(B)/obj/pkg/main.o $(B)/obj/libpkg.a $(B)/obj/libcairn.a
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(PKG_LDLIBS)

CDI_PROGS := $(B)/obj/agent/cairn-cdi $(B)/obj/agent/cairn-runtime
AGENT_PROGS := $(CDI_PROGS) $(B)/obj/agent/cairn-agent
$(B)/obj/agent/cairn-cdi: $(B)/obj/agent/cdi_main.o $(B)/obj/libagent.a $(B)/obj/libcairn.a
$(B)/obj/agent/cairn-runtime: $(B)/obj/agent/runtime_main.o $(B)/obj/libagent.a $(B)/obj/libcairn.a
$(B)/obj/agent/cairn-agent: $(B)/obj/agent/agent_main.o $(B)/obj/libagent.a $(B)/obj/libcairn.a
$(AGENT_PROGS):
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(AGENT_LDLIBS)
agent: $(AGENT_PROGS)

# The GPU host kit (tests/gpu/run.sh): the static CDI tools and agent, Debian 12's
# runc, a container root with a minimal glibc and its static ldconfig.
GPU_KIT := $(abspath $(O))/gpu-kit
$(GPU_KIT)/.built: $(CDI_PROGS) $(B)/obj/agent/cairn-agent scripts/gpu-kit.sh tests/gpu/config.json $(B)/.fetched
	$(Q)scripts/gpu-kit.sh $(GPU_KIT) $(CDI_PROGS) $(B)/obj/agent/cairn-agent
	$(Q)touch $@
gpu-kit: $(GPU_KIT)/.built

# ---- kernel ----------------------------------------------------------------
KB := $(B)/$(BOARD)
$(KB)/linux/.built: $(B)/src/.linux.unpacked $(call build_inputs,linux) \
		$(patsubst %,kernel-config/%.config,$(KERNEL_FRAGMENTS)) \
		board/$(BOARD)/board.mk scripts/kconfig-check.sh kernel-config/hardening-$(BOARD_ARCH).items \
		$(KEYS_DIR)/module-signing.pem $(KEYS_DIR)/kernel-seed
	$(Q)OBJ=$(KB)/linux KERNEL_FRAGMENTS="$(patsubst %,$(TOP)/kernel-config/%.config,$(KERNEL_FRAGMENTS))" \
		$(RECIPE) linux

# The NVIDIA driver (pkg/recipes/nvidia): its kernel modules are built
# against this board's kernel; every nvidia-* source of the lock goes in.
NVIDIA_SRCS := nvidia $(shell awk '$$1 == "src" && $$2 ~ /^nvidia-/ { print $$2 }' sources.lock)
$(KB)/nvidia/.built: $(KB)/linux/.built $(patsubst %,$(B)/src/.%.unpacked,$(NVIDIA_SRCS)) \
		$(call build_inputs,nvidia)
	$(Q)OBJ=$(KB)/nvidia KSRC=$(B)/src/linux KOBJ=$(KB)/linux/obj KMODS=$(KB)/linux/modules \
		$(RECIPE) nvidia

$(HB)/gen_init_cpio: $(B)/src/.linux.unpacked
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)gcc -O2 -o $@ $(B)/src/linux/usr/gen_init_cpio.c

# ---- packages: every component into the board's signed repository --------
# The root is `pkg install` of the board's package set from this repository
# (doc/pkg.md): recipes' outputs and Cairn's own programs, each a package.
REPO := $(OUT)/repo
PT   := $(KB)/pkgtree
ROOTFS_FILES := $(shell find rootfs -type f -o -type d 2>/dev/null)
CAIRN_PKG_VERSION := 0.$(shell git rev-list --count HEAD 2>/dev/null || echo 0)
CAIRN_SOURCE_SHA256 := $(shell git ls-files -z 2>/dev/null | xargs -0 cat 2>/dev/null | sha256sum | cut -c1-64)
BOARD_PACKAGES ?= base-files busybox initd pkg linux board-$(BOARD) musl openssl zstd \
	glibc libseccomp runc containerd cni-plugins test-images cdi agent jansson \
	$(SLURM_PKGS) $(DISK_PKGS) $(if $(filter x86_64,$(BOARD_ARCH)),systemd-boot) $(BOARD_EXTRA_PACKAGES)
PKGBUILD_ENV = PKG=$(HB)/pkg BOARD=$(BOARD) BOARD_ARCH=$(BOARD_ARCH) B=$(B) \
	CAIRN_PKG_VERSION=$(CAIRN_PKG_VERSION) CAIRN_SOURCE_SHA256=$(CAIRN_SOURCE_SHA256)
PKGBUILD = $(PKGBUILD_ENV) scripts/pkgbuild.sh
PKG_DEPS = $(HB)/pkg scripts/pkgbuild.sh Makefile

$(REPO)/.stamp-musl: $(B)/musl/.built $(wildcard pkg/recipes/musl/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD) musl $(REPO) && touch $@
$(REPO)/.stamp-openssl: $(B)/openssl/.built $(wildcard pkg/recipes/openssl/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD) openssl $(REPO) && touch $@
$(REPO)/.stamp-jansson: $(B)/jansson/.built $(wildcard pkg/recipes/jansson/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD) jansson $(REPO) && touch $@
$(REPO)/.stamp-cdi: $(CDI_PROGS) $(wildcard pkg/recipes/cdi/*) $(PKG_DEPS)
	$(Q)rm -rf $(PT)/cdi && mkdir -p $(PT)/cdi/usr/bin && cp $(CDI_PROGS) $(PT)/cdi/usr/bin/
	$(Q)$(PKGBUILD) cdi $(REPO) $(PT)/cdi && touch $@
$(REPO)/.stamp-agent: $(B)/obj/agent/cairn-agent $(wildcard pkg/recipes/agent/*) $(PKG_DEPS)
	$(Q)rm -rf $(PT)/agent && mkdir -p $(PT)/agent/usr/sbin && cp $(B)/obj/agent/cairn-agent $(PT)/agent/usr/sbin/
	$(Q)$(PKGBUILD) agent $(REPO) $(PT)/agent && touch $@
$(REPO)/.stamp-zstd: $(B)/zstd/.built $(wildcard pkg/recipes/zstd/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD) zstd $(REPO) && touch $@
$(REPO)/.stamp-busybox: $(B)/busybox/.built $(wildcard pkg/recipes/busybox/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD) busybox $(REPO) $(B)/busybox/dest && touch $@
$(REPO)/.stamp-linux: $(KB)/linux/.built $(wildcard pkg/recipes/linux/*) $(PKG_DEPS)
	$(Q)# modules_install links build and source to the build tree: not a node's, and a build path
	$(Q)rm -f $(KB)/linux/modules/lib/modules/*/build $(KB)/linux/modules/lib/modules/*/source
	$(Q)$(PKGBUILD) linux $(REPO) $(KB)/linux/modules && touch $@
$(REPO)/.stamp-initd: $(addprefix $(B)/obj/initd/,$(PROGS)) $(wildcard pkg/recipes/initd/*) $(PKG_DEPS)
	$(Q)rm -rf $(PT)/initd && mkdir -p $(PT)/initd/sbin $(PT)/initd/lib/initd
	$(Q)cp $(B)/obj/initd/initd $(B)/obj/initd/initctl $(PT)/initd/sbin/
	$(Q)cp $(B)/obj/initd/logd $(PT)/initd/lib/initd/ && ln -s sbin/initd $(PT)/initd/init
	$(Q)$(PKGBUILD) initd $(REPO) $(PT)/initd && touch $@
$(REPO)/.stamp-pkg: $(B)/obj/pkg/pkg $(wildcard pkg/recipes/pkg/*) $(PKG_DEPS)
	$(Q)rm -rf $(PT)/pkg && mkdir -p $(PT)/pkg/sbin && cp $(B)/obj/pkg/pkg $(PT)/pkg/sbin/
	$(Q)$(PKGBUILD) pkg $(REPO) $(PT)/pkg && touch $@
# NODE_CONFIG=FILE: the site's node config baked into the image (the
# image source of node.conf(5)), checked first; its path and sha256 are
# recorded, so setting, changing or dropping it rebuilds base-files.
# SITE_CA=FILE: the site's CA (PEM) as /etc/cairn/site-ca.pem, what a
# netbooted node checks its config server against (doc/netboot.md).
NODE_CONFIG_ID := $(if $(NODE_CONFIG),$(abspath $(NODE_CONFIG)) $(shell sha256sum < $(NODE_CONFIG) 2>/dev/null),none) \
	$(if $(SITE_CA),$(abspath $(SITE_CA)) $(shell sha256sum < $(SITE_CA) 2>/dev/null),none)
$(KB)/node-config.id: FORCE
	$(Q)mkdir -p $(@D) && echo '$(NODE_CONFIG_ID)' | cmp -s - $@ || echo '$(NODE_CONFIG_ID)' >$@
# The OS's version, in os-release: IMAGE_VERSION orders systemd-boot's
# entries for the two root slots, and pkg os-update compares it.
$(KB)/os-version.id: FORCE
	$(Q)mkdir -p $(@D) && echo '$(CAIRN_PKG_VERSION)' | cmp -s - $@ || echo '$(CAIRN_PKG_VERSION)' >$@
$(REPO)/.stamp-base-files: $(ROOTFS_FILES) $(wildcard pkg/recipes/base-files/*) $(PKG_DEPS) $(KB)/node-config.id \
		$(KB)/os-version.id \
		$(if $(NODE_CONFIG),$(HB)/cairn-agent)
	$(Q)rm -rf $(PT)/base-files && mkdir -p $(PT)/base-files
	$(Q)cd $(PT)/base-files && mkdir -p dev proc sys run tmp root var mnt etc bin sbin usr/bin usr/sbin lib
	$(Q)cp -R rootfs/. $(PT)/base-files/
	$(Q)printf 'IMAGE_ID=cairn-$(BOARD)\nIMAGE_VERSION=$(CAIRN_PKG_VERSION)\n' >>$(PT)/base-files/etc/os-release
ifneq ($(NODE_CONFIG),)
	$(Q)ASAN_OPTIONS=detect_leaks=0 $(HB)/cairn-agent config check $(NODE_CONFIG)
	$(Q)mkdir -p $(PT)/base-files/etc/cairn && install -m 0600 $(NODE_CONFIG) $(PT)/base-files/etc/cairn/node.conf
endif
ifneq ($(SITE_CA),)
	$(Q)openssl x509 -noout -in $(SITE_CA) || { echo "SITE_CA=$(SITE_CA): not a PEM certificate" >&2; exit 1; }
	$(Q)mkdir -p $(PT)/base-files/etc/cairn && install -m 0644 $(SITE_CA) $(PT)/base-files/etc/cairn/site-ca.pem
endif
	$(Q)$(PKGBUILD) base-files $(REPO) $(PT)/base-files && touch $@
$(patsubst %,$(REPO)/.stamp-%,$(DEB_PKGS)): $(REPO)/.stamp-%: $(B)/%/.built pkg/recipes/%/recipe $(PKG_DEPS)
	$(Q)$(PKGBUILD) $* $(REPO) $(B)/$*/dest && touch $@
$(REPO)/.stamp-nvidia: $(KB)/nvidia/.built pkg/recipes/nvidia/recipe $(PKG_DEPS)
	$(Q)$(PKGBUILD) nvidia $(REPO) $(KB)/nvidia/dest && touch $@
# Images made from Debian's static BusyBox (scripts/oci-image.sh).
$(REPO)/.stamp-test-images: $(B)/src/.busybox-static.unpacked scripts/oci-image.sh pkg/recipes/test-images/recipe $(PKG_DEPS)
	$(Q)rm -rf $(PT)/test-images $(PT)/oci-root && mkdir -p $(PT)/oci-root/bin
	$(Q)cp $(B)/src/busybox-static/usr/bin/busybox $(PT)/oci-root/bin/ && \
		for a in $$($(PT)/oci-root/bin/busybox --list); do \
			[ -e $(PT)/oci-root/bin/$$a ] || ln -s busybox $(PT)/oci-root/bin/$$a; done
	$(Q)mkdir -p $(PT)/oci-root/etc $(PT)/oci-root/proc $(PT)/oci-root/sys $(PT)/oci-root/dev $(PT)/oci-root/tmp
	$(Q)chmod -R u=rwX,go=rX $(PT)/oci-root && chmod 1777 $(PT)/oci-root/tmp
	$(Q)scripts/oci-image.sh cairn.local/test:1 $(PT)/oci-root $(PT)/test-images/usr/share/cairn/images/cairn-test.tar /bin/sh
	$(Q)scripts/oci-image.sh cairn.local/pause:1 $(PT)/oci-root $(PT)/test-images/usr/share/cairn/images/cairn-pause.tar /bin/sleep 2147483647
	$(Q)$(PKGBUILD) test-images $(REPO) $(PT)/test-images && touch $@
$(REPO)/.stamp-board-$(BOARD): board/$(BOARD)/board.mk $(wildcard pkg/recipes/board/*) $(PKG_DEPS)
	$(Q)rm -rf $(PT)/board && mkdir -p $(PT)/board/etc
	$(Q){ echo "# Modules initd loads at boot (the board's BOARD_MODULES)."; \
		for m in $(BOARD_MODULES); do echo $$m; done; } >$(PT)/board/etc/modules
	$(Q)$(PKGBUILD) board $(REPO) $(PT)/board && touch $@

$(REPO)/release: $(addprefix $(REPO)/.stamp-,$(filter-out board-%,$(BOARD_PACKAGES)) board-$(BOARD)) scripts/repo.sh
	$(Q)PKG=$(HB)/pkg scripts/repo.sh $(REPO)

# ---- image -----------------------------------------------------------------
# zstd's level for the initramfs: a board whose root is large may trade
# some size for build time.
INITRAMFS_ZSTD_LEVEL ?= 19
ARTIFACTS := vmlinuz initramfs.cpio.zst kernel.config cmdline sbom.spdx.json \
	$(if $(filter x86_64,$(BOARD_ARCH)),disk.img disk.img.zst)

$(OUT)/initramfs.cpio.zst: $(REPO)/release $(HB)/gen_init_cpio scripts/initramfs.sh
	$(call say,CPIO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)PKG=$(HB)/pkg ZSTD_LEVEL=$(INITRAMFS_ZSTD_LEVEL) scripts/initramfs.sh $@ $(KB)/rootfs $(REPO) $(HB)/gen_init_cpio $(BOARD_PACKAGES)

# The SBOM of what the root holds, from its package database.
$(OUT)/sbom.spdx.json: $(OUT)/initramfs.cpio.zst
	$(call say,SBOM,$@)
	$(Q)$(HB)/pkg --root $(KB)/rootfs sbom --name cairn-$(BOARD) >$@.tmp && mv $@.tmp $@

$(OUT)/vmlinuz $(OUT)/kernel.config: $(OUT)/%: $(KB)/linux/.built
	$(Q)mkdir -p $(@D) && cp $(KB)/linux/$* $@.tmp && mv $@.tmp $@

$(OUT)/cmdline: board/$(BOARD)/board.mk
	$(Q)mkdir -p $(@D) && printf '%s\n' '$(BOARD_CMDLINE)' >$@

$(OUT)/SHA256SUMS: $(addprefix $(OUT)/,$(ARTIFACTS)) sources.lock
	$(call say,SUMS,$@)
	$(Q)scripts/manifest.sh $(OUT) $(ARTIFACTS)

# The disk image to flash (doc/disk.md): ESP with systemd-boot and slot A's
# UKI, slots A and B; slot A the root's squashfs and dm-verity tree.
SLOT_MB ?= 512
$(OUT)/disk.img.zst: $(OUT)/disk.img
$(OUT)/disk.img: $(OUT)/initramfs.cpio.zst $(OUT)/vmlinuz $(OUT)/cmdline scripts/disk.sh scripts/osslot.sh $(SB_KEYS)
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) SLOT_MB=$(SLOT_MB) JOBS=$(JOBS) scripts/disk.sh $(OUT) $(KB)/rootfs
disk: $(OUT)/disk.img

# The air-gapped bundle and the installer image (doc/install.md): the
# board's repository with cairn-os (the disk's table, ESP and slot) and
# cairn-netboot, as one signed file; a stick image that installs it.
BUNDLE := $(OUT)/cairn-$(BOARD).bundle
$(BUNDLE): $(REPO)/release $(OUT)/SHA256SUMS $(OUT)/netboot/SHA256SUMS scripts/bundle.sh scripts/repo.sh \
		$(wildcard pkg/recipes/cairn-os/* pkg/recipes/cairn-netboot/*) $(PKG_DEPS)
	$(Q)$(PKGBUILD_ENV) scripts/bundle.sh $(OUT) $(REPO) $(B)/bundle-$(BOARD)
$(OUT)/installer.img: $(OUT)/initramfs.cpio.zst $(OUT)/vmlinuz $(OUT)/cmdline scripts/installer.sh $(SB_KEYS)
	$(Q)scripts/installer.sh $(OUT) $(KB)/rootfs
ifeq ($(BOARD_ARCH),x86_64)
bundle: $(BUNDLE) $(OUT)/installer.img
else
bundle:
	@echo "bundle: $(BOARD) has no disk image (x86_64 boards only)" >&2; exit 1
endif

# The netboot set (doc/netboot.md): NETBOOT_CONFIG=https://.../{mac}.conf
# and NETBOOT_CONFIG_CA=PATH go into its iPXE script.
NETBOOT_CONFIG_CA ?= /etc/cairn/site-ca.pem
NETBOOT_ID := $(NETBOOT_CONFIG) $(NETBOOT_CONFIG_CA)
$(KB)/netboot.id: FORCE
	$(Q)mkdir -p $(@D) && echo '$(NETBOOT_ID)' | cmp -s - $@ || echo '$(NETBOOT_ID)' >$@
# x86_64: cairn.efi too, a UKI for UEFI HTTP Boot.
NETBOOT_UKI = $(if $(filter x86_64,$(BOARD_ARCH)),UKI_STUB=$(KB)/rootfs/usr/lib/systemd/boot/efi/linuxx64.efi.stub \
	OSREL=$(KB)/rootfs/etc/os-release)
$(OUT)/netboot/SHA256SUMS: $(OUT)/SHA256SUMS scripts/netboot.sh doc/netboot.md $(KB)/netboot.id $(SB_KEYS)
	$(Q)$(NETBOOT_UKI) scripts/netboot.sh $(OUT) $(OUT)/netboot '$(NETBOOT_CONFIG)' '$(NETBOOT_CONFIG_CA)'
netboot: $(OUT)/netboot/SHA256SUMS

image: $(OUT)/SHA256SUMS $(OUT)/netboot/SHA256SUMS

run: image
	$(Q)scripts/qemu.sh --interactive $(OUT) -- $(QEMU_MACHINE)

# ---- tests -----------------------------------------------------------------
# The same sources again, against the host's glibc with clang: ASan, UBSan
# and libFuzzer do not support musl.  The image never gets these builds.
HOST_CC  := clang
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := $(CFLAGS_COMMON) -g -O1 $(SAN) -Itests/unit
UNIT_TESTS := $(patsubst tests/unit/%.c,$(HB)/unit/%,$(filter-out tests/unit/check.c,$(wildcard tests/unit/*_test.c)))
FUZZERS := $(patsubst tests/fuzz/%.c,$(HB)/fuzz/%,$(wildcard tests/fuzz/*_fuzz.c))
LIB_INITD_SRC := $(LIB_SRC) $(INITD_SRC) $(PKG_SRC) $(AGENT_SRC)

# Every module once per flavour, in an archive each test links.
TEST_OBJ := $(patsubst %.c,$(HB)/obj/%.o,$(LIB_INITD_SRC))
FUZZ_OBJ := $(patsubst %.c,$(HB)/fobj/%.o,$(LIB_INITD_SRC))
$(HB)/obj/%.o: %.c $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c -o $@ $<
$(HB)/fobj/%.o: %.c $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(HB)/libtest.a: $(TEST_OBJ)
	$(Q)rm -f $@ && ar rcD $@ $^
$(HB)/libfuzz.a: $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcD $@ $^

$(HB)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(HB)/libtest.a
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(HB)/libtest.a $(PKG_LDLIBS) $(AGENT_LDLIBS)
# initd checks each extension layer with pkg before it overlays it: the
# test runs the host's pkg as the image's initd runs its own.
$(HB)/unit/extensions_test: $(HB)/pkg
$(HB)/unit/extensions_test: private HOST_CFLAGS += -DTEST_PKG='"$(HB)/pkg"'

# pkg for the build host and the tests: glibc, ASan+UBSan, and the fault
# points the crash tests drive (PKG_FAULT_AT, doc/pkg-db.md).  The build
# uses it to make and sign packages; the image gets the static musl one.
$(HB)/pkg: pkg/main.c $(PKG_SRC) $(LIB_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -DPKG_FAULTS -o $@ pkg/main.c $(PKG_SRC) $(LIB_SRC) $(PKG_LDLIBS)
# The same without sanitizers, for signing with a hardware token: the
# PKCS#11 provider opens its module with RTLD_DEEPBIND, which ASan refuses.
$(HB)/pkg-token: pkg/main.c $(PKG_SRC) $(LIB_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) $(HARDEN) -O2 -o $@ pkg/main.c $(PKG_SRC) $(LIB_SRC) $(PKG_LDLIBS)
host-pkg: $(HB)/pkg $(HB)/pkg-token

# cairn-cdi, cairn-agent and cairn-runtime for the build tests: glibc, ASan+UBSan.
$(HB)/cairn-cdi: agent/cdi_main.c $(AGENT_SRC) $(LIB_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ agent/cdi_main.c $(AGENT_SRC) $(LIB_SRC) $(AGENT_LDLIBS)
$(HB)/cairn-agent: agent/agent_main.c $(AGENT_SRC) $(LIB_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ agent/agent_main.c $(AGENT_SRC) $(LIB_SRC) $(AGENT_LDLIBS)
$(HB)/cairn-runtime: agent/runtime_main.c $(AGENT_SRC) $(LIB_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ agent/runtime_main.c $(AGENT_SRC) $(LIB_SRC) $(AGENT_LDLIBS)
ifneq ($(O),$(abspath $(O)))
$(O)/build/host/pkg: $(HB)/pkg
endif

$(HB)/fuzz/%: tests/fuzz/%.c $(HB)/libfuzz.a
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(HB)/libfuzz.a $(PKG_LDLIBS) $(AGENT_LDLIBS)

export TEST_LOGDIR := $(B)/test-logs
unit: $(UNIT_TESTS)
	$(Q)scripts/run-tests.sh unit $(UNIT_TESTS)

fuzz-smoke: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do \
		printf '  %-7s %s\n' FUZZ "$${f##*/} ($(FUZZ_RUNS) runs)"; \
		mkdir -p $$f.corpus && cp tests/fuzz/corpus/$${f##*/}/* $$f.corpus/ && \
		"$$f" -runs=$(FUZZ_RUNS) -max_len=4096 $$f.corpus >$$f.log 2>&1 || \
			{ tail -n 40 $$f.log; exit 1; }; done
fuzz: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do mkdir -p $$f.corpus && cp tests/fuzz/corpus/$${f##*/}/* $$f.corpus/ && \
		"$$f" -max_total_time=$${FUZZ_TIME:-60} $$f.corpus || exit 1; done

build-tests: $(B)/.fetched $(HB)/pkg $(HB)/pkg-token $(HB)/cairn-cdi $(HB)/cairn-agent $(HB)/cairn-runtime \
		$(GPU_KIT)/.built \
		$(B)/busybox/.built
	$(Q)PKG=$(HB)/pkg PKG_TOKEN=$(HB)/pkg-token CAIRN_CDI=$(HB)/cairn-cdi CAIRN_GPU_KIT=$(GPU_KIT) \
		CAIRN_AGENT=$(HB)/cairn-agent CAIRN_RUNTIME=$(HB)/cairn-runtime \
		BUSYBOX=$(B)/busybox/dest/bin/busybox \
		scripts/run-tests.sh build tests/build/*.sh

vm-tests: image $(HB)/pkg $(if $(filter x86_64,$(BOARD_ARCH)),bundle)
	$(Q)OUT=$(OUT) PKG=$(HB)/pkg QEMU_MACHINE="$(QEMU_MACHINE)" scripts/run-tests.sh vm tests/vm/*.sh

# On a host with an NVIDIA GPU and its driver: the kit's CDI spec applied
# to a container through cairn-runtime and runc; elsewhere it says skipped.
gpu-test: gpu-kit
	$(Q)tests/gpu/run.sh --kit $(GPU_KIT)

test: unit fuzz-smoke build-tests vm-tests gpu-test

test-full: test
	$(Q)$(MAKE) --no-print-directory BOARD=server-x86_64 vm-tests

# ---- reproducibility, benchmarks, lint ------------------------------------
repro-check:
	$(Q)scripts/repro-check.sh $(BOARD)

bench-boot: image
	$(Q)scripts/bench-boot.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

bench-init: image
	$(Q)scripts/bench-init.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

bench-runtime: image
	$(Q)scripts/bench-runtime.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

# The image's agent (static musl) on this machine: its mTLS API beside
# openssl s_server, setup/net plan/inventory beside cat.
bench-agent: $(B)/obj/agent/cairn-agent
	$(Q)scripts/bench-agent.sh $(B)/obj/agent/cairn-agent $(BENCH_N)

# NODES (default 50) simulated nodes fetching the netboot set at once from
# nginx on loopback, beside one node alone.
NODES ?= 50
bench-netboot: $(OUT)/netboot/SHA256SUMS
	$(Q)scripts/bench-netboot.sh $(OUT)/netboot $(NODES)

# A/B updates (doc/update.md): writing a slot, the reboot to "good", an
# automatic rollback; BENCH_N runs of each under OVMF.
bench-update: image $(HB)/pkg
	$(Q)PKG=$(HB)/pkg scripts/bench-update.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

# The image's pkg (static musl, -Os) against Debian's dpkg, same files.
bench-pkg: $(B)/obj/pkg/pkg $(HB)/pkg
	$(Q)PKG_BUILD=$(HB)/pkg ASAN_OPTIONS=detect_leaks=0 scripts/bench-pkg.sh $(B)/obj/pkg/pkg

lint:
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 -D_GNU_SOURCE -Ilib -Iinitd -Ipkg -Iagent lib initd $(PKG_SRC) pkg/main.c agent
	$(Q)clang-tidy --quiet $(LIB_SRC) $(INITD_SRC) $(MAIN_SRC) $(PKG_SRC) $(AGENT_SRC) -- $(CFLAGS_COMMON) 2>/dev/null
	$(Q)for f in $(LIB_SRC) $(INITD_SRC) $(MAIN_SRC) $(PKG_SRC) $(AGENT_SRC); do \
		clang --analyze -Xanalyzer -analyzer-werror \
			-Xanalyzer -analyzer-disable-checker=valist.Uninitialized \
			-Xanalyzer -analyzer-disable-checker=security.insecureAPI.DeprecatedOrUnsafeBufferHandling \
			$(CFLAGS_COMMON) -o /dev/null $$f || exit 1; done

clean:
	rm -rf $(O)
distclean: clean
	rm -rf $(CAIRN_CACHE)
