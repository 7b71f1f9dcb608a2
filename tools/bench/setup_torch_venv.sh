#!/usr/bin/env bash
# Creates (or reuses) a throwaway virtualenv with PyTorch (CPU use), numpy and
# safetensors, for the PyTorch peer of the RF-ResNet benchmark and for
# tools/rfresnet_torch.py / tools/convert_rfresnet.py.
# The venv lives OUTSIDE the repository; nothing here is ever committed.
#
#   STEMTRACE_TORCH_VENV    venv path (default ~/.cache/stemtrace-bench/torch-venv)
#   STEMTRACE_TORCH_PYTHON  Python interpreter (default: pyenv's 3.12.1, else python3)
#
# PyPI's torch wheel is built for CUDA and needs its nvidia-* dependencies to
# import at all, so it is installed normally (~5.4 GB); it runs on the CPU.
#
# Exit 0: venv ready (path printed). On any failure: one line "SKIP: <reason>"
# on stdout and exit 3, so callers can report a skip instead of failing.
# All tool output goes to stderr.
set -euo pipefail

VENV="${STEMTRACE_TORCH_VENV:-$HOME/.cache/stemtrace-bench/torch-venv}"
PY="${STEMTRACE_TORCH_PYTHON:-${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12.1/bin/python}"
STEP="starting"

skip() { echo "SKIP: torch venv setup failed while ${STEP}${1:+ ($1)}"; exit 3; }
trap 'skip' ERR

torch_ok() { "$VENV/bin/python" -c 'import torch, numpy, safetensors' >/dev/null 2>&1; }

# Idempotent: an existing working venv is left untouched.
if torch_ok; then
  echo "torch venv ready: $VENV"
  exit 0
fi

STEP="looking for a Python interpreter"
if [ ! -x "$PY" ]; then
  PY="$(command -v python3 || true)"
fi
[ -n "$PY" ] && [ -x "$PY" ] || skip "no Python 3 interpreter; set STEMTRACE_TORCH_PYTHON"
"$PY" -c 'import sys; assert sys.version_info >= (3, 9)' >/dev/null 2>&1 \
  || skip "$PY is older than Python 3.9"

# shellcheck source=tools/bench/venv_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"
ensure_venv "$VENV" "$PY"

STEP="installing torch numpy safetensors from PyPI"
"$VENV/bin/python" -m pip --disable-pip-version-check install torch numpy safetensors >&2

STEP="checking that torch imports"
torch_ok || skip "import torch, numpy, safetensors failed after install"
echo "torch venv ready: $VENV"
