#!/usr/bin/env python3
"""TensorFlow's MSD_musicnn (the musicnn 0.1.0 package's own graph and checkpoint) timed on the
same input patches as `ModelBench --musicnn`, for the side-by-side bench (tools/bench/musicnn).

    musicnn_tensorflow.py --package DIR --input INPUT.safetensors [--threads 1,2] [--repeat 7]

DIR is the unpacked musicnn 0.1.0 wheel (its `musicnn/` folder holds models.py and the
MSD_musicnn checkpoint); only `models.py` and `configuration.py` are imported, not librosa.
INPUT holds `input_batch` [patches, 187, 96] float32 (the maintainers' musicnn goldens have it),
and `taggram` when it is a golden: the script then reports the largest difference of TF's
taggram from it, as a check that this is the reference network. Prints one JSON line per thread
count (give one count per process: TensorFlow sizes its thread pools once, at the first
session, so later counts in the same process are not honoured): the whole batch in one `Session.run` (as stemtrace's `tag` runs it) and one patch per
run (musicnn 0.1.0's extractor, BATCH_SIZE 1), medians of N after a warm-up.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + begin:8 + n + end], "<f4").reshape(info["shape"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--inter-op", type=int, default=0, help="inter-op threads (default: as many as --threads)")
    args = ap.parse_args()
    sys.path.insert(0, args.package)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    from musicnn import models  # the package's own graph definition

    tensors = read_safetensors(args.input)
    batch = np.ascontiguousarray(tensors["input_batch"], dtype=np.float32)
    patches, frames, mels = batch.shape
    for threads in [int(t) for t in args.threads.split(",")]:
        tf.compat.v1.reset_default_graph()
        with tf.name_scope("model"):
            x = tf.compat.v1.placeholder(tf.float32, [None, frames, mels])
            is_training = tf.compat.v1.placeholder(tf.bool)
            y = models.define_model(x, is_training, "MSD_musicnn", 50)[0]
            taggram = tf.nn.sigmoid(y)
        config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=args.inter_op or threads)
        with tf.compat.v1.Session(config=config) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().restore(sess, os.path.join(args.package, "musicnn", "MSD_musicnn") + "/")
            got = sess.run(taggram, {x: batch, is_training: False})  # warm-up
            check = {}
            if "taggram" in tensors:
                check["max_abs_diff_from_golden_taggram"] = float(np.abs(got - tensors["taggram"]).max())

            def timed(body):
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    body()
                    times.append(time.perf_counter() - t0)
                return sorted(times)[len(times) // 2]

            whole = timed(lambda: sess.run(taggram, {x: batch, is_training: False}))
            one = timed(lambda: [sess.run(taggram, {x: batch[i:i + 1], is_training: False}) for i in range(patches)])
            print(json.dumps(dict(impl=f"tensorflow {tf.__version__}", model="musicnn", patches=patches,
                                  threads=threads, batch_ms=round(whole * 1000, 1),
                                  one_at_a_time_ms=round(one * 1000, 1), **check)))


if __name__ == "__main__":
    main()
