import Foundation
import FuzzTargets

// One file, two builds, chosen by a compilation condition that only tools/fuzz passes.
// - tools/fuzz builds with `--sanitize=fuzzer -Xswiftc -DSTEMTRACE_FUZZING`: libFuzzer supplies
//   `main` and calls this function once per input. (SwiftPM renames an executable's `main` to
//   `<Module>_main` so tests can link it, except when the fuzzer sanitizer is on.)
// - Every other build (`swift build`, `swift build --build-tests`) links no libFuzzer, so the
//   executable brings its own `main`: it replays the files or folders named on its command line
//   once each, without a sanitizer, to reproduce a crash under a debugger.
#if STEMTRACE_FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        AudioDecoderFuzzTarget.run(FuzzEntry.data(bytes, size))
        return 0
    }
#else
    @main
    enum Replay {
        static func main() {
            exit(FuzzEntry.replay(Array(CommandLine.arguments.dropFirst()), AudioDecoderFuzzTarget.run))
        }
    }
#endif
