#!/usr/bin/env bash
# npm run test:image — proves the Dockerfile without any image registry (minutes; not part of npm test).
#
# 1. Makes the base image locally: debootstrap a minimal Debian bookworm, `podman import` it and
#    tag it debian:bookworm-slim, the name the Dockerfile uses (skipped when that tag exists).
# 2. Builds the Dockerfile unchanged.
# 3. Runs `netgrade doctor`, then two `batch --shard i/2` containers over a small class folder
#    and `merge`, and one unsharded `batch`; the merged grades.csv must equal the unsharded one.
#
# Needs root (debootstrap, rootful podman) and Debian's podman and debootstrap (installed with
# apt-get when missing). Variables: WORK (scratch folder), EXERCISES (default sticky-packets,web-server: web-server drives Chromium in the image),
# MIRROR, IMAGE, WITH_CHROMIUM, BASE_ONLY=1 (stop once the base image exists).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=${WORK:-/tmp/netgrade-test-image}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
IMAGE=${IMAGE:-localhost/netgrade:test}
BASE=docker.io/library/debian:bookworm-slim
EXERCISES=${EXERCISES:-sticky-packets,web-server}
WITH_CHROMIUM=${WITH_CHROMIUM:-true}
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
  step "apt-get install podman debootstrap"
  apt-get install -y podman debootstrap
fi
podman --version
mkdir -p "$WORK"

if podman image exists "$BASE"; then
  step "base image $BASE exists"
else
  step "debootstrap --variant=minbase bookworm"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  # What the official slim image also does: no apt caches, one sources list.
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  step "podman import -> $BASE"
  tar -C "$WORK/rootfs" -c . | podman import --change 'CMD ["bash"]' - "$BASE"
  rm -rf "$WORK/rootfs"
fi

[ "${BASE_ONLY:-}" = 1 ] && exit 0

# Can podman run containers here? On this project's machine (a Firecracker VM without
# CAP_SYS_RESOURCE) crun and runc both fail with `setrlimit RLIMIT_NPROC: Operation not
# permitted` (also with --ulimit set to the host's values or lower), and crun builds fail with
# "cgroups in hybrid mode not supported". Then the build runs its steps with
# `--isolation chroot` (buildah's runtime-less mode) and the containers are run by hand:
# `podman create` + `podman mount` give the image's writable root file system, which is entered
# with unshare (mount and PID namespaces) and chroot, with the image's own entrypoint.
if probe=$(podman run --rm --network none "$BASE" true 2>&1); then
  RUNNER=podman; BUILD_ISOLATION=${BUILD_ISOLATION:-oci}
else
  echo "podman run does not work here: $probe"
  echo "-> building with --isolation chroot and running the image's entrypoint in a chroot"
  RUNNER=chroot; BUILD_ISOLATION=${BUILD_ISOLATION:-chroot}
fi

# A machine behind a TLS-inspecting proxy (this project's: NODE_EXTRA_CA_CERTS) needs its CA
# bundle for npm ci inside the build: mounted for the build's RUN steps only (the image and the
# Dockerfile stay as they are).
# Mounted beside the image's own bundle, not over it: ca-certificates' postinst replaces
# /etc/ssl/certs/ca-certificates.crt, which fails on a bind-mounted file (EBUSY).
ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  printf 'cafile=/run/netgrade-extra-ca.crt\n' >"$WORK/npmrc"
  ca=(-v "$NODE_EXTRA_CA_CERTS:/run/netgrade-extra-ca.crt:ro" -v "$WORK/npmrc:/etc/npmrc:ro")
fi

step "podman build (WITH_CHROMIUM=$WITH_CHROMIUM, isolation $BUILD_ISOLATION)"
start=$(date +%s)
podman build "${ca[@]}" --isolation "$BUILD_ISOLATION" --pull=never --network host --build-arg WITH_CHROMIUM="$WITH_CHROMIUM" -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log"; exit 1; }
grep -E '^(STEP|COMMIT|v[0-9]+\.)' "$WORK/build.log" || true
echo "built in $(( $(date +%s) - start )) s"
podman image ls "$IMAGE"

step "class folder"
rm -rf "$WORK/class" "$WORK/out"
mkdir -p "$WORK/class" "$WORK/out"
cp -r samples/ada-strong "$WORK/class/ada"
cp -r samples/ben-mistakes "$WORK/class/ben"
# A student with nothing in it and one with a single exercise (a reference solution).
mkdir -p "$WORK/class/cai" "$WORK/class/dan"
cp -r solutions/sticky-packets "$WORK/class/dan/sticky-packets"
ls "$WORK/class"

ENTRY=$(podman image inspect --format '{{range .Config.Entrypoint}}{{.}} {{end}}' "$IMAGE")
WORKDIR=$(podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE")
run() {
  if [ "$RUNNER" = podman ]; then
    podman run --rm --network none -v "$WORK/class:/class:ro" -v "$WORK/out:/out" "$IMAGE" "$@"
    return
  fi
  local ctr root code=0
  ctr=$(podman create "$IMAGE")
  root=$(podman mount "$ctr")
  unshare --mount --pid --fork --propagation private bash -c '
    set -e; root=$1; class=$2; out=$3; workdir=$4; entry=$5; shift 5
    mkdir -p "$root/class" "$root/out" "$root$workdir"
    mount -t proc proc "$root/proc"; mount --rbind /dev "$root/dev"; mount -t tmpfs tmpfs "$root/tmp"
    mount --bind "$class" "$root/class"; mount -o remount,bind,ro "$root/class"; mount --bind "$out" "$root/out"
    cd "$root$workdir"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root CHROMIUM=/usr/bin/chromium \
      sh -c "cd $workdir && exec $entry \"\$@\"" netgrade "$@"
  ' run "$root" "$WORK/class" "$WORK/out" "$WORKDIR" "$ENTRY" "$@" || code=$?
  # Cleaning up must not hide the run's own exit status (set -e would end the script here).
  podman umount "$ctr" >/dev/null || echo "(podman umount $ctr failed)" >&2
  podman rm "$ctr" >/dev/null || echo "(podman rm $ctr failed)" >&2
  return $code
}

step "netgrade doctor in the container"
run doctor || echo "(doctor exit $?)"

IFS=, read -ra ids <<<"$EXERCISES"
ex=(); for id in "${ids[@]}"; do ex+=(--exercise "$id"); done
step "batch --shard 1/2 and 2/2 (two containers at once), then merge"
start=$(date +%s)
run batch /class "${ex[@]}" --shard 1/2 --out /out/shard-1 --progress lines --exit-zero &
p1=$!
run batch /class "${ex[@]}" --shard 2/2 --out /out/shard-2 --progress lines --exit-zero &
p2=$!
c1=0; c2=0
wait $p1 || c1=$?
wait $p2 || c2=$?
echo "shards in $(( $(date +%s) - start )) s (exit codes $c1 and $c2)"
[ "$c1" = 0 ] && [ "$c2" = 0 ] || { echo "FAILED: a shard exited with an error"; exit 1; }
run merge /out/shard-1 /out/shard-2 --out /out/merged --exit-zero

step "unsharded batch"
start=$(date +%s)
run batch /class "${ex[@]}" --out /out/whole --progress lines --exit-zero
echo "unsharded in $(( $(date +%s) - start )) s"

step "compare grades.csv"
cat "$WORK/out/merged/grades.csv"
if diff <(tr -d '\r' <"$WORK/out/merged/grades.csv") <(tr -d '\r' <"$WORK/out/whole/grades.csv"); then
  echo "OK: merged shards grade as the unsharded run"
else
  echo "DIFFERENT: merged shards and the unsharded run disagree"; exit 1
fi
