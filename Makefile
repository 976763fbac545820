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
	host-pkg agent cairnctl bench-fleet disk bundle netboot bench-netboot bench-update gpu-kit gpu-test fetch lock-update source-bundle repro-check repro-quick bench-boot bench-init bench-runtime bench-containerd bench-agent bench-pkg keys hostdeps \
	lint inc clean distclean help FORCE

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
	@echo '  repro-quick    make test'"'"'s check: Cairn'"'"'s programs and musl-built parts rebuilt another way, compared'
	@echo '  bench-boot     boot BENCH_N times: median time to "cairn: boot ok", artifact sizes'
	@echo '  bench-init     initd against BusyBox init: PID 1 start to all services ready, RSS'
	@echo '  bench-runtime  PID 1 to containerd ready, ctr run to first output, idle memory'
	@echo '  bench-containerd'
	@echo '                 the pinned containerd here (root), the image'"'"'s config: exec to socket answering'
	@echo '  bench-agent    the agent: mTLS API requests beside openssl s_server, setup, inventory'
	@echo '  bench-netboot  NODES simulated nodes fetching the netboot set from nginx at once'
	@echo '  bench-update   A/B update: slot write, reboot to good, automatic rollback (BENCH_N runs)'
	@echo '  bench-fleet    cairnctl status of 200 node APIs beside one, and beside curl'
	@echo '  bench-pkg      pkg install against dpkg -i: 300 packages, 30,000 files, time and memory'
	@echo '  unit, fuzz     unit tests; libFuzzer runs (FUZZ_RUNS each)'
	@echo '  agent          the static cairn-agent, cairn-cdi and cairn-runtime'
	@echo '  cairnctl       the fleet command: static (the repository'"'"'s package) and the host'"'"'s'
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

# Built from source for musl, each by its recipe's build.
MUSL_PKGS := busybox openssl zstd jansson
$(patsubst %,$(B)/%/.built,$(MUSL_PKGS)): $(B)/%/.built: $(TOOLCHAIN) $(B)/src/.%.unpacked pkg/recipes/%/build
	$(Q)$(RECIPE) $*
$(foreach p,$(MUSL_PKGS),$(eval $(B)/$(p)/.built: $(call build_inputs,$(p))))
PKG_LIBS := $(B)/openssl/.built $(B)/zstd/.built

# Debian's binary builds, taken as they are (scripts/debpick.sh): the
# container runtime and the glibc closure it runs with.
# The slurm profile: Slurm and MUNGE (Debian 12's) and the libraries they link.
SLURM_PKGS := slurmd slurm-client slurm-plugins munge libmunge liblz4 libnuma libhwloc libpam \
	libbz2 zlib libgcrypt libgpg-error libreadline libtinfo libdbus libsystemd libudev libaudit \
	libcap-ng libcap liblzma libzstd
# The layers every board makes of its root (doc/netboot.md, "Layers"): what
# a node needs only in one role, netbooted only to the nodes given it.
#   slurm: the slurm profile, less libreadline and libtinfo, which sfdisk
#          in the root links too;
#   k8s:   what a Kubernetes node's pods and the import of OCI archives
#          need beyond containerd and runc: the CNI plugins, the pause
#          and test images, and ctr (import-images runs it).
LAYER_PKGS_slurm = $(filter-out libreadline libtinfo,$(SLURM_PKGS))
LAYER_PKGS_k8s = cni-plugins test-images ctr
# Disks: sfdisk and the ext4 tools (Debian 13's) and the libraries they link.
DISK_PKGS := sfdisk libfdisk libsmartcols libuuid libblkid e2fsprogs libext2fs libcom-err
DEB_PKGS := glibc libseccomp runc containerd ctr cni-plugins firmware-amdgpu \
	libtirpc libgssapi-krb5 libkrb5 libk5crypto libkrb5support libkeyutils systemd-boot \
	$(SLURM_PKGS) $(DISK_PKGS)
# A package whose recipe names another's source (its source=) waits for that
# source: ctr is taken from containerd's Debian build.
DEB_OWN_SRC := $(filter-out ctr,$(DEB_PKGS))
$(patsubst %,$(B)/%/.built,$(DEB_OWN_SRC)): $(B)/%/.built: $(B)/src/.%.unpacked pkg/recipes/%/build scripts/debpick.sh
	$(Q)$(RECIPE) $*
$(B)/ctr/.built: $(B)/src/.containerd.unpacked pkg/recipes/ctr/build scripts/debpick.sh
	$(Q)$(RECIPE) ctr

# ---- Cairn's own C code: static-pie musl for the image --------------------
# Six components, one folder each (README, "Layout"): lib (libcairn, what
# every program shares), gpu (GPU discovery, for the agent and the CDI
# tools), initd, pkg, agent and cdi.  Each compiles with its own include
# path: lib's, its own, and gpu's where it uses it, so a module that
# includes another component's header does not build.
WARN    := -Wall -Wextra -Werror -Wshadow -Wcast-qual -Wmissing-prototypes \
	   -Wstrict-prototypes -Wformat=2 -Wvla
HARDEN  := -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -DCAIRN_VERSION='"$(CAIRN_VERSION)"' \
	-DCAIRN_BUILD_EPOCH=$(SOURCE_DATE_EPOCH)LL $(WARN)
INC_lib   := -Ilib
INC_gpu   := -Ilib -Igpu
INC_initd := -Ilib -Iinitd
INC_pkg   := -Ilib -Ipkg
INC_agent := -Ilib -Igpu -Iagent
INC_cdi   := -Ilib -Igpu -Icdi
INC_cairnctl := -Ilib -Icairnctl
# A source's include path: its component's, the first folder of its path.
inc = $(INC_$(firstword $(subst /, ,$(1))))
MUSL_CFLAGS  := $(CFLAGS_COMMON) $(HARDEN) -Os -ffunction-sections -fdata-sections -ffile-prefix-map=$(TOP)/=
MUSL_LDFLAGS := -static-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--gc-sections -s

# One main per program; every other source is a module of its component.
PROGS     := initd initctl logd
MAIN_SRC  := initd/main.c initd/initctl.c initd/logd.c pkg/main.c agent/main.c \
	cdi/cdi_main.c cdi/runtime_main.c cairnctl/main.c
LIB_SRC   := $(wildcard lib/*.c)
GPU_SRC   := $(wildcard gpu/*.c)
INITD_SRC := $(filter-out $(MAIN_SRC),$(wildcard initd/*.c))
# pkg's commands that make a repository, and what only they use: the
# build host's pkg links them; the image's links cmds_verify_only.c instead
# (its table refuses them by name), so their code is not in the image.
PKG_MAKER_SRC := pkg/cmds_maker.c pkg/cmd_build.c pkg/cmd_bundle.c pkg/cmd_index.c \
	pkg/cmd_key_new.c pkg/cmd_release.c pkg/cmd_root.c pkg/cmd_sign.c \
	pkg/build.c pkg/bundle_write.c
PKG_NODE_SRC := pkg/cmds_verify_only.c
PKG_SRC   := $(filter-out $(MAIN_SRC) $(PKG_MAKER_SRC) $(PKG_NODE_SRC),$(wildcard pkg/*.c))
AGENT_SRC := $(filter-out $(MAIN_SRC),$(wildcard agent/*.c agent/*/*.c))
CDI_SRC   := $(filter-out $(MAIN_SRC),$(wildcard cdi/*.c))
CTL_SRC   := $(filter-out $(MAIN_SRC),$(wildcard cairnctl/*.c))
ALL_SRC   := $(LIB_SRC) $(GPU_SRC) $(INITD_SRC) $(PKG_SRC) $(PKG_MAKER_SRC) $(AGENT_SRC) $(CDI_SRC) $(CTL_SRC)
HEADERS   := $(wildcard lib/*.h gpu/*.h initd/*.h pkg/*.h agent/*.h agent/*/*.h cdi/*.h cairnctl/*.h)
obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
# The agent and the CDI tools use OpenSSL (base64, certificates, TLS: a
# config by URL, the API) and jansson (CDI specs, the API's JSON).
AGENT_LDLIBS := -ljansson -lssl -lcrypto
# pkg links OpenSSL (all its crypto, and TLS for https:// repositories), zstd
# and jansson (`pkg audit` reads OSV's JSON), built for musl by their recipes.
PKG_LDLIBS := -ljansson -lssl -lcrypto -lzstd

$(B)/obj/%.o: %.c $(HEADERS) $(TOOLCHAIN) Makefile
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CCACHE) $(MUSL_CC) $(MUSL_CFLAGS) $(call inc,$<) -c -o $@ $<
# Every component's modules in one archive: libcairn.a holds lib only.
$(call obj,$(LIB_SRC) $(PKG_SRC) $(PKG_NODE_SRC) pkg/main.c): $(B)/openssl/.built $(B)/zstd/.built \
	$(B)/jansson/.built
$(call obj,$(GPU_SRC) $(AGENT_SRC) $(CDI_SRC) $(CTL_SRC) agent/main.c cdi/cdi_main.c cdi/runtime_main.c \
	cairnctl/main.c): $(B)/jansson/.built $(B)/openssl/.built
# CAIRN_VERSION (git describe) is compiled into these: remade when it
# changes, or a commit leaves the last one's name in the programs.
VERSIONED_SRC := lib/cli.c initd/main.c pkg/main.c pkg/sbom.c cairnctl/main.c
$(B)/cairn-version.id: FORCE
	$(Q)mkdir -p $(@D) && echo '$(CAIRN_VERSION)' | cmp -s - $@ || echo '$(CAIRN_VERSION)' >$@
$(call obj,$(VERSIONED_SRC)): $(B)/cairn-version.id
$(B)/obj/libcairn.a: $(call obj,$(LIB_SRC))
$(B)/obj/libgpu.a: $(call obj,$(GPU_SRC))
$(B)/obj/libinitd.a: $(call obj,$(INITD_SRC))
$(B)/obj/libpkg.a: $(call obj,$(PKG_SRC))
$(B)/obj/libagent.a: $(call obj,$(AGENT_SRC))
$(B)/obj/libcdi.a: $(call obj,$(CDI_SRC))
$(B)/obj/libcairnctl.a: $(call obj,$(CTL_SRC))
$(B)/obj/lib%.a:
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcD $@ $^

$(B)/obj/initd/initd: $(B)/obj/initd/main.o $(B)/obj/libinitd.a $(B)/obj/libcairn.a
$(B)/obj/initd/initctl: $(B)/obj/initd/initctl.o $(B)/obj/libinitd.a $(B)/obj/libcairn.a
$(B)/obj/initd/logd: $(B)/obj/initd/logd.o $(B)/obj/libinitd.a $(B)/obj/libcairn.a
$(addprefix $(B)/obj/initd/,$(PROGS)):
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^
# The image's pkg only installs and verifies: no building, no signing.
$(B)/obj/pkg/pkg: $(B)/obj/pkg/main.o $(call obj,$(PKG_NODE_SRC)) $(B)/obj/libpkg.a $(B)/obj/libcairn.a
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(PKG_LDLIBS)

CDI_PROGS := $(B)/obj/cdi/cairn-cdi $(B)/obj/cdi/cairn-runtime
AGENT_PROGS := $(CDI_PROGS) $(B)/obj/agent/cairn-agent
$(B)/obj/cdi/cairn-cdi: $(B)/obj/cdi/cdi_main.o $(B)/obj/libcdi.a $(B)/obj/libgpu.a $(B)/obj/libcairn.a
$(B)/obj/cdi/cairn-runtime: $(B)/obj/cdi/runtime_main.o $(B)/obj/libcdi.a $(B)/obj/libgpu.a $(B)/obj/libcairn.a
$(B)/obj/agent/cairn-agent: $(B)/obj/agent/main.o $(B)/obj/libagent.a $(B)/obj/libgpu.a $(B)/obj/libcairn.a
$(AGENT_PROGS):
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(AGENT_LDLIBS)
agent: $(AGENT_PROGS)

# cairnctl, the operator's fleet command (doc/cairnctl.md): static, so the
# package's binary runs on any Linux admin host.
$(B)/obj/cairnctl/cairnctl: $(B)/obj/cairnctl/main.o $(B)/obj/libcairnctl.a $(B)/obj/libcairn.a
	$(call say,LD,$@)
	$(Q)$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(AGENT_LDLIBS) -lpthread
cairnctl: $(B)/obj/cairnctl/cairnctl $(HB)/cairnctl

# The GPU host kit (tests/gpu/run.sh): the static CDI tools and agent, Debian 12's
# runc, a container root with a minimal glibc and its static ldconfig.
GPU_KIT := $(abspath $(O))/gpu-kit
$(GPU_KIT)/.built: $(CDI_PROGS) $(B)/obj/agent/cairn-agent scripts/gpu-kit.sh tests/gpu/config.json $(B)/.fetched
	$(Q)scripts/gpu-kit.sh $(GPU_KIT) $(CDI_PROGS) $(B)/obj/agent/cairn-agent
	$(Q)touch $@
gpu-kit: $(GPU_KIT)/.built

# ---- kernel ----------------------------------------------------------------
KB := $(B)/$(BOARD)
# What the kernel takes from board.mk, rewritten only when it changes: a
# board's layers or command line do not rebuild its kernel.
KERNEL_ID := $(BOARD_ARCH) $(KERNEL_FRAGMENTS)
$(KB)/kernel.id: FORCE
	$(Q)mkdir -p $(@D) && echo '$(KERNEL_ID)' | cmp -s - $@ || echo '$(KERNEL_ID)' >$@
$(KB)/linux/.built: $(B)/src/.linux.unpacked $(call build_inputs,linux) \
		$(patsubst %,kernel-config/%.config,$(KERNEL_FRAGMENTS)) \
		$(KB)/kernel.id scripts/kconfig-check.sh kernel-config/hardening-$(BOARD_ARCH).items \
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
	glibc libseccomp runc containerd ctr cni-plugins test-images cdi agent jansson \
	$(SLURM_PKGS) $(DISK_PKGS) $(if $(filter x86_64,$(BOARD_ARCH)),systemd-boot) $(BOARD_EXTRA_PACKAGES)
# Layers (doc/netboot.md): the board's BOARD_LAYERS, each NAME with its
# packages in LAYER_PKGS_NAME.  They are installed with the root (its
# database, the SBOM and a disk slot hold them), but netbooted as images
# of their own, layer-NAME.cpio, loaded only by the nodes given them.
LAYER_PKGS := $(foreach l,$(BOARD_LAYERS),$(LAYER_PKGS_$(l)))
comma := ,
empty :=
space := $(empty) $(empty)
LAYERS_ENV := $(foreach l,$(BOARD_LAYERS),$(l)=$(subst $(space),$(comma),$(strip $(LAYER_PKGS_$(l)))))
LAYER_CPIOS := $(foreach l,$(BOARD_LAYERS),$(OUT)/layer-$(l).cpio)
PKGBUILD_ENV = PKG=$(HB)/pkg BOARD=$(BOARD) BOARD_ARCH=$(BOARD_ARCH) B=$(B) \
	CAIRN_PKG_VERSION=$(CAIRN_PKG_VERSION) CAIRN_SOURCE_SHA256=$(CAIRN_SOURCE_SHA256)
PKGBUILD = $(PKGBUILD_ENV) scripts/pkgbuild.sh
PKG_DEPS = $(HB)/pkg scripts/pkgbuild.sh scripts/pkgids.sh Makefile

# Linked into Cairn's programs, never installed: each package holds the
# component's licenses (and its SBOM entry).
LICENSE_PKGS := musl openssl zstd jansson
$(patsubst %,$(REPO)/.stamp-%,$(LICENSE_PKGS)): $(REPO)/.stamp-%: $(B)/%/.built pkg/recipes/%/recipe $(PKG_DEPS)
	$(Q)$(PKGBUILD) $* $(REPO) && touch $@
$(REPO)/.stamp-cdi: $(CDI_PROGS) $(wildcard pkg/recipes/cdi/*) $(PKG_DEPS) $(KB)/os-version.id
	$(Q)rm -rf $(PT)/cdi && mkdir -p $(PT)/cdi/usr/bin && cp $(CDI_PROGS) $(PT)/cdi/usr/bin/
	$(Q)$(PKGBUILD) cdi $(REPO) $(PT)/cdi && touch $@
$(REPO)/.stamp-agent: $(B)/obj/agent/cairn-agent $(wildcard pkg/recipes/agent/*) $(PKG_DEPS) $(KB)/os-version.id
	$(Q)rm -rf $(PT)/agent && mkdir -p $(PT)/agent/usr/sbin && cp $(B)/obj/agent/cairn-agent $(PT)/agent/usr/sbin/
	$(Q)$(PKGBUILD) agent $(REPO) $(PT)/agent && touch $@
$(REPO)/.stamp-cairnctl: $(B)/obj/cairnctl/cairnctl $(wildcard pkg/recipes/cairnctl/*) $(PKG_DEPS) $(KB)/os-version.id
	$(Q)rm -rf $(PT)/cairnctl && mkdir -p $(PT)/cairnctl/usr/bin && cp $(B)/obj/cairnctl/cairnctl $(PT)/cairnctl/usr/bin/
	$(Q)$(PKGBUILD) cairnctl $(REPO) $(PT)/cairnctl && touch $@
# The kernel's modules: the package linux, less those of its parts that the
# board has among its packages or layers (linux-gpu: pkg/recipes/linux-PART,
# whose `modules` names directories under lib/modules/VERSION/kernel).
LINUX_PARTS := $(filter-out linux-headers,$(filter linux-%,$(BOARD_PACKAGES) $(LAYER_PKGS)))
$(REPO)/.stamp-linux $(patsubst %,$(REPO)/.stamp-%,$(LINUX_PARTS)) &: $(KB)/linux/.built \
		$(wildcard $(patsubst %,pkg/recipes/%/*,linux $(LINUX_PARTS))) $(PKG_DEPS)
	$(Q)# modules_install links build and source to the build tree: not a node's, and a build path
	$(Q)rm -f $(KB)/linux/modules/lib/modules/*/build $(KB)/linux/modules/lib/modules/*/source
	$(Q)rm -rf $(PT)/linux $(addprefix $(PT)/,$(LINUX_PARTS)) && mkdir -p $(PT) && cp -a $(KB)/linux/modules $(PT)/linux
	$(Q)set -e; for p in $(LINUX_PARTS); do \
		mods=$$(modules=; . pkg/recipes/$$p/recipe; echo "$$modules"); \
		[ -n "$$mods" ] || { echo "pkg/recipes/$$p/recipe: no modules=" >&2; exit 1; }; \
		for k in $(PT)/linux/lib/modules/*/kernel; do for d in $$mods; do \
			[ -d "$$k/$$d" ] || { echo "$$p: $${k#$(PT)/linux/}/$$d: not among the kernel's modules" \
				"(KERNEL_FRAGMENTS, pkg/recipes/$$p/recipe)" >&2; exit 1; }; \
			t=$(PT)/$$p/$${k#$(PT)/linux/}/$$d; mkdir -p "$${t%/*}" && mv "$$k/$$d" "$$t"; \
		done; done; \
	done
	$(Q)$(PKGBUILD) linux $(REPO) $(PT)/linux
	$(Q)set -e; for p in $(LINUX_PARTS); do $(PKGBUILD) $$p $(REPO) $(PT)/$$p; done
	$(Q)touch $(REPO)/.stamp-linux $(patsubst %,$(REPO)/.stamp-%,$(LINUX_PARTS))
$(REPO)/.stamp-initd: $(addprefix $(B)/obj/initd/,$(PROGS)) $(wildcard pkg/recipes/initd/*) $(PKG_DEPS) \
		$(KB)/os-version.id
	$(Q)rm -rf $(PT)/initd && mkdir -p $(PT)/initd/sbin $(PT)/initd/lib/initd
	$(Q)cp $(B)/obj/initd/initd $(B)/obj/initd/initctl $(PT)/initd/sbin/
	$(Q)cp $(B)/obj/initd/logd $(PT)/initd/lib/initd/ && ln -s sbin/initd $(PT)/initd/init
	$(Q)$(PKGBUILD) initd $(REPO) $(PT)/initd && touch $@
$(REPO)/.stamp-pkg: $(B)/obj/pkg/pkg $(wildcard pkg/recipes/pkg/*) $(PKG_DEPS) $(KB)/os-version.id
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
# entries for the two root slots, and pkg os-update compares it.  Cairn's
# own packages carry it too: a new commit remakes them.
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
# A recipe's build output (OBJ/dest) as its package.
TREE_PKGS := $(DEB_PKGS) busybox test-images
$(patsubst %,$(REPO)/.stamp-%,$(TREE_PKGS)): $(REPO)/.stamp-%: $(B)/%/.built pkg/recipes/%/recipe $(PKG_DEPS)
	$(Q)$(PKGBUILD) $* $(REPO) $(B)/$*/dest && touch $@
$(REPO)/.stamp-nvidia: $(KB)/nvidia/.built pkg/recipes/nvidia/recipe $(PKG_DEPS)
	$(Q)$(PKGBUILD) nvidia $(REPO) $(KB)/nvidia/dest && touch $@
# Images made from Debian's static BusyBox (its recipe's build).
$(B)/test-images/.built: $(B)/src/.busybox-static.unpacked $(call build_inputs,test-images) scripts/oci-image.sh
	$(Q)$(RECIPE) test-images
$(REPO)/.stamp-board-$(BOARD): board/$(BOARD)/board.mk $(wildcard pkg/recipes/board/*) $(PKG_DEPS) \
		$(KB)/os-version.id
	$(Q)rm -rf $(PT)/board && mkdir -p $(PT)/board/etc
	$(Q){ echo "# Modules initd loads at boot (the board's BOARD_MODULES)."; \
		for m in $(BOARD_MODULES); do echo $$m; done; } >$(PT)/board/etc/modules
	$(Q)$(PKGBUILD) board $(REPO) $(PT)/board && touch $@

# In the repository, not the image: the admin host's (pkg install cairnctl).
REPO_EXTRA_PACKAGES := cairnctl
$(REPO)/release: $(addprefix $(REPO)/.stamp-,$(filter-out board-%,$(BOARD_PACKAGES)) board-$(BOARD) \
		$(LAYER_PKGS) $(REPO_EXTRA_PACKAGES)) scripts/repo.sh
	$(Q)PKG=$(HB)/pkg scripts/repo.sh $(REPO)

# ---- image -----------------------------------------------------------------
# zstd's level for the initramfs: a board whose root is large may trade
# some size for build time.
INITRAMFS_ZSTD_LEVEL ?= 19
ARTIFACTS := vmlinuz initramfs.cpio.zst kernel.config cmdline sbom.spdx.json \
	$(if $(filter x86_64,$(BOARD_ARCH)),disk.img disk.img.zst) $(notdir $(LAYER_CPIOS))

# The initramfs: the root's initd and the root as a verified image
# ($(KB)/rootfs.img: root.img, its root hash; doc/netboot.md).
# The layers' initrds come with it (one recipe makes them all).
$(OUT)/initramfs.cpio.zst $(LAYER_CPIOS) &: $(REPO)/release $(HB)/gen_init_cpio scripts/initramfs.sh scripts/rootimg.sh scripts/lib.sh board/$(BOARD)/board.mk
	$(call say,CPIO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)PKG=$(HB)/pkg ZSTD_LEVEL=$(INITRAMFS_ZSTD_LEVEL) LAYERS="$(LAYERS_ENV)" scripts/initramfs.sh \
		$(OUT)/initramfs.cpio.zst $(KB)/rootfs $(REPO) $(HB)/gen_init_cpio $(BOARD_PACKAGES)

# The SBOM of what the root holds, from its package database, checked
# against the SPDX 2.3 JSON schema the lock pins before it is kept.
$(OUT)/sbom.spdx.json: $(OUT)/initramfs.cpio.zst scripts/spdx-validate.sh
	$(call say,SBOM,$@)
	$(Q)$(HB)/pkg --root $(KB)/rootfs sbom --name cairn-$(BOARD) --version $(CAIRN_PKG_VERSION) >$@.tmp
	$(Q)scripts/spdx-validate.sh $@.tmp || { [ $$? = 77 ] || { rm -f $@.tmp; \
		echo "$@: the SBOM is not valid SPDX 2.3 (scripts/spdx-validate.sh): a bug in pkg sbom or a package's identifiers" >&2; exit 1; }; }
	$(Q)mv $@.tmp $@

$(OUT)/vmlinuz $(OUT)/kernel.config: $(OUT)/%: $(KB)/linux/.built
	$(Q)mkdir -p $(@D) && cp $(KB)/linux/$* $@.tmp && mv $@.tmp $@

# The board's command line; for the initramfs, with the root's hash (cairn.root=).
$(KB)/board.cmdline: board/$(BOARD)/board.mk
	$(Q)mkdir -p $(@D) && printf '%s\n' '$(BOARD_CMDLINE)' >$@
$(OUT)/cmdline: $(KB)/board.cmdline $(OUT)/initramfs.cpio.zst
	$(Q)mkdir -p $(@D) && printf '%s %s\n' '$(BOARD_CMDLINE)' "$$(cat $(KB)/rootfs.img/cmdline)" >$@

$(OUT)/SHA256SUMS: $(addprefix $(OUT)/,$(ARTIFACTS)) sources.lock
	$(call say,SUMS,$@)
	$(Q)scripts/manifest.sh $(OUT) $(ARTIFACTS)

# The disk image to flash (doc/disk.md): ESP with systemd-boot and slot A's
# UKI, slots A and B; slot A the root's squashfs and dm-verity tree.
SLOT_MB ?= 512
$(OUT)/disk.img.zst: $(OUT)/disk.img
$(OUT)/disk.img: $(OUT)/initramfs.cpio.zst $(OUT)/vmlinuz $(KB)/board.cmdline scripts/disk.sh scripts/osslot.sh $(SB_KEYS)
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) SLOT_MB=$(SLOT_MB) JOBS=$(JOBS) CMDLINE=$(KB)/board.cmdline \
		ROOTIMG=$(KB)/rootfs.img scripts/disk.sh $(OUT) $(KB)/rootfs
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
# Each module keeps its component's include path; a test program sees
# every component (tests/unit mirrors the source tree: tests/README.md).
HOST_CC  := clang
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := $(CFLAGS_COMMON) -g -O1 $(SAN)
TEST_INC := -Ilib -Igpu -Iinitd -Ipkg -Iagent -Icdi -Icairnctl -Itests/unit
UNIT_TESTS := $(patsubst tests/unit/%.c,$(HB)/unit/%,$(shell find tests/unit -name '*_test.c' | LC_ALL=C sort))
FUZZERS := $(patsubst tests/fuzz/%.c,$(HB)/fuzz/%,$(wildcard tests/fuzz/*_fuzz.c))

# Every module once per flavour, in an archive each test links.
TEST_OBJ := $(patsubst %.c,$(HB)/obj/%.o,$(ALL_SRC))
FUZZ_OBJ := $(patsubst %.c,$(HB)/fobj/%.o,$(ALL_SRC))
$(HB)/obj/%.o: %.c $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(call inc,$<) -c -o $@ $<
$(HB)/fobj/%.o: %.c $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) $(call inc,$<) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(HB)/libtest.a: $(TEST_OBJ)
	$(Q)rm -f $@ && ar rcD $@ $^
$(HB)/libfuzz.a: $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcD $@ $^

$(HB)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(HB)/libtest.a
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(TEST_INC) -o $@ $< $(HB)/libtest.a $(PKG_LDLIBS) $(AGENT_LDLIBS)
# initd checks each extension layer with pkg before it overlays it: the
# test runs the host's pkg as the image's initd runs its own.
$(HB)/unit/initd/extensions_test: $(HB)/pkg
$(HB)/unit/initd/extensions_test: private HOST_CFLAGS += -DTEST_PKG='"$(HB)/pkg"'

# The host's programs (glibc, ASan+UBSan), each compiled in one step with
# its components' include path.
# pkg for the build host and the tests: the fault points the crash tests
# drive too (PKG_FAULT_AT, doc/pkg-db.md).  The build uses it to make and
# sign packages; the image gets the static musl one.
HOST_PKG_SRC := pkg/main.c $(PKG_SRC) $(PKG_MAKER_SRC) $(LIB_SRC)
$(HB)/pkg: $(HOST_PKG_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(INC_pkg) -DPKG_FAULTS -o $@ $(HOST_PKG_SRC) $(PKG_LDLIBS)
# The same without sanitizers, for signing with a hardware token: the
# PKCS#11 provider opens its module with RTLD_DEEPBIND, which ASan refuses.
$(HB)/pkg-token: $(HOST_PKG_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) $(INC_pkg) $(HARDEN) -O2 -o $@ $(HOST_PKG_SRC) $(PKG_LDLIBS)
host-pkg: $(HB)/pkg $(HB)/pkg-token

# cairn-cdi, cairn-agent and cairn-runtime for the build tests.
HOST_CDI_SRC := $(CDI_SRC) $(GPU_SRC) $(LIB_SRC)
HOST_AGENT_SRC := $(AGENT_SRC) $(GPU_SRC) $(LIB_SRC)
$(HB)/cairn-cdi: cdi/cdi_main.c $(HOST_CDI_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(INC_cdi) -o $@ cdi/cdi_main.c $(HOST_CDI_SRC) $(AGENT_LDLIBS)
$(HB)/cairn-runtime: cdi/runtime_main.c $(HOST_CDI_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(INC_cdi) -o $@ cdi/runtime_main.c $(HOST_CDI_SRC) $(AGENT_LDLIBS)
HOST_CTL_SRC := $(CTL_SRC) $(LIB_SRC)
$(HB)/cairnctl: cairnctl/main.c $(HOST_CTL_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(INC_cairnctl) -o $@ cairnctl/main.c $(HOST_CTL_SRC) $(AGENT_LDLIBS) -lpthread
$(HB)/cairn-agent: agent/main.c $(HOST_AGENT_SRC) $(HEADERS) | $(HB)/.hostdeps
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(INC_agent) -o $@ agent/main.c $(HOST_AGENT_SRC) $(AGENT_LDLIBS)
ifneq ($(O),$(abspath $(O)))
$(O)/build/host/pkg: $(HB)/pkg
endif

$(HB)/fuzz/%: tests/fuzz/%.c $(HB)/libfuzz.a
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOST_CC) $(CFLAGS_COMMON) $(TEST_INC) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(HB)/libfuzz.a $(PKG_LDLIBS) $(AGENT_LDLIBS)

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
		$(HB)/cairnctl $(B)/obj/agent/cairn-agent \
		$(GPU_KIT)/.built \
		$(B)/busybox/.built
	$(Q)PKG=$(HB)/pkg PKG_TOKEN=$(HB)/pkg-token CAIRN_CDI=$(HB)/cairn-cdi CAIRN_GPU_KIT=$(GPU_KIT) \
		CAIRN_AGENT=$(HB)/cairn-agent CAIRN_RUNTIME=$(HB)/cairn-runtime CAIRNCTL=$(HB)/cairnctl \
		CAIRN_AGENT_STATIC=$(B)/obj/agent/cairn-agent \
		BUSYBOX=$(B)/busybox/dest/bin/busybox \
		scripts/run-tests.sh build tests/build/*.sh

vm-tests: image $(HB)/pkg $(HB)/cairnctl $(if $(filter x86_64,$(BOARD_ARCH)),bundle)
	$(Q)OUT=$(OUT) PKG=$(HB)/pkg CAIRNCTL=$(HB)/cairnctl QEMU_MACHINE="$(QEMU_MACHINE)" \
		scripts/run-tests.sh vm tests/vm/*.sh

# On a host with an NVIDIA GPU and its driver: the kit's CDI spec applied
# to a container through cairn-runtime and runc; elsewhere it says skipped.
gpu-test: gpu-kit
	$(Q)tests/gpu/run.sh --kit $(GPU_KIT)

test: unit fuzz-smoke build-tests repro-quick vm-tests gpu-test

test-full: test
	$(Q)$(MAKE) --no-print-directory BOARD=server-x86_64 vm-tests

# ---- reproducibility, benchmarks, lint ------------------------------------
# The full check: this checkout's build against a clone's built another
# way (scripts/repro-check.sh); the quick one, in `make test`, rebuilds
# Cairn's programs and the musl-built components only.
repro-check:
	$(Q)scripts/repro-check.sh $(BOARD)
REPRO_QUICK_PKGS := busybox initd pkg cdi agent musl openssl zstd jansson
repro-quick: $(addprefix $(REPO)/.stamp-,$(REPRO_QUICK_PKGS)) $(REPO)/release $(HB)/gen_init_cpio
	$(Q)O=$(O) REPRO_QUICK_PKGS="$(REPRO_QUICK_PKGS)" PKG=$(HB)/pkg GEN_INIT_CPIO=$(HB)/gen_init_cpio \
		ROOT_PACKAGES="$(BOARD_PACKAGES)" LAYERS="$(LAYERS_ENV)" scripts/repro-quick.sh $(BOARD)

bench-boot: image
	$(Q)scripts/bench-boot.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

bench-init: image
	$(Q)scripts/bench-init.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

bench-runtime: image
	$(Q)scripts/bench-runtime.sh $(OUT) $(BENCH_N) $(QEMU_MACHINE)

# The pinned containerd on this machine (root): exec to its socket
# answering, with the image's config or CONTAINERD_CONFIGS (doc/runtime.md).
bench-containerd: $(B)/.fetched
	$(Q)scripts/bench-containerd.sh -n $(BENCH_N) $(CONTAINERD_CONFIGS)

# The image's agent (static musl) on this machine: its mTLS API beside
# openssl s_server, setup/net plan/inventory beside cat.
bench-agent: $(B)/obj/agent/cairn-agent
	$(Q)scripts/bench-agent.sh $(B)/obj/agent/cairn-agent $(BENCH_N)
bench-fleet: $(B)/obj/cairnctl/cairnctl $(B)/obj/agent/cairn-agent
	$(Q)scripts/bench-fleet.sh $(B)/obj/cairnctl/cairnctl $(B)/obj/agent/cairn-agent $(BENCH_N)

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

# Static analysis, each source with its component's include path; then
# the shape the house style sets (scripts/size-check.sh).
LINT_SRC := $(ALL_SRC) $(MAIN_SRC) $(PKG_NODE_SRC)
lint:
	$(Q)$(foreach c,lib gpu initd pkg agent cdi cairnctl,cppcheck --quiet --error-exitcode=1 \
		--enable=warning,portability,performance --std=c11 -D_GNU_SOURCE -D__$(BOARD_ARCH)__ \
		$(INC_$(c)) $(c) &&) true
	$(Q)clang-tidy --quiet $(LINT_SRC) -- $(CFLAGS_COMMON) $(TEST_INC) 2>/dev/null
	$(Q)$(foreach f,$(LINT_SRC),clang --analyze -Xanalyzer -analyzer-werror \
		-Xanalyzer -analyzer-disable-checker=valist.Uninitialized \
		-Xanalyzer -analyzer-disable-checker=security.insecureAPI.DeprecatedOrUnsafeBufferHandling \
		$(CFLAGS_COMMON) $(call inc,$(f)) -o /dev/null $(f) &&) true
	$(Q)scripts/size-check.sh $(LINT_SRC)

# The include path the build gives a source: `make -s inc SRC=agent/main.c`
# (tests/build/layering.sh).
inc:
	@echo '$(call inc,$(SRC))'

clean:
	rm -rf $(O)
distclean: clean
	rm -rf $(CAIRN_CACHE)
