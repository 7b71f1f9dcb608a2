#!/usr/bin/env python3
"""Convert a spleeter TensorFlow checkpoint to one stemtrace safetensors file, without TensorFlow.

    tools/convert_spleeter.py DIR/model --layout 2stems --output OUT.safetensors [--source TEXT]
    tools/convert_spleeter.py DIR/model --list

Standard library only: the checkpoint is read by hand so that a machine with a bare python3 (no
TensorFlow, no numpy) can convert the weights. A TensorFlow V2 checkpoint is a tensor bundle:
`model.index` is a LevelDB-format SSTable (footer: metaindex and index BlockHandles as varints,
zero padding, magic 0xdb4775248b80fb57; blocks of prefix-compressed entries, a restart array and
a 5-byte trailer: compression type, masked crc32c of block+type), mapping "" to a
BundleHeaderProto and each variable name to a BundleEntryProto; the bytes live in
`model.data-SSSSS-of-NNNNN` at the entry's offset. Each entry's crc32c field holds crc32c::Mask()
of the tensor bytes, as TensorFlow writes it (tensor_bundle.cc) and as the real 2stems checkpoint
confirms. The files are treated as hostile: every length and offset is checked before it is used,
blocks and tensors are checksum-verified, weights must be finite float32 of exactly the expected
shape, and any failure ends with exit code 1 and a message naming the file and the tensor.

Naming rule (spleeter_layout.variable_map): spleeter builds one U-Net per instrument in config
order (2stems: vocals, accompaniment; 4stems: vocals, drums, bass, other; 5stems: vocals, piano,
drums, bass, other) and Keras numbers layers of a kind across all of them, the first without a
suffix. Instrument i (0-based) owns
    conv2d_{7i+k-1}                  -> I/conv{k}/kernel [5,5,Cin,Cout], I/conv{k}/bias   (k=1..6)
    conv2d_{7i+6}                    -> I/mask/kernel [4,4,1,2], I/mask/bias [2]
    conv2d_transpose_{6i+k-1}        -> I/deconv{k}/kernel [5,5,Cout,Cin], I/deconv{k}/bias
    batch_normalization_{12i+k-1}    -> I/conv{k}/bn/{gamma,beta,moving_mean,moving_variance}
    batch_normalization_{12i+6+k-1}  -> I/deconv{k}/bn/...
Tensors keep TensorFlow's layouts (HWIO; transposed convs H W out in), float32, untransposed.
global_step and Adam slots are ignored; any other extra or missing variable is refused.
"""
import argparse
import array
import math
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spleeter_layout  # noqa: E402

MAX_INDEX_BYTES = 64 << 20  # a 5-stem index is ~15 kB
TABLE_MAGIC = 0xDB4775248B80FB57
DTYPES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string",
          9: "int64", 10: "bool", 14: "bfloat16", 19: "float16", 20: "resource", 21: "variant"}
DT_FLOAT = 1


class BadInput(Exception):
    """A checkpoint this tool refuses; the message names the file (and tensor)."""


# ---- crc32c (Castagnoli), slicing-by-8 over little-endian 64-bit words ----
def _crc_tables():
    t0 = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t0.append(c)
    tables = [t0]
    for _ in range(7):
        prev = tables[-1]
        tables.append([(v >> 8) ^ t0[v & 0xFF] for v in prev])
    return tables


CRC_TABLES = _crc_tables()


def crc32c(data):
    crc = 0xFFFFFFFF
    n = len(data) // 8 * 8
    words = array.array("Q")
    words.frombytes(data[:n])
    if sys.byteorder == "big":
        words.byteswap()
    t0, t1, t2, t3, t4, t5, t6, t7 = CRC_TABLES
    for w in words:
        w ^= crc
        crc = (t7[w & 0xFF] ^ t6[(w >> 8) & 0xFF] ^ t5[(w >> 16) & 0xFF] ^ t4[(w >> 24) & 0xFF]
               ^ t3[(w >> 32) & 0xFF] ^ t2[(w >> 40) & 0xFF] ^ t1[(w >> 48) & 0xFF] ^ t0[w >> 56])
    for b in data[n:]:
        crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc_mask(crc):
    """LevelDB's / TensorFlow's crc32c::Mask: rotate right by 15 and add a constant."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


# ---- varints and protobuf wire format ----
def varint(buf, pos, end, what):
    """Decode a base-128 varint of at most 10 bytes (< 2**64) from buf[pos:end]."""
    value = shift = 0
    while True:
        if pos >= end:
            raise BadInput(f"{what}: truncated varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
        if shift >= 70:
            raise BadInput(f"{what}: varint longer than 10 bytes")
    if value >> 64:
        raise BadInput(f"{what}: varint exceeds 64 bits")
    return value, pos


def proto_fields(buf, what):
    """[(field number, value)] of a protobuf message: int for varint/fixed, bytes for length-delimited."""
    out, pos, end = [], 0, len(buf)
    while pos < end:
        key, pos = varint(buf, pos, end, what)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise BadInput(f"{what}: protobuf field number 0")
        if wire == 0:
            value, pos = varint(buf, pos, end, what)
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > end:
                raise BadInput(f"{what}: truncated fixed{width * 8} field {field}")
            value = int.from_bytes(buf[pos:pos + width], "little")
            pos += width
        elif wire == 2:
            length, pos = varint(buf, pos, end, what)
            if length > end - pos:
                raise BadInput(f"{what}: field {field} of {length} bytes overruns the message")
            value = bytes(buf[pos:pos + length])
            pos += length
        else:
            raise BadInput(f"{what}: unsupported protobuf wire type {wire} (field {field})")
        out.append((field, value))
    return out


def signed64(v, what, field):
    if v >= 1 << 63:
        raise BadInput(f"{what}: negative {field}")
    return v


# ---- the LevelDB-format table of the .index file ----
def read_block(data, handle, path, what):
    offset, size = handle
    limit = len(data) - 48  # blocks precede the footer
    if offset > limit or size > limit - offset or 5 > limit - offset - size:
        raise BadInput(f"{path}: {what} block [{offset}, +{size}] lies outside the file")
    block = data[offset:offset + size]
    kind = data[offset + size]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if kind != 0:
        raise BadInput(f"{path}: {what} block uses compression type {kind}; only 0 (none) is supported")
    if crc_mask(crc32c(block + bytes([kind]))) != stored:
        raise BadInput(f"{path}: {what} block at offset {offset} fails its crc32c check")
    return block


def block_entries(block, path, what):
    """[(key, value)] of one block: prefix-compressed entries, then uint32 restarts and their count."""
    if len(block) < 4:
        raise BadInput(f"{path}: {what} block is shorter than its restart count")
    (count,) = struct.unpack_from("<I", block, len(block) - 4)
    if count < 1 or count > (len(block) - 4) // 4:
        raise BadInput(f"{path}: {what} block declares {count} restart points")
    end = len(block) - 4 * (count + 1)
    restarts = struct.unpack_from(f"<{count}I", block, end)
    entries, starts, key, pos = [], {}, b"", 0
    while pos < end:
        at = pos
        shared, pos = varint(block, pos, end, f"{path}: {what} block")
        unshared, pos = varint(block, pos, end, f"{path}: {what} block")
        vlen, pos = varint(block, pos, end, f"{path}: {what} block")
        if shared > len(key) or unshared > end - pos or vlen > end - pos - unshared:
            raise BadInput(f"{path}: {what} block has a corrupt entry at byte {at}")
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        entries.append((key, block[pos:pos + vlen]))
        pos += vlen
        starts[at] = shared
    for r in restarts:
        if (starts.get(r) != 0) if entries else (r != 0):
            raise BadInput(f"{path}: {what} block has a restart point ({r}) that is not an entry start")
    return entries


def read_table(path):
    """All (key, value) pairs of the SSTable in path, in order; keys strictly increasing."""
    size = os.path.getsize(path)
    if size < 48 or size > MAX_INDEX_BYTES:
        raise BadInput(f"{path}: {size} bytes is not the size of a checkpoint index")
    with open(path, "rb") as f:
        data = f.read()
    if struct.unpack_from("<Q", data, size - 8)[0] != TABLE_MAGIC:
        raise BadInput(f"{path}: not a TensorFlow checkpoint index (no table magic number)")
    handles, pos = [], size - 48
    for _ in range(4):
        v, pos = varint(data, pos, size - 8, f"{path}: footer")
        handles.append(v)
    read_block(data, (handles[0], handles[1]), path, "metaindex")  # unused by TensorFlow; verified
    index = block_entries(read_block(data, (handles[2], handles[3]), path, "index"), path, "index")
    out = []
    for sep, value in index:
        offset, p = varint(value, 0, len(value), f"{path}: index entry")
        length, p = varint(value, p, len(value), f"{path}: index entry")
        for key, val in block_entries(read_block(data, (offset, length), path, "data"), path, "data"):
            if (out and key <= out[-1][0]) or key > sep:
                raise BadInput(f"{path}: keys out of order at {key!r}")
            out.append((key, val))
    return out


# ---- the tensor bundle ----
def parse_shape(buf, what):
    dims = []
    for field, value in proto_fields(buf, what):
        if field == 3 and value:
            raise BadInput(f"{what}: shape of unknown rank")
        if field == 2:
            if not isinstance(value, bytes):
                raise BadInput(f"{what}: malformed shape dimension")
            size = 0
            for f, v in proto_fields(value, what):
                if f == 1:
                    if not isinstance(v, int):
                        raise BadInput(f"{what}: malformed shape dimension")
                    size = signed64(v, what, "dimension")
            dims.append(size)
    return dims


def read_index(prefix):
    """(number of shards, {name: entry dict}) from PREFIX.index."""
    path = prefix + ".index"
    pairs = read_table(path)
    if not pairs or pairs[0][0] != b"":
        raise BadInput(f"{path}: no bundle header (the entry for the empty key)")
    header = dict(proto_fields(pairs[0][1], f"{path}: bundle header"))
    version = header.get(3, b"")
    version = dict(proto_fields(version, f"{path}: bundle version")) if isinstance(version, bytes) else {}
    shards, endianness, min_consumer = header.get(1, 0), header.get(2, 0), version.get(2, 0)
    if not all(isinstance(v, int) for v in (shards, endianness, min_consumer)):
        raise BadInput(f"{path}: malformed bundle header")
    if not 1 <= shards <= 99999:
        raise BadInput(f"{path}: bundle header declares {shards} shards")
    if endianness != 0:
        raise BadInput(f"{path}: big-endian bundles are not supported")
    if min_consumer > 1:
        raise BadInput(f"{path}: bundle format is newer than version 1")
    entries = {}
    for raw, value in pairs[1:]:
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"{path}: variable name {raw!r} is not UTF-8") from None
        what = f"{path}: variable {name}"
        e = {"dtype": 0, "shape": [], "shard": 0, "offset": 0, "size": 0, "crc": None}
        for field, v in proto_fields(value, what):
            if field == 7:
                raise BadInput(f"{what}: partitioned (sliced) variables are not supported")
            key = {1: "dtype", 2: "shape", 3: "shard", 4: "offset", 5: "size", 6: "crc"}.get(field)
            if key == "shape":
                v = parse_shape(v, what) if isinstance(v, bytes) else None
            elif key in ("dtype", "shard", "offset", "size"):
                v = signed64(v, what, key) if isinstance(v, int) else None
            if key:
                if v is None:
                    raise BadInput(f"{what}: field {key} has the wrong wire type")
                e[key] = v
        if e["shard"] >= shards:
            raise BadInput(f"{what}: shard {e['shard']} of {shards}")
        entries[name] = e
    return shards, entries


def shard_path(prefix, shard, shards):
    return f"{prefix}.data-{shard:05d}-of-{shards:05d}"


def check_extent(path, size, name, e):
    if e["offset"] > size or e["size"] > size - e["offset"]:
        raise BadInput(f"{path}: tensor {name} [{e['offset']}, +{e['size']}] lies outside the "
                       f"{size}-byte file (truncated?)")


def read_tensor(prefix, shards, name, e, files):
    """The verified bytes of one float32 tensor."""
    path = shard_path(prefix, e["shard"], shards)
    if path not in files:
        files[path] = (open(path, "rb"), os.path.getsize(path))
    f, size = files[path]
    check_extent(path, size, name, e)
    f.seek(e["offset"])
    data = f.read(e["size"])
    if len(data) != e["size"]:
        raise BadInput(f"{path}: short read of tensor {name}")
    if e["crc"] is None or crc_mask(crc32c(data)) != e["crc"]:
        raise BadInput(f"{path}: tensor {name} fails its crc32c check")
    values = array.array("f")
    values.frombytes(data)
    if sys.byteorder == "big":
        values.byteswap()
    if not math.isfinite(sum(values)):  # float32 sums in a double cannot overflow: only NaN/Inf fail
        i = next(i for i, v in enumerate(values) if not math.isfinite(v))
        raise BadInput(f"{path}: tensor {name} holds {values[i]} at flat index {i}")
    return data


def ignorable(name, wanted):
    if name in ("global_step", "beta1_power", "beta2_power"):
        return True
    base, _, slot = name.rpartition("/")
    return slot in ("Adam", "Adam_1") and base in wanted


def convert(prefix, layout, output, source):
    index_path = prefix + ".index"
    shards, entries = read_index(prefix)
    wanted = {var: (out, shape) for out, (var, shape) in spleeter_layout.variable_map(layout).items()}
    missing = sorted(set(wanted) - set(entries))
    extra = sorted(n for n in entries if n not in wanted and not ignorable(n, wanted))
    if missing or extra:
        convs = sum(1 for n in entries if n.startswith("conv2d") and n.endswith("/kernel")
                    and not n.startswith("conv2d_transpose"))
        raise BadInput(f"{index_path}: variables do not match the {layout} layout "
                       f"({len(entries)} found, {convs} conv2d kernels = {convs / 7:g} U-Nets; "
                       f"{layout} needs {len(wanted)} weights in {len(spleeter_layout.LAYOUTS[layout])}): "
                       f"missing {len(missing)} {missing[:8]}, unexpected {len(extra)} {extra[:8]}")
    for var, (out, shape) in wanted.items():
        e = entries[var]
        if e["dtype"] != DT_FLOAT:
            dtype = DTYPES.get(e["dtype"], e["dtype"])
            raise BadInput(f"{index_path}: variable {var} is {dtype}, not float32")
        if e["shape"] != shape:
            raise BadInput(f"{index_path}: variable {var} has shape {e['shape']}, {out} needs {shape}")
        if e["size"] != 4 * spleeter_layout.prod(shape):
            raise BadInput(f"{index_path}: variable {var} declares {e['size']} bytes for shape {shape}")
    sizes = {}
    for var in wanted:  # every extent fits its data file before any byte is read
        path = shard_path(prefix, entries[var]["shard"], shards)
        if path not in sizes:
            sizes[path] = os.path.getsize(path)
        check_extent(path, sizes[path], var, entries[var])
    tensors, files = {}, {}
    try:
        for var in sorted(wanted, key=lambda v: (entries[v]["shard"], entries[v]["offset"])):
            out, shape = wanted[var]
            tensors[out] = (shape, read_tensor(prefix, shards, var, entries[var], files))
    finally:
        for f, _ in files.values():
            f.close()
    if source is None:
        source = (f"spleeter {layout} TensorFlow checkpoint "
                  f"{os.path.basename(os.path.dirname(os.path.abspath(prefix)))}/{os.path.basename(prefix)}")
    spleeter_layout.write_safetensors(output, tensors, spleeter_layout.metadata(layout, source))
    return tensors


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", help="checkpoint prefix DIR/model (of DIR/model.index, DIR/model.data-*)")
    ap.add_argument("--layout", choices=sorted(spleeter_layout.LAYOUTS))
    ap.add_argument("--output", help="the safetensors file to write")
    ap.add_argument("--source", help="the metadata 'source' text (default: names the checkpoint)")
    ap.add_argument("--list", action="store_true", help="print the checkpoint's variables and exit")
    args = ap.parse_args(argv)
    if not args.list and not (args.layout and args.output):
        ap.error("--layout and --output are required unless --list is given")
    try:
        if args.list:
            shards, entries = read_index(args.checkpoint)
            for name, e in entries.items():
                print(f"{name}\t{DTYPES.get(e['dtype'], e['dtype'])}\t{e['shape']}")
            print(f"{len(entries)} variables in {shards} shard(s)", file=sys.stderr)
            return 0
        start = time.monotonic()
        tensors = convert(args.checkpoint, args.layout, args.output, args.source)
        params = sum(len(data) // 4 for _, data in tensors.values())
        print(f"{args.output}: {len(tensors)} tensors, {params} parameters, every crc32c verified "
              f"({time.monotonic() - start:.1f} s)", file=sys.stderr)
        return 0
    except BadInput as e:
        print(f"convert_spleeter: {e}", file=sys.stderr)
    except OSError as e:
        print(f"convert_spleeter: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
