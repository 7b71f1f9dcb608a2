# Sourced by the tools/bench/setup_*_venv.sh scripts (throwaway virtualenvs for the Python peers,
# outside the repository).

# ensure_venv VENV PYTHON: creates the virtualenv VENV with PYTHON unless a working one is there.
# A half-made venv (interpreter not runnable) is recreated; only a directory that really is a
# venv (has pyvenv.cfg) is ever deleted. Uses the caller's `skip` and sets its STEP.
ensure_venv() {
  local venv=$1 python=$2
  STEP="creating the virtualenv at $venv"
  if [ -d "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    [ -f "$venv/pyvenv.cfg" ] || skip "$venv exists and is not a virtualenv"
    rm -rf "$venv"
  fi
  if [ ! -d "$venv" ]; then
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv" >&2
  fi
}
