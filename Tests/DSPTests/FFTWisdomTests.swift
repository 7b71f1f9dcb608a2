import Foundation
import Testing

@testable import DSP

/// The shipped FFTW wisdom (`FFTWisdom`): taken by this FFTW build, used for the sizes it covers
/// and for nothing else, never a reason to refuse planning, and as exact as `FFTW_ESTIMATE`.
@Suite struct FFTWisdomTests {
    @Test func theBuildTakesTheShippedWisdomAndPlansFromIt() {
        // The FFTW this package builds against (Debian's 3.3.10) is the one the wisdom was made
        // with; a CPU without AVX would fall back to FFTW_ESTIMATE, which the next test covers.
        #expect(FFTWisdom.imported)
        let sources = [RealFFT(size: 2048).planSource, InverseRealFFT(size: 2048).planSource, RealFFT(size: 4096).planSource]
        #expect(sources.allSatisfy { $0 == .shippedWisdom || $0 == .estimate })
        #expect(RealFFT(size: 2048, planning: .estimate).planSource == .estimate)
    }

    @Test func sizesWithoutWisdomFallBackToEstimate() {
        #expect(RealFFT(size: 1000).planSource == .estimate)
        #expect(InverseRealFFT(size: 6).planSource == .estimate)
    }

    @Test func textThatIsNotWisdomIsRefused() {
        #expect(!FFTWisdom.accepts("(not fftw wisdom at all"))
        #expect(!FFTWisdom.accepts(""))
        let otherBuild = FFTWisdom.text.replacingOccurrences(of: "fftw-3.3.10", with: "fftw-3.3.99")
        #expect(!FFTWisdom.accepts(otherBuild))
    }

    /// The wisdom's algorithm against FFTW_ESTIMATE's on the same frames: both exact to float
    /// rounding, so they agree to a few ulp of the largest bin.
    @Test func wisdomPlansAgreeWithEstimatePlans() {
        let size = 2048
        let a = RealFFT(size: size)
        let b = RealFFT(size: size, planning: .estimate)
        let bufferA = a.makeBuffers()
        let bufferB = b.makeBuffers()
        var largest: Float = 0
        var worst: Float = 0
        for n in 0..<size {
            let phase = Double(n) * 0.37
            let other = Double(n * n % 97)
            let x = Float(sin(phase) + 0.25 * cos(other))
            bufferA.real[n] = x
            bufferB.real[n] = x
        }
        a.forward(bufferA)
        b.forward(bufferB)
        for i in 0..<(2 * bufferA.binCount) {
            largest = max(largest, abs(bufferB.interleavedComplex[i]))
            worst = max(worst, abs(bufferA.interleavedComplex[i] - bufferB.interleavedComplex[i]))
        }
        #expect(worst <= 1e-5 * largest)
    }
}
