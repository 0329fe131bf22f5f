#!/bin/sh
# Print the path of a Python >= 3.12: from PATH first, then from pyenv's versions (the
# oldest supported first, the version CI tests). Print nothing when there is none; the Makefile then says what to install.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }
for name in python3 python3.13 python3.12 python; do
    path=$(command -v "$name" 2>/dev/null) && ok "$path" && { echo "$path"; exit 0; }
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for version in $(ls "$root/versions" 2>/dev/null | sort -V); do
    ok "$root/versions/$version/bin/python3" && { echo "$root/versions/$version/bin/python3"; exit 0; }
done
