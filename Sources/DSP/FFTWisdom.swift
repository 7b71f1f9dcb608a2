import CFFTW3f

/// FFTW wisdom shipped with stemtrace: the plans `FFTW_MEASURE` chose once, on the maintainers'
/// machine (AMD EPYC, Zen 4; Debian's FFTW 3.3.10), for the real transforms stemtrace makes
/// (r2c and c2r of 2048 and 4096 points, out of place). Planning from it
/// (`FFTPlanning.shippedWisdom`) times nothing, so every process that can use it runs the same
/// algorithms and stores the same bytes, as with `FFTW_ESTIMATE`; but the algorithms are the
/// measured ones (2048-point r2c: 1.7 µs instead of 2.2 µs). FFTW accepts the text only from the
/// same FFTW build (its first line is a signature of the codelet set) and uses an entry only where
/// the CPU has the SIMD codelets it names; anywhere else planning falls back to `FFTW_ESTIMATE`.
///
/// Regenerate with `tools/fftw/make_wisdom` (docs/ARCHITECTURE.md, "Determinism").
enum FFTWisdom {
    /// `fftwf_export_wisdom_to_string()` after measuring the plans (tools/fftw/make_wisdom.c).
    static let text = """
        (fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf
          (fftwf_codelet_r2cf_2 2 #x11bdd #x11bdd #x0 #xc4589152 #x2c904887 #x3df0c9d3 #x054d1070)
          (fftwf_codelet_n2fv_64_avx 0 #x11bdd #x11bdd #x0 #xb8f48902 #x3e3cffd5 #x0902e318 #xff82254a)
          (fftwf_codelet_t2fv_32_avx 0 #x11bdd #x11bdd #x0 #xc6ca45ce #xf08c5f4a #x61a53ade #xe5e374c8)
          (fftwf_codelet_hc2cfdft_2 0 #x11bdd #x11bdd #x0 #x42ead677 #x86451fba #xaefc212f #xfe3ad2af)
          (fftwf_codelet_r2cf_2 2 #x11bdd #x11bdd #x0 #xfe444ab2 #x3f245c61 #x5e91f2fc #xe780a02d)
          (fftwf_codelet_r2cbIII_2 2 #x10bdd #x10bdd #x0 #xc266d7ae #xcc604c28 #xabefc5b9 #x5c765009)
          (fftwf_codelet_r2cfII_2 2 #x11bdd #x11bdd #x0 #x762c26e8 #xabff79e3 #x3a063506 #x18c57a3c)
          (fftwf_codelet_r2cb_2 2 #x10bdd #x10bdd #x0 #xbf76898c #x7d78c8ce #x8377740c #x9d79896b)
          (fftwf_codelet_hc2cbdft_2 0 #x10bdd #x10bdd #x0 #x1f5f22d9 #xed218381 #x10c9c094 #xe9e7bb90)
          (fftwf_codelet_r2cb_2 2 #x10bdd #x10bdd #x0 #xf6dad419 #xb3f2ed7c #x4d3ef187 #x7a0d85d4)
          (fftwf_codelet_n2bv_16_avx 0 #x10bdd #x10bdd #x0 #x09828f7b #x31d0c35d #xa617d809 #x4ccb96bd)
          (fftwf_codelet_n2bv_32_avx 0 #x10bdd #x10bdd #x0 #x99e60d73 #x0bde6d2d #xf46fd4b1 #xc03f9218)
          (fftwf_codelet_hc2cbdft_2 0 #x10bdd #x10bdd #x0 #x35391f4d #x4848fdd9 #x0d135c52 #x15138e60)
          (fftwf_codelet_t2bv_64_avx 0 #x10bdd #x10bdd #x0 #x889f271b #xfc322bc3 #x77dab9f2 #x358ba725)
          (fftwf_codelet_r2cfII_2 2 #x11bdd #x11bdd #x0 #xf4706e13 #x6e8bbca0 #x9c704b36 #x8e8181fc)
          (fftwf_codelet_t2fv_32_avx 0 #x11bdd #x11bdd #x0 #xa5af12be #x8ea95383 #xcd10c847 #xe6812dfa)
          (fftwf_codelet_t2bv_64_avx 0 #x10bdd #x10bdd #x0 #xd86f0fcc #x804581bb #x5ccfdfba #x14108c49)
          (fftwf_codelet_n2fv_32_avx 0 #x11bdd #x11bdd #x0 #x407181dc #x8a77cb1e #xa88df8c5 #xa32373b5)
          (fftwf_codelet_r2cbIII_2 2 #x10bdd #x10bdd #x0 #x53014ae3 #x5bebcd21 #xb7222d08 #xcb21e60a)
          (fftwf_codelet_hc2cfdft_2 0 #x11bdd #x11bdd #x0 #xc447d79d #x3bb36c12 #x2e7c8386 #xc241521c)
        )
        """

    /// The transform sizes the wisdom covers.
    static let sizes = "r2c and c2r of 2048 and 4096 points"

    /// Whether FFTW took `text` (imported once per process, before the first plan).
    static let imported: Bool = accepts(text)

    /// Imports wisdom text into FFTW's planner; false (and nothing imported) when FFTW rejects it:
    /// another FFTW build, or text that is not wisdom at all.
    static func accepts(_ wisdom: String) -> Bool {
        fftwf_make_planner_thread_safe()
        return wisdom.withCString { fftwf_import_wisdom_from_string($0) } != 0
    }
}
