#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# A real client: BuildStream 1.6 (Debian package `buildstream`) builds a
# small project with this bwrap first on PATH.
#
# The project has two elements:
#   sysroot.bst  import  a tiny sysroot assembled from host files: the
#                        static busybox plus exactly the gcc, cc1, as, ld,
#                        headers, crt objects and libraries that compiling
#                        hello.c needs (found with gcc -M, ld --trace, ldd)
#   hello.bst    manual  compiles hello.c in the sandbox, runs it (it reports
#                        what it sees of the sandbox) and installs files
# `bst build` runs the build commands through bwrap, `bst checkout` copies
# the artifact out; the checked-out files are then compared.  bst starts
# the bwrap it finds on PATH; ours is there as a wrapper that records each
# command line and execs $BWRAP, so the test fails if bst used another one.
#
# Everything bst writes (config, caches, artifacts, logs) stays below
# $TEST_TMP: HOME and the XDG directories point there.

. "$(dirname "$0")/lib.sh"

# Only a missing bst is a reason to skip; without the rest (all in the
# project's package list) the test fails, so CI cannot silently lose it.
BST=$(command -v bst) || skip_all "bst not installed (Debian package buildstream)"
PYTHON=/usr/bin/python3
missing=
"$PYTHON" -c 'import buildstream' 2>/dev/null ||
  missing="$missing; $BST present but $PYTHON cannot import buildstream"
command -v gcc >/dev/null || missing="$missing; gcc (the sysroot is made from host files)"
if [ ! -x /bin/busybox ] || [[ $(ldd /bin/busybox 2>&1) != *"not a dynamic executable"* ]]; then
  missing="$missing; a static /bin/busybox (Debian package busybox-static)"
fi
if [ -n "$missing" ]; then
  fail "prerequisites present" "missing: ${missing#; }"
  done_testing
  exit 1
fi

T=$TEST_TMP
PROJ=$T/project
SYSROOT=$PROJ/files/sysroot
BIN=$T/bin
# The same flags on the host (to find the headers and libraries needed)
# and in the sandbox: -O2 makes stdio.h include bits/stdio.h.
CFLAGS="-O2 -Wall -Werror"
start_s=$(date +%s.%N)
elapsed () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------ bwrap on PATH

mkdir -p "$BIN" "$T/bwrap-log"
# A recording wrapper instead of a bare symlink, so we can show that bst ran
# *this* bwrap and with which options.  exec keeps the pid bst waits on.
cat >"$BIN/bwrap" <<EOF
#!/bin/sh
n=\$(mktemp "$T/bwrap-log/call.XXXXXX")
printf '%s\0' "\$@" >"\$n"
exec "$(command -v "$BWRAP")" "\$@"
EOF
chmod 0755 "$BIN/bwrap"

# ------------------------------------------------------------ the sysroot

# sysroot_path HOSTPATH: sets SYSROOT_PATH, where HOSTPATH goes in the
# merged-/usr sysroot (/lib/x -> usr/lib/x, /usr/lib/gcc/../../x
# normalised, symlinks not followed, as `realpath -m -s` would; in bash,
# for the ~100 calls).
sysroot_path ()
{
  local - part p=
  local -a out=()
  set -f
  local IFS=/
  for part in $1; do
    case $part in
      '' | .) ;;
      ..) [ ${#out[@]} = 0 ] || unset 'out[-1]' ;;
      *) out+=("$part") ;;
    esac
  done
  for part in "${out[@]}"; do p=$p/$part; done
  case $p in
    /bin/* | /sbin/* | /lib/* | /lib64/*) p=/usr$p ;;
  esac
  SYSROOT_PATH=$SYSROOT$p
}

# sysroot_add HOSTPATH [NAME]: copy HOSTPATH (symlinks followed) to its
# place in the sysroot, or to usr/bin/NAME; ELF files bring their
# shared libraries along.
sysroot_add ()
{
  local src=$1 dst lib magic=
  if [ -n "${2:-}" ]; then
    dst=$SYSROOT/usr/bin/$2
  else
    sysroot_path "$src"
    dst=$SYSROOT_PATH
  fi
  [ -e "$dst" ] && return 0
  [ -d "${dst%/*}" ] || mkdir -p "${dst%/*}"
  cp -L "$src" "$dst" || return 1
  # Shared libraries of executables and libraries (not of .o / .a files).
  # (The ELF magic read by bash itself: no process per file.)
  { IFS= read -r -N 4 magic <"$src"; } 2>/dev/null
  if { [ -x "$src" ] || [[ $src == *.so* ]]; } && [ "$magic" = $'\x7fELF' ]; then
    while read -r lib; do
      sysroot_add "$lib" || return 1
    done < <(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' )
  fi
}

build_sysroot ()
{
  local f tool
  mkdir -p "$SYSROOT/usr/bin" "$SYSROOT/usr/lib" "$SYSROOT/usr/lib64"
  for f in bin sbin; do ln -s usr/bin "$SYSROOT/$f"; done
  ln -s usr/lib "$SYSROOT/lib"
  ln -s usr/lib64 "$SYSROOT/lib64"

  # Driver, assembler and linker under their plain names; the compiler
  # proper, collect2 and the LTO plugin where gcc looks for them.
  sysroot_add "$(command -v gcc)" gcc || return 1
  for tool in as ld; do
    sysroot_add "$(command -v "$tool")" "$tool" || return 1
  done
  for tool in cc1 collect2 lto-wrapper liblto_plugin.so; do
    f=$(gcc -print-file-name="$tool")
    if [ "${f#/}" != "$f" ] && [ -e "$f" ]; then
      sysroot_add "$f" || return 1
    fi
  done

  # Every header hello.c includes and every file the link reads.
  (cd "$T" && gcc $CFLAGS -M "$PROJ/files/src/hello.c") | tr -d '\\' | tr ' ' '\n' |
    grep '^/' | grep -v '/hello\.c$' >"$T/needed" || return 1
  (cd "$T" && gcc $CFLAGS -o "$T/hello-host" "$PROJ/files/src/hello.c" -Wl,--trace) |
    grep -E '^/(usr|lib|lib64)/' >>"$T/needed" || return 1
  sort -u -o "$T/needed" "$T/needed"
  while read -r f; do
    sysroot_add "$f" || return 1
  done <"$T/needed"

  # The shell and tools: busybox applets (links to /usr/bin/busybox; it
  # does not replace the toolchain's files already there).
  cp /bin/busybox "$SYSROOT/usr/bin/busybox"
  /bin/busybox --install -s "$SYSROOT/usr/bin" || return 1
  for tool in sh awk cat cp id ln ls mkdir test; do
    [ -L "$SYSROOT/usr/bin/$tool" ] || { echo "busybox did not install $tool"; return 1; }
  done
}

mkdir -p "$PROJ/elements" "$PROJ/files/src"
cat >"$PROJ/files/src/hello.c" <<'EOF'
/* Built and run inside BuildStream's bwrap sandbox; reports what it sees. */
#include <stdio.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  char host[256] = "";
  FILE *out = argc > 1 ? fopen (argv[1], "w") : stdout;

  if (out == NULL)
    return 2;
  gethostname (host, sizeof host - 1);
  fprintf (out, "hello from the sandbox\n");
  fprintf (out, "uid=%d gid=%d\n", (int) getuid (), (int) getgid ());
  fprintf (out, "hostname=%s\n", host);
  fprintf (out, "root-writable=%s\n", access ("/", W_OK) == 0 ? "yes" : "no");
  fprintf (out, "pid-is-1=%s\n", getpid () == 1 ? "yes" : "no");
  return fclose (out) == 0 ? 0 : 3;
}
EOF
printf 'data installed by hello.bst\n' >"$PROJ/files/src/hello.txt"

if build_sysroot >"$T/sysroot.log" 2>&1; then
  sysroot_s=$(date +%s.%N)
  pass "sysroot assembled from host files ($(du -sm "$SYSROOT" | cut -f1) MB, $(find "$SYSROOT" -type f | wc -l) files)"
else
  fail "sysroot assembled from host files" "$(tail -n 20 "$T/sysroot.log")"
  done_testing
  exit 1
fi

cat >"$PROJ/project.conf" <<'EOF'
name: bwraptest
element-path: elements
EOF
# The integration command runs when hello.bst's sandbox is staged, with a
# writable root that bst serves through its SafeHardlinks FUSE layer: the
# second way bst 1.6 runs bwrap (no --remount-ro, a FUSE mount as root).
cat >"$PROJ/elements/sysroot.bst" <<'EOF'
kind: import
sources:
- kind: local
  path: files/sysroot
public:
  bst:
    integration-commands:
    - |
      mkdir -p /etc
      root_fs=$(awk '$5 == "/" { for (i = 7; $i != "-"; i++) ; t = $(i + 1) } END { print t }' /proc/self/mountinfo)
      echo "integrated as $(id -u) on $root_fs" >/etc/integrated
EOF
cat >"$PROJ/elements/hello.bst" <<EOF
kind: manual
build-depends:
- sysroot.bst
sources:
- kind: local
  path: files/src
config:
  build-commands:
  - gcc $CFLAGS -o hello hello.c
  - ./hello report.txt
  - ls /tmp >tmp-listing.txt
  - cat /etc/integrated >integrated.txt
  install-commands:
  - mkdir -p "%{install-root}/usr/bin" "%{install-root}/usr/share/hello"
  - cp hello "%{install-root}/usr/bin/hello"
  - cp report.txt hello.txt tmp-listing.txt integrated.txt "%{install-root}/usr/share/hello/"
  - ln -s hello "%{install-root}/usr/bin/hello-link"
  # No objcopy/strip in the sysroot.
  strip-commands: []
EOF

# ------------------------------------------------------------ bst

mkdir -p "$T/home" "$T/xdg-cache" "$T/xdg-config" "$T/xdg-data"
cat >"$T/buildstream.conf" <<EOF
sourcedir: $T/xdg-cache/bst/sources
builddir: $T/xdg-cache/bst/build
artifactdir: $T/xdg-cache/bst/artifacts
logdir: $T/xdg-cache/bst/logs
scheduler:
  builders: 1
  on-error: quit
EOF

# bst_run ARGS...: bst in the project, ours first on PATH, a private HOME.
bst_run ()
{
  RUN_CWD=$PROJ RUN_TIMEOUT=300 run env -i \
    PATH="$BIN:/usr/bin:/bin:/usr/sbin:/sbin" \
    HOME="$T/home" \
    XDG_CACHE_HOME="$T/xdg-cache" \
    XDG_CONFIG_HOME="$T/xdg-config" \
    XDG_DATA_HOME="$T/xdg-data" \
    LC_ALL=C.UTF-8 \
    "$PYTHON" "$BST" -c "$T/buildstream.conf" --no-interactive --no-colors "$@"
}

assert_eq "$BIN/bwrap" "$(env -i PATH="$BIN:/usr/bin:/bin" "$PYTHON" -c \
  'from buildstream import utils; print(utils.get_host_tool("bwrap"))' 2>&1)" \
  "bst resolves bwrap to ours (first on PATH)"

bst_run build hello.bst
build_s=$(date +%s.%N)
assert_rc 0 "bst build hello.bst"

bst_run checkout hello.bst "$T/checkout"
assert_rc 0 "bst checkout hello.bst"
checkout_s=$(date +%s.%N)

# bst shell: the interactive flavour (--dev /dev instead of single
# devices, network and uid shared: --unshare-user without --uid), here with
# a command and no terminal.
bst_run shell --build hello.bst -- \
  sh -c 'test -c /dev/null && test -e /dev/pts/ptmx && cat /etc/integrated && id -u && cat /proc/self/uid_map'
assert_rc 0 "bst shell --build hello.bst -- COMMAND"
if is_setuid; then
  # new setuid design: one level of maps, written from outside; with --dev
  # and neither id 0, 0 goes to the overflow id (devpts needs uid and gid
  # 0 mapped to mount).
  shell_map=" *0 +$(cat /proc/sys/kernel/overflowuid) +1
 *$HOST_UID +$HOST_UID +1"
else
  shell_map=" *$HOST_UID +[0-9]+ +1"
fi
assert_match "integrated as 0 on fuse
$HOST_UID
$shell_map" "$RUN_OUT" \
  "bst shell: the command ran in the build sandbox (--dev /dev, own uid in a user namespace)"
end_s=$(date +%s.%N)

# ------------------------------------------------------------ results

C=$T/checkout
assert_eq "hello from the sandbox
uid=0 gid=0
hostname=buildstream
root-writable=no
pid-is-1=no" "$(cat "$C/usr/share/hello/report.txt" 2>&1)" \
  "report written in the sandbox: build uid/gid 0, hostname, read-only root, not pid 1 (a pid-1 helper)"
assert_file_content "$C/usr/share/hello/hello.txt" "data installed by hello.bst" \
  "source file installed"
assert_file_content "$C/usr/share/hello/tmp-listing.txt" "" "the sandbox's /tmp is a fresh empty tmpfs"
assert_file_content "$C/usr/share/hello/integrated.txt" "integrated as 0 on fuse" \
  "sysroot's integration command ran (writable FUSE-backed root)"
check "usr/bin/hello is an executable ELF file" \
  eval '[ -x "$C/usr/bin/hello" ] && [ "$(head -c4 "$C/usr/bin/hello" | od -An -c | tr -d " ")" = 177ELF ]'
assert_eq "hello" "$(readlink "$C/usr/bin/hello-link")" "symlink installed"
# The binary was linked against the host's own libc, so it runs here too.
run "$C/usr/bin/hello"
assert_match "hello from the sandbox
uid=$HOST_UID gid=$HOST_GID
hostname=.*
root-writable=(yes|no)
pid-is-1=no" "$RUN_OUT" "the built program runs on the host"
assert_eq "bin/hello bin/hello-link share/hello/hello.txt share/hello/integrated.txt share/hello/report.txt share/hello/tmp-listing.txt" \
  "$(cd "$C/usr" 2>/dev/null && find . ! -type d | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "the checkout holds exactly the installed files"

# ------------------------------------------------------------ how bst ran bwrap

calls=("$T"/bwrap-log/call.*)
: >"$T/bwrap-calls"
for f in "${calls[@]}"; do
  [ -e "$f" ] || continue
  tr '\0\n' ' ~' <"$f" >>"$T/bwrap-calls"
  echo >>"$T/bwrap-calls"
done
diag "bst ran our bwrap $(wc -l <"$T/bwrap-calls") times:"
for f in "${calls[@]}"; do
  [ -e "$f" ] || continue
  # One line per call; the environment options are only counted.
  awk -v RS='\0' '
    skip > 0 { skip--; next }
    $0 == "--setenv" { nset++; skip = 2; next }
    $0 == "--unsetenv" { nunset++; skip = 1; next }
    { gsub(/\n/, "\\n"); line = line " " $0 }
    END { if (nset || nunset) line = line "   [+ " nset " --setenv, " nunset " --unsetenv]"; print substr(line, 2) }
  ' "$f"
done | sed -E "s|$T|\$T|g; s/ sh -c -e .*(   \[)/ sh -c -e <command>\1/" | sort | uniq -c >"$T/bwrap-calls-summary"
diag "$(cat "$T/bwrap-calls-summary")"
check "bst asked our bwrap for --version" grep -qx -- '--version ' "$T/bwrap-calls"
check "bst probed --ro-bind / / --unshare-user --uid 0 --gid 0 whoami" \
  grep -q -- '^--ro-bind / / --unshare-user --uid 0 --gid 0 [^ ]*whoami $' "$T/bwrap-calls"
# hello.bst has 4 build and 4 install commands, each a bwrap run on a
# read-only root.
assert_eq 8 "$(grep -c -- '^--setenv .* --unshare-pid --die-with-parent --bind [^ ]* / .* --remount-ro / --unshare-user --uid 0 --gid 0 sh -c -e ' "$T/bwrap-calls")" \
  "each build and install command ran through our bwrap (--remount-ro /)"
check "integration commands ran through our bwrap on bst's FUSE mount (no --remount-ro)" \
  grep -q -- '--bind [^ ]*/mount / .* --unshare-user --uid 0 --gid 0 sh -e -c ' "$T/bwrap-calls"
check "bst shell ran through our bwrap (--dev /dev, --unshare-user without --uid)" \
  grep -q -- '--dev /dev .* --unshare-user sh -c ' "$T/bwrap-calls"

diag "time: sysroot $(elapsed "$start_s" "$sysroot_s") s, bst build $(elapsed "$sysroot_s" "$build_s") s," \
  "bst checkout $(elapsed "$build_s" "$checkout_s") s, bst shell $(elapsed "$checkout_s" "$end_s") s"
done_testing
