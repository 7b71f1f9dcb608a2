#!/usr/bin/env python3
"""PyTorch re-implementation of RFResnetExplainable (config_cp_field_shallow_m2).

Written from docs in the shared reference (RFRESNET.md): the receptive-field
regularised ResNet of "Tracing back music emotion predictions to sound sources
and intuitive perceptual qualities" (upstream: shreyanc/model_debugging).
Module names are chosen so that state_dict keys equal upstream's exactly.

Used as a library by tools/convert_rfresnet.py and tools/bench/rfresnet_torch.py.
Run directly, it checks the module against the golden tensors:

    python tools/rfresnet_torch.py [--weights W.safetensors] [--cases C.safetensors]

(defaults: Tests/Fixtures/rfresnet/{weights,cases}.safetensors in the repo).
Needs torch, numpy and safetensors (tools/bench/setup_torch_venv.sh).
"""
import argparse
import sys
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

CONCEPTS = ["melody", "articulation", "rhythm_complexity", "rhythm_stability",
            "dissonance", "tonal_stability", "minorness"]
TARGETS = ["arousal", "valence"]
N_BANDS = 149  # input height: madmom log-filtered spectrogram bands


def getpad(x):
    """Coordinate plane (N,1,H,W) for x, c[i] = f32(f32(f32(i)*2)/H) - 1."""
    n, _, h, w = x.shape
    c = torch.arange(h, dtype=torch.float32, device=x.device) * 2 / h - 1
    return c.to(x.dtype).view(1, 1, h, 1).expand(n, 1, h, w)


def with_coord(x):
    """Append the coordinate channel AFTER the existing channels."""
    return torch.cat([x, getpad(x)], dim=1)


class BasicBlock(nn.Module):
    """coord-cat, conv1, bn1, ReLU, coord-cat, conv2, bn2, (+ shortcut), ReLU."""

    def __init__(self, c_in, c_out, k1, k2):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in + 1, c_out, k1, stride=1, padding=k1 // 3, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out + 1, c_out, k2, stride=1, padding=k2 // 3, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()  # identity when channels match
        if c_in != c_out:
            self.shortcut = nn.Sequential(OrderedDict(
                conv=nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False),
                bn=nn.BatchNorm2d(c_out)))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(with_coord(x))))
        y = self.bn2(self.conv2(with_coord(y)))
        return F.relu(y + self.shortcut(x))  # shortcut reads x without coord


class RFResnetExplainable(nn.Module):
    """Input (N,1,149,T), band 0 lowest. Returns (output N×2, concepts N×7, embedding)."""

    def __init__(self, n_concepts=7, n_targets=2):
        super().__init__()
        self.in_c = nn.Sequential(
            nn.Conv2d(1, 128, 5, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(128), nn.ReLU())
        self.stage1 = nn.Sequential(OrderedDict(
            block1=BasicBlock(128, 128, 3, 1),
            maxpool1_0=nn.MaxPool2d(2, 2),
            block2=BasicBlock(128, 128, 3, 3),
            maxpool2_1=nn.MaxPool2d(2, 2),
            block3=BasicBlock(128, 128, 3, 3)))
        self.stage2 = nn.Sequential(OrderedDict(block1=BasicBlock(128, 256, 3, 3)))
        self.stage3 = nn.Sequential(OrderedDict(block1=BasicBlock(256, 512, 1, 1)))
        self.concepts_layer = nn.Sequential(
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
            nn.Linear(512, n_concepts, bias=False))
        self.feed_forward = nn.Linear(n_concepts, n_targets, bias=False)

    def forward(self, x):
        emb = self.stage3(self.stage2(self.stage1(self.in_c(x))))
        concepts = self.concepts_layer(emb)
        return self.feed_forward(concepts), concepts, emb


def expected_shapes():
    """{key: shape} of every state_dict entry, num_batches_tracked excluded."""
    return {k: tuple(v.shape) for k, v in RFResnetExplainable().state_dict().items()
            if not k.endswith("num_batches_tracked")}


def load_model(weights_path):
    """Build the model in eval mode from a safetensors file with PyTorch key names."""
    from safetensors.torch import load_file
    sd = load_file(str(weights_path))
    model = RFResnetExplainable()
    # BatchNorm's num_batches_tracked is not stored; fill it in so strict=True
    # still checks every other key on any torch version.
    for k, v in model.state_dict().items():
        if k.endswith("num_batches_tracked"):
            sd.setdefault(k, torch.zeros_like(v))
    model.load_state_dict(sd, strict=True)
    return model.eval()


def _check(weights, cases):
    """Compare against the golden tensors; returns 0 if all within tolerance."""
    from safetensors.torch import load_file
    model = load_model(weights)
    gold = load_file(str(cases))
    worst = 0.0  # max error relative to max |ref| over all compared tensors

    def report(name, got, ref):
        nonlocal worst
        err = (got.double() - ref.double()).abs().max().item()
        rel = err / max(ref.abs().max().item(), 1e-30)
        worst = max(worst, rel)
        print(f"{name:24s} max_abs_err={err:.3e}  rel_to_max={rel:.3e}")

    for h in (74, 37, 18):  # coordinate channel must be bit-exact
        c = getpad(torch.zeros(1, 1, h, 1)).flatten()
        report(f"getpad.h{h}", c, gold[f"getpad.h{h}"])

    # Capture case c intermediates with forward hooks.
    acts = {}
    hooks = [m.register_forward_hook(lambda _m, _i, o, n=n: acts.__setitem__(n, o.clone()))
             for n, m in [("in_c", model.in_c), ("stage1.block1.conv1", model.stage1.block1.conv1),
                          ("stage1.block1", model.stage1.block1), ("stage1.block2", model.stage1.block2),
                          ("stage1", model.stage1), ("stage2", model.stage2),
                          ("stage3", model.stage3), ("pooled", model.concepts_layer[1])]]
    with torch.inference_mode():
        for case in ("a", "b", "c"):
            acts.clear()
            out, concepts, _ = model(gold[f"{case}.input"])
            report(f"{case}.concepts", concepts, gold[f"{case}.concepts"])
            report(f"{case}.output", out, gold[f"{case}.output"])
            report(f"{case}.concepts vs f64", concepts, gold[f"{case}.concepts_f64"])
            report(f"{case}.output vs f64", out, gold[f"{case}.output_f64"])
            if case == "c":
                for n, a in acts.items():
                    report(f"c.{n}", a, gold[f"c.{n}"])
    for h in hooks:
        h.remove()
    ok = worst < 1e-5
    print(f"{'PASS' if ok else 'FAIL'}: worst error relative to max|ref| = {worst:.3e} (limit 1e-5)")
    return 0 if ok else 1


if __name__ == "__main__":
    fixtures = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "rfresnet"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", default=fixtures / "weights.safetensors")
    ap.add_argument("--cases", default=fixtures / "cases.safetensors")
    args = ap.parse_args()
    torch.set_num_threads(2)  # the goldens were made on 2 threads
    print(f"torch {torch.__version__}")
    sys.exit(_check(args.weights, args.cases))
