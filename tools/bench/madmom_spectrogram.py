"""Python reference peer for the spectrogram benchmark: madmom 0.16.1.

Run with the interpreter of the venv made by setup_madmom_venv.sh:

    VENV/bin/python tools/bench/madmom_spectrogram.py --wav clip.wav [--repeat 30] [--out spec.npy]

Builds the processors exactly as the paper's MadmomAudioProcessor(fps=31.3)
(shreyanc/model_debugging helpers/audio.py) and times its process() path:
SignalProcessor(norm=True) -> np.trim_zeros -> FramedSignalProcessor(2048, fps=31.3)
-> LogarithmicFilteredSpectrogramProcessor, which is STFT -> FilteredSpectrogram
(LogarithmicFilterbank, 24 bands/octave, 20..16000 Hz, fref 440, norm_filters,
unique_filters) -> log10(1 * x + 1); output transposed to 149 bands x T frames.
See docs/ARCHITECTURE.md (front end). Prints one JSON line on stdout.
"""
import os

# Single-threaded BLAS: must be set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import warnings  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.io.wavfile  # noqa: E402
import madmom  # noqa: E402
from madmom.audio import (  # noqa: E402
    FramedSignalProcessor, LogarithmicFilteredSpectrogramProcessor, SignalProcessor)

SAMPLE_RATE = 22050


def read_wav(path):
    """Mono 22050-Hz WAV as float32 (int16 PCM is scaled by 1/32768)."""
    with warnings.catch_warnings():  # libsndfile's PEAK chunk is harmless
        warnings.simplefilter("ignore", scipy.io.wavfile.WavFileWarning)
        sr, data = scipy.io.wavfile.read(path)
    if sr != SAMPLE_RATE or data.ndim != 1:
        raise SystemExit("expected a mono %d Hz WAV, got %d Hz, shape %s" % (SAMPLE_RATE, sr, data.shape))
    if data.dtype == np.int16:
        return data.astype(np.float32) / np.float32(32768)
    if data.dtype == np.float32:
        return data
    raise SystemExit("expected float32 or int16 samples, got %s" % data.dtype)


class PaperProcessor:
    """The processors of MadmomAudioProcessor(fps=31.3), default arguments."""

    def __init__(self):
        self.sig_proc = SignalProcessor(num_channels=1, sample_rate=SAMPLE_RATE, norm=True)
        # hop_size=512 is overridden by fps (hop = 22050 / 31.3 = 704.47 samples).
        self.fsig_proc = FramedSignalProcessor(frame_size=2048, hop_size=512, fps=31.3, origin="future")
        # Defaults: LogarithmicFilterbank, fref=440, norm_filters=True,
        # unique_filters=True, mul=1, add=1. Caches the filterbank after the first call.
        self.spec_proc = LogarithmicFilteredSpectrogramProcessor(num_bands=24, fmin=20, fmax=16000)

    def process(self, waveform):
        """MadmomAudioProcessor.process(waveform).spec: 149 x T."""
        sig = np.trim_zeros(self.sig_proc.process(waveform))
        fsig = self.fsig_proc.process(sig)
        spec = self.spec_proc.process(fsig)
        return spec.transpose()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wav", required=True, help="mono float32 or int16 WAV at 22050 Hz")
    ap.add_argument("--repeat", type=int, default=30, help="timed runs (default 30)")
    ap.add_argument("--out", help="optional .npy path for the 149 x T float32 spectrogram")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    waveform = read_wav(args.wav)
    proc = PaperProcessor()
    spec = proc.process(waveform)  # warm-up; also builds and caches the filterbank

    times_ms = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        proc.process(waveform)
        times_ms.append((time.perf_counter() - t0) * 1e3)

    if args.out:
        np.save(args.out, np.ascontiguousarray(spec, dtype=np.float32))
    print(json.dumps({
        "peer": "madmom " + madmom.__version__,
        "median_ms": round(float(np.median(times_ms)), 3),
        "min_ms": round(float(np.min(times_ms)), 3),
        "repeat": args.repeat,
        "bands": int(spec.shape[0]),
        "frames": int(spec.shape[1]),
    }))


if __name__ == "__main__":
    main()
