#!/usr/bin/env python3
"""Convert a PyTorch RFResnetExplainable checkpoint to a stemtrace safetensors model.

    python tools/convert_rfresnet.py CHECKPOINT.pt OUT.safetensors

CHECKPOINT is a state_dict saved with torch.save, either bare or wrapped as
{'state_dict': ...} / {'model_state_dict': ...}, optionally with the 'module.'
prefix that DataParallel adds. The output keeps PyTorch's key names, stores
every tensor as contiguous float32, drops BatchNorm's num_batches_tracked, and
carries the model description in the safetensors __metadata__. Every key and
shape of the architecture (tools/rfresnet_torch.py) must be present, and no
other key may be; otherwise nothing is written and the differences are listed.
Needs torch and safetensors (tools/bench/setup_torch_venv.sh).
"""
import importlib.util
import json
import pickle
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

# Load the architecture from tools/rfresnet_torch.py by path (no package needed).
_spec = importlib.util.spec_from_file_location(
    "stemtrace_rfresnet_model", Path(__file__).resolve().parent / "rfresnet_torch.py")
arch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(arch)

METADATA = {
    "format": "stemtrace-model",
    "architecture": "RFResnetExplainable/config_cp_field_shallow_m2",
    "kind": "rfresnet",
    "stemtrace.kind": "rfresnet",
    "input": "logfiltspec 149 bands x T frames, 22050 Hz, fps 31.3 (madmom, see docs)",
    "concepts": json.dumps(arch.CONCEPTS),
    "outputs": json.dumps(arch.TARGETS),
}


def extract_state_dict(ckpt):
    """Unwrap {'state_dict': …}/{'model_state_dict': …} and strip 'module.'."""
    if isinstance(ckpt, dict):
        for wrapper in ("state_dict", "model_state_dict"):
            if isinstance(ckpt.get(wrapper), dict):
                ckpt = ckpt[wrapper]
                break
    if not isinstance(ckpt, dict) or not all(torch.is_tensor(v) for v in ckpt.values()):
        raise ValueError("checkpoint is not a state_dict of tensors (nor wrapped in "
                         "'state_dict' / 'model_state_dict')")
    if ckpt and all(k.startswith("module.") for k in ckpt):
        ckpt = {k[len("module."):]: v for k, v in ckpt.items()}
    return {k: v for k, v in ckpt.items() if not k.endswith("num_batches_tracked")}


def validate(sd):
    """Raise ValueError listing missing / unexpected / wrongly shaped keys."""
    want = arch.expected_shapes()
    missing = sorted(set(want) - set(sd))
    unexpected = sorted(set(sd) - set(want))
    bad = sorted(f"{k}: got {tuple(sd[k].shape)}, expected {want[k]}"
                 for k in set(want) & set(sd) if tuple(sd[k].shape) != want[k])
    problems = [f"{title} ({len(items)}):\n  " + "\n  ".join(items)
                for title, items in (("missing keys", missing), ("unexpected keys", unexpected),
                                     ("shape mismatches", bad)) if items]
    if problems:
        raise ValueError("checkpoint does not match RFResnetExplainable/"
                         "config_cp_field_shallow_m2:\n" + "\n".join(problems))


def convert(src, dst):
    ckpt = torch.load(src, map_location="cpu", weights_only=True)
    sd = extract_state_dict(ckpt)
    validate(sd)
    tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in sd.items()}
    save_file(tensors, str(dst), metadata={**METADATA, "source": Path(src).name})
    return len(tensors)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        n = convert(argv[1], argv[2])
    except (ValueError, OSError, RuntimeError, pickle.UnpicklingError) as e:  # unreadable file
        print(f"convert_rfresnet: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {argv[2]}: {n} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
