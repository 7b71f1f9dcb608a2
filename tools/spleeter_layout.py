"""The stemtrace layout of a spleeter model, shared by convert_spleeter.py and make_spleeter_random.py.

Standard library only (a fresh Debian python3 has no numpy), so the converter runs on any
machine that has python3. This module knows three things:

- which instruments a layout has, in spleeter's config order (spleeter/resources/{2,4,5}stems.json),
  and the model settings stemtrace must reproduce (activations and mask type differ: 4stems and
  5stems use ELU, 5stems normalises the logit masks with a softmax across instruments);
- the tensors of one instrument's U-Net (spleeter/model/functions/unet.py), their shapes and the
  TensorFlow variable each comes from (see variable_map);
- how to write and read back a deterministic safetensors file (sorted names, data in that order,
  header padded with spaces to a multiple of 8, written to a temporary file then renamed).
"""
import json
import os
import struct
import tempfile

LAYOUTS = {
    "2stems": ("vocals", "accompaniment"),
    "4stems": ("vocals", "drums", "bass", "other"),
    "5stems": ("vocals", "piano", "drums", "bass", "other"),
}
# spleeter's "model" section of each config: type, conv_activation, deconv_activation.
MODEL = {
    "2stems": ("unet.unet", "LeakyReLU", "ReLU"),
    "4stems": ("unet.unet", "ELU", "ELU"),
    "5stems": ("unet.softmax_unet", "ELU", "ELU"),
}
FILTERS = (16, 32, 64, 128, 256, 512)  # conv1..conv6; deconv1..6 output 256, 128, 64, 32, 16, 1
BN_PARAMS = ("gamma", "beta", "moving_mean", "moving_variance")


def unet_shapes():
    """Tensor name (without the instrument prefix) -> shape, for one U-Net, in layer order."""
    shapes = {}
    cin = 2  # stereo magnitude
    for k, cout in enumerate(FILTERS, 1):  # Conv2D 5x5 stride 2, kernel HWIO
        shapes[f"conv{k}/kernel"] = [5, 5, cin, cout]
        shapes[f"conv{k}/bias"] = [cout]
        shapes.update({f"conv{k}/bn/{p}": [cout] for p in BN_PARAMS})
        cin = cout
    # Conv2DTranspose kernels are H W out in. deconv1 reads conv6 (512); deconv k>1 reads the
    # concatenation [conv(7-k), bn(deconv k-1)], i.e. twice deconv k-1's output channels.
    outs = list(reversed(FILTERS[:-1])) + [1]
    cin = FILTERS[-1]
    for k, cout in enumerate(outs, 1):
        shapes[f"deconv{k}/kernel"] = [5, 5, cout, cin]
        shapes[f"deconv{k}/bias"] = [cout]
        shapes.update({f"deconv{k}/bn/{p}": [cout] for p in BN_PARAMS})
        cin = 2 * cout
    shapes["mask/kernel"] = [4, 4, 1, 2]  # 4x4, dilation 2, 1 channel in, 2 (stereo) masks out
    shapes["mask/bias"] = [2]
    return shapes


def _tf(base, n):
    """TensorFlow's layer naming: the first layer of a kind is `base`, the next `base_1`, ..."""
    return base if n == 0 else f"{base}_{n}"


def variable_map(layout):
    """Output name -> (TensorFlow variable name, shape), for every tensor of the layout.

    Keras numbers layers of one kind in graph-creation order across all U-Nets, which spleeter
    builds one per instrument in config order. Instrument i (0-based) owns conv2d_{7i}..{7i+6}
    (conv1..conv6, then the mask conv), conv2d_transpose_{6i}..{6i+5} (deconv1..6) and
    batch_normalization_{12i}..{12i+11} (conv1..6's, then deconv1..6's), suffix _0 omitted.
    """
    out = {}
    for i, instrument in enumerate(LAYOUTS[layout]):
        for local, shape in unet_shapes().items():
            layer, *rest = local.split("/")  # conv3/kernel, conv3/bn/gamma, mask/bias
            if layer == "mask":
                tf_layer = _tf("conv2d", 7 * i + 6)
            else:
                k, decoder = int(layer[-1]) - 1, layer.startswith("deconv")
                if rest[0] == "bn":
                    tf_layer = _tf("batch_normalization", 12 * i + 6 * decoder + k)
                elif decoder:
                    tf_layer = _tf("conv2d_transpose", 6 * i + k)
                else:
                    tf_layer = _tf("conv2d", 7 * i + k)
            out[f"{instrument}/{local}"] = (f"{tf_layer}/{rest[-1]}", shape)
    return out


def metadata(layout, source):
    """The safetensors __metadata__ of a converted (or random) spleeter model; all strings."""
    model, conv_act, deconv_act = MODEL[layout]
    return {
        "stemtrace.kind": "spleeter",
        "spleeter.layout": layout,
        "spleeter.instruments": ",".join(LAYOUTS[layout]),
        "spleeter.model": model,
        "spleeter.conv_activation": conv_act,
        "spleeter.deconv_activation": deconv_act,
        "spleeter.sample_rate": "44100",
        "spleeter.frame_length": "4096",
        "spleeter.frame_step": "1024",
        "spleeter.T": "512",
        "spleeter.F": "1024",
        "spleeter.n_channels": "2",
        "spleeter.separation_exponent": "2",
        "spleeter.mask_extension": "zeros",
        "source": source,
        "licence": "MIT (Deezer spleeter; see LICENSE beside this file)",
    }


def write_safetensors(path, tensors, meta):
    """Write {name: (shape, float32 little-endian bytes)} atomically and deterministically."""
    header = {"__metadata__": meta}
    offset = 0
    names = sorted(tensors)
    for name in names:
        shape, data = tensors[name]
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for name in names:
                f.write(tensors[name][1])
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_safetensors_header(path):
    """(header dict, data start, file size) of a safetensors file; ValueError when malformed."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if size < 8:
            raise ValueError(f"{path}: shorter than 8 bytes")
        (n,) = struct.unpack("<Q", f.read(8))
        if n > size - 8 or n > 100_000_000:
            raise ValueError(f"{path}: header length {n} does not fit the {size}-byte file")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: header is not a JSON object")
    return header, 8 + n, size


def check_spleeter_file(path, layout=None):
    """Raise ValueError unless path is a spleeter model in exactly the stemtrace layout."""
    header, start, size = read_safetensors_header(path)
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or meta.get("stemtrace.kind") != "spleeter":
        raise ValueError(f"{path}: __metadata__ lacks stemtrace.kind=spleeter")
    layout = layout or meta.get("spleeter.layout")
    if layout not in LAYOUTS:
        raise ValueError(f"{path}: unknown spleeter.layout {layout!r}")
    want = {name: shape for name, (_, shape) in variable_map(layout).items()}
    have = {k: v for k, v in header.items() if k != "__metadata__"}
    if set(have) != set(want):
        raise ValueError(f"{path}: tensors differ from the {layout} layout: missing "
                         f"{sorted(set(want) - set(have))[:5]}, extra {sorted(set(have) - set(want))[:5]}")
    for name, entry in have.items():
        ok = isinstance(entry, dict) and entry.get("dtype") == "F32" and entry.get("shape") == want[name]
        offsets = entry.get("data_offsets") if ok else None
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(v) is int for v in offsets)
                and 0 <= offsets[0] <= offsets[1] <= size - start
                and offsets[1] - offsets[0] == 4 * prod(want[name])):
            raise ValueError(f"{path}: tensor {name} has a wrong dtype, shape or offsets ({entry})")
    return header


def prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n
