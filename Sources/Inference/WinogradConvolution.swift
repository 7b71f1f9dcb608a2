import CDNNL
import Core
import Foundation
import Synchronization

/// A 3×3, stride-1, padding-1 convolution of the RF-ResNet (input channels plus the coordinate
/// channel) through oneDNN's Winograd implementation (AVX-512 only): F(4×4, 3×3), `jit_wino_4x3`,
/// for every layer of the model down to 18 × 12 maps; oneDNN picks F(2×2, 3×3) for tiny ones.
///
/// Measured on the development machine (oneDNN 2.6.3, AVX-512, 128 → 128 channels at 74 × 625,
/// one thread): the oneDNN primitive alone takes 43.6 ms, against 119 ms for oneDNN's direct
/// convolution and about 80 GFLOP/s (≈ 170 ms) for im2col + OpenBLAS `sgemm`, with an error of
/// about 3e-6 relative to the direct convolution; about 2.6× faster on every 3×3 layer of the
/// network. Inside the model, reorders and epilogue included, stage1.block1.conv1 went from
/// 159–166 ms to 64–65 ms on one thread and from 87–90 ms to 34–37 ms on two (docs/BENCHMARKS.md).
/// The 1×1 and the 5×5 stride-2 convolutions are not faster in oneDNN and stay on im2col.
///
/// How it runs:
/// - Winograd wants a channel count that is a multiple of 16, so the convolution runs on the real
///   C channels only; the coordinate channel depends on nothing but the row, so its share is a
///   fixed `CoordinateTerm` per (height, width), computed once with the im2col kernel and added in
///   the epilogue before batch norm.
/// - Each batch item runs through one batch-1 primitive: plain NCHW → oneDNN's blocked `nChw16c`
///   (a reorder), the convolution, blocked → NCHW, then the epilogue on our threads. Measured with
///   oneDNN alone, a batch-8 primitive is no faster per item than the batch-1 one (18 × 156:
///   2.8 ms per item against 2.6 ms), and one item keeps the blocked buffers small (2 × 24 MB).
/// - Primitives, their reorders and the reordered Winograd weights are created once per (height,
///   width, thread count) and cached here; the blocked buffers and scratchpad are reused from the
///   model's `WinogradWorkspaces`. oneDNN sizes a primitive for the thread count it was created
///   with, hence the thread count in the key.
/// - Threads: Debian's oneDNN runs on GNU OpenMP; the calling thread's OpenMP thread count is set
///   to `threads` around the oneDNN calls and restored afterwards. The epilogue and every other
///   kernel run on the same OpenMP team (`ParallelFor`), so oneDNN's spin-waiting workers never
///   compete with threads of ours.
///
/// When oneDNN cannot create the primitive (a CPU without AVX-512, an unsupported shape), the
/// call throws and the caller uses the im2col path; the failure is cached per shape, so the
/// attempt is made once.
final class WinogradConvolution: Sendable {
    let inChannels: Int
    let outChannels: Int
    /// OIHW over the real input channels (the coordinate channel's slice removed).
    private let weights: [Float]
    /// OIHW `outChannels × 1 × 3 × 3`: the coordinate channel's slice.
    private let coordinateWeights: [Float]
    private let workspaces: WinogradWorkspaces
    private let state = Mutex(State())

    private struct State {
        var plans: [PlanKey: Result<WinogradPlan, OneDNNError>] = [:]
        /// Reordered weights, shared by every plan whose primitive wants the same format.
        var weights: [WinogradWeights] = []
        var terms: [TermKey: CoordinateTerm] = [:]
    }

    private struct PlanKey: Hashable {
        let height: Int
        let width: Int
        let threads: Int
    }

    private struct TermKey: Hashable {
        let height: Int
        /// `min(width, 3)`: wider maps only repeat the middle column.
        let width: Int
    }

    /// - Parameter weights: OIHW `outChannels × (inChannels + 1) × 3 × 3`, the coordinate channel last.
    init(weights: [Float], inChannels: Int, outChannels: Int, workspaces: WinogradWorkspaces) {
        precondition(weights.count == outChannels * (inChannels + 1) * 9, "Winograd weights must be O × (C + 1) × 3 × 3")
        var real = [Float]()
        real.reserveCapacity(outChannels * inChannels * 9)
        var coordinate = [Float]()
        coordinate.reserveCapacity(outChannels * 9)
        for o in 0..<outChannels {
            let row = o * (inChannels + 1) * 9
            real.append(contentsOf: weights[row..<(row + inChannels * 9)])
            coordinate.append(contentsOf: weights[(row + inChannels * 9)..<(row + (inChannels + 1) * 9)])
        }
        self.weights = real
        self.coordinateWeights = coordinate
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.workspaces = workspaces
    }

    /// The convolution of `input` with the coordinate channel appended (as
    /// `Kernels.convolution(…, kernel: 3, padding: 1, rowChannel: coordinateChannel(height:))`),
    /// followed by `epilogue`.
    /// - Throws: `OneDNNError` when oneDNN has no Winograd primitive for this shape or CPU, or a
    ///   call fails; nothing is returned then, and the caller falls back to im2col.
    func callAsFunction(_ input: FeatureMap, epilogue: ConvolutionEpilogue, threads: Int) throws(OneDNNError) -> FeatureMap {
        precondition(input.channels == inChannels, "Winograd convolution expects \(inChannels) channels, got \(input.channels)")
        let threads = max(1, threads)
        let plan = try self.plan(height: input.height, width: input.width, threads: threads)
        var epilogue = epilogue
        epilogue.coordinateTerm = coordinateTerm(height: input.height, width: input.width)
        let workspace = workspaces.take()
        defer { workspaces.give(workspace) }
        let outItem = outChannels * input.planeSize
        let total = input.batch * outItem
        var failure: OneDNNError?
        let values = input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: total) { y, initialized in
                initialized = total
                guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
                do throws(OneDNNError) {
                    try OneDNN.withThreads(threads) { () throws(OneDNNError) in
                        try plan.run(
                            input: UnsafeMutablePointer(mutating: xb), output: yb, batch: input.batch, workspace: workspace)
                    }
                } catch {
                    failure = error
                    return
                }
                Self.applyEpilogue(
                    epilogue, to: yb, batch: input.batch, channels: outChannels, plane: input.planeSize, threads: threads)
            }
        }
        if let failure { throw failure }
        return FeatureMap(batch: input.batch, channels: outChannels, height: input.height, width: input.width, values: values)
    }

    /// Whether this CPU and oneDNN build offer the Winograd primitive (probed on one small shape).
    static let isAvailable: Bool = {
        let probe = WinogradConvolution(
            weights: [Float](repeating: 0, count: 16 * 17 * 9), inChannels: 16, outChannels: 16,
            workspaces: WinogradWorkspaces())
        return (try? probe.plan(height: 8, width: 8, threads: 1)) != nil
    }()

    /// The oneDNN implementation chosen for a shape (for tests and diagnostics), or nil.
    func implementation(height: Int, width: Int, threads: Int) -> String? {
        (try? plan(height: height, width: width, threads: threads))?.implementation
    }

    private func plan(height: Int, width: Int, threads: Int) throws(OneDNNError) -> WinogradPlan {
        let key = PlanKey(height: height, width: width, threads: threads)
        let result = state.withLock { state in
            if let cached = state.plans[key] { return cached }
            let made = Result { () throws(OneDNNError) in
                try OneDNN.withThreads(threads) { () throws(OneDNNError) in
                    try WinogradPlan(
                        inChannels: inChannels, outChannels: outChannels, height: height, width: width, weights: weights,
                        cache: &state.weights)
                }
            }
            state.plans[key] = made
            return made
        }
        return try result.get()
    }

    private func coordinateTerm(height: Int, width: Int) -> CoordinateTerm {
        let key = TermKey(height: height, width: min(width, 3))
        let term = state.withLock { state in
            if let cached = state.terms[key] { return cached }
            let term = CoordinateTerm(
                weights: coordinateWeights, outChannels: outChannels, rowChannel: RFResNet.coordinateChannel(height: height),
                width: min(width, 3))
            state.terms[key] = term
            return term
        }
        return CoordinateTerm(values: term.values, height: height, width: width)
    }

    /// The epilogue over every item, split into element ranges of each plane across `threads`.
    private static func applyEpilogue(
        _ epilogue: ConvolutionEpilogue, to y: UnsafeMutablePointer<Float>, batch: Int, channels: Int, plane: Int, threads: Int
    ) {
        guard !epilogue.isEmpty else { return }
        let chunks = max(1, min(threads * 4, plane / 512))
        let chunk = (plane + chunks - 1) / chunks
        let yp = UnsafeSendable(y)
        ParallelFor.run(iterations: batch * chunks, threads: threads) { job in
            let start = (job % chunks) * chunk
            let count = min(chunk, plane - start)
            guard count > 0 else { return }
            epilogue.apply(to: yp.pointer, item: job / chunks, channels: channels, plane: plane, start: start, count: count)
        }
    }
}

/// Why oneDNN could not set up or run a convolution: the C call and the status it returned.
struct OneDNNError: Error, Equatable, CustomStringConvertible {
    let call: String
    let status: String

    var description: String { "oneDNN \(call): \(status)" }
}

/// oneDNN's C API as stemtrace uses it: one CPU engine per process and status checks.
enum OneDNN {
    /// The process's CPU engine (engines are thread-safe; this one lives as long as the process).
    static let engine: Result<Engine, OneDNNError> = Result { () throws(OneDNNError) in
        var engine: dnnl_engine_t?
        try check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine_create")
        guard let engine else { throw OneDNNError(call: "engine_create", status: "no engine") }
        return Engine(handle: engine)
    }

    /// A `dnnl_engine_t` that may be shared across threads.
    final class Engine: @unchecked Sendable {
        let handle: dnnl_engine_t
        init(handle: dnnl_engine_t) { self.handle = handle }
    }

    static func check(_ status: dnnl_status_t, _ call: String) throws(OneDNNError) {
        guard status != dnnl_success else { return }
        throw OneDNNError(call: call, status: String(cString: dnnl_status2str(status)))
    }

    /// Runs `body` with the calling thread's OpenMP thread count — the number of threads oneDNN's
    /// primitives use, on GNU OpenMP — set to `threads`, then restores it.
    static func withThreads<T>(_ threads: Int, _ body: () throws(OneDNNError) -> T) throws(OneDNNError) -> T {
        let previous = omp_get_max_threads()
        omp_set_num_threads(Int32(threads))
        defer { omp_set_num_threads(previous) }
        return try body()
    }

    /// A float32 memory descriptor of `dims` in layout `tag` (`dnnl_format_tag_any` lets a primitive choose).
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) throws(OneDNNError) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        try check(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dims.map(Int64.init), dnnl_f32, tag), "memory_desc_init")
        return md
    }

    /// Creates the primitive of `descriptor`; it is destroyed with the returned object.
    static func primitive(_ descriptor: dnnl_primitive_desc_t, _ what: String) throws(OneDNNError) -> Primitive {
        var primitive: dnnl_primitive_t?
        try check(dnnl_primitive_create(&primitive, descriptor), "primitive_create(\(what))")
        guard let primitive else { throw OneDNNError(call: "primitive_create(\(what))", status: "no primitive") }
        return Primitive(handle: primitive)
    }

    /// A reorder between two layouts, with a user-provided scratchpad (see `WinogradPlan`).
    static func reorder(
        from: dnnl_memory_desc_t, to: dnnl_memory_desc_t, engine: dnnl_engine_t, attributes: dnnl_primitive_attr_t
    ) throws(OneDNNError) -> (Primitive, scratchpad: Int) {
        var from = from
        var to = to
        var descriptor: dnnl_primitive_desc_t?
        try check(
            dnnl_reorder_primitive_desc_create(&descriptor, &from, engine, &to, engine, attributes),
            "reorder_primitive_desc_create")
        guard let descriptor else { throw OneDNNError(call: "reorder_primitive_desc_create", status: "no descriptor") }
        defer { dnnl_primitive_desc_destroy(descriptor) }
        return (try primitive(descriptor, "reorder"), scratchpadSize(descriptor))
    }

    /// `plain` (dims in layout `tag`) reordered now into a new buffer in layout `wanted`: how
    /// constant weights reach the format a primitive chose.
    static func reordered(
        _ plain: some FloatValues, dims: [Int], tag: dnnl_format_tag_t, to wanted: dnnl_memory_desc_t, engine: dnnl_engine_t,
        attributes: dnnl_primitive_attr_t, hugePages: Bool = false
    ) throws(OneDNNError) -> AlignedBuffer {
        var wanted = wanted
        var plainDescriptor = try descriptor(dims, tag)
        let (reorder, scratch) = try self.reorder(from: plainDescriptor, to: wanted, engine: engine, attributes: attributes)
        let buffer = AlignedBuffer(byteCount: dnnl_memory_desc_get_size(&wanted), hugePages: hugePages)
        let scratchpad = AlignedBuffer(byteCount: scratch)
        var stream: dnnl_stream_t?
        try check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream_create")
        defer { dnnl_stream_destroy(stream) }
        var failure: OneDNNError?
        plain.withFloats { p in
            do throws(OneDNNError) {
                let from = try WinogradPlan.Memory(&plainDescriptor, engine, UnsafeMutableRawPointer(mutating: p.baseAddress))
                let to = try WinogradPlan.Memory(&wanted, engine, buffer.pointer)
                try WinogradPlan.Memory.withScratchpad(scratch, scratchpad.pointer, engine) { pad throws(OneDNNError) in
                    try WinogradPlan.execute(
                        reorder, stream, [(DNNL_ARG_FROM, from), (DNNL_ARG_TO, to)], pad, "reorder(weights)")
                }
                try check(dnnl_stream_wait(stream), "stream_wait")
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return buffer
    }

    static func scratchpadSize(_ descriptor: dnnl_primitive_desc_t) -> Int {
        guard let md = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0) else { return 0 }
        return dnnl_memory_desc_get_size(md)
    }

    /// An owned `dnnl_primitive_t`. oneDNN primitives are immutable once created and may run
    /// concurrently on different threads when each execution has its own scratchpad.
    final class Primitive: @unchecked Sendable {
        let handle: dnnl_primitive_t
        init(handle: dnnl_primitive_t) { self.handle = handle }
        deinit { dnnl_primitive_destroy(handle) }
    }
}

/// 64-byte aligned float storage owned by one object.
final class AlignedBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    /// - Parameter hugePages: put a large buffer on huge pages (`HugePages.allocate`). spleeter's
    ///   plans ask for it: built once per process, their 300 MB of fresh memory cost most of a
    ///   one-file ingest in page faults. The RF-ResNet's workspaces do not: `explain` ran 3 %
    ///   slower with them on huge pages (docs/BENCHMARKS.md, "Start-up and one-file runs").
    init(byteCount: Int, hugePages: Bool = false) {
        self.byteCount = max(byteCount, 64)
        pointer =
            hugePages
            ? HugePages.allocate(byteCount: self.byteCount, alignment: 64)
            : UnsafeMutableRawPointer.allocate(byteCount: self.byteCount, alignment: 64)
    }

    deinit { pointer.deallocate() }
}

/// Winograd weights reordered into the format one primitive wants (`format_kind_wino`).
final class WinogradWeights: @unchecked Sendable {
    let descriptor: dnnl_memory_desc_t
    let buffer: AlignedBuffer

    init(descriptor: dnnl_memory_desc_t, buffer: AlignedBuffer) {
        self.descriptor = descriptor
        self.buffer = buffer
    }
}

/// Scratch memory for Winograd convolutions: the blocked source and destination of one batch item
/// and oneDNN's scratchpad. One model's layers run one after another, so they share a workspace;
/// concurrent forward passes take one each. Buffers grow to the largest layer and are kept.
final class WinogradWorkspaces: Sendable {
    private let free = Mutex<[Workspace]>([])

    final class Workspace: @unchecked Sendable {
        private(set) var source = AlignedBuffer(byteCount: 0)
        private(set) var destination = AlignedBuffer(byteCount: 0)
        private(set) var scratchpad = AlignedBuffer(byteCount: 0)

        /// Grows the buffers to at least these sizes (contents are not kept).
        func reserve(source s: Int, destination d: Int, scratchpad p: Int) {
            if source.byteCount < s { source = AlignedBuffer(byteCount: s) }
            if destination.byteCount < d { destination = AlignedBuffer(byteCount: d) }
            if scratchpad.byteCount < p { scratchpad = AlignedBuffer(byteCount: p) }
        }
    }

    func take() -> Workspace { free.withLock { $0.popLast() } ?? Workspace() }
    func give(_ workspace: Workspace) { free.withLock { $0.append(workspace) } }
}

/// One layer's oneDNN objects for one (height, width, threads): the batch-1 Winograd primitive,
/// the reorders NCHW → blocked and back, and the reordered weights.
final class WinogradPlan: @unchecked Sendable {
    let implementation: String
    private let engine: OneDNN.Engine
    private let convolution: OneDNN.Primitive
    private let toBlocked: OneDNN.Primitive
    private let fromBlocked: OneDNN.Primitive
    private let weights: WinogradWeights
    private let plainSource: dnnl_memory_desc_t
    private let blockedSource: dnnl_memory_desc_t
    private let blockedDestination: dnnl_memory_desc_t
    private let plainDestination: dnnl_memory_desc_t
    private let scratchpadSize: Int
    private let sourceItem: Int
    private let destinationItem: Int

    /// Creates the primitive (under the caller's OpenMP thread count) and, unless `cache` holds
    /// weights of the format it wants, reorders `weights` (OIHW, `outChannels × inChannels × 3 × 3`).
    init(
        inChannels: Int, outChannels: Int, height: Int, width: Int, weights plainWeights: [Float],
        cache: inout [WinogradWeights]
    ) throws(OneDNNError) {
        let engine = try OneDNN.engine.get()
        self.engine = engine
        var attributes: dnnl_primitive_attr_t?
        try OneDNN.check(dnnl_primitive_attr_create(&attributes), "primitive_attr_create")
        guard let attributes else { throw OneDNNError(call: "primitive_attr_create", status: "no attributes") }
        defer { dnnl_primitive_attr_destroy(attributes) }
        // A user scratchpad: the library's default one is shared per creating thread, which is
        // not safe when forward passes on several threads execute the same primitive.
        try OneDNN.check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "primitive_attr_set_scratchpad_mode")

        var source = try OneDNN.descriptor([1, inChannels, height, width], dnnl_format_tag_any)
        var weightsAny = try OneDNN.descriptor([outChannels, inChannels, 3, 3], dnnl_format_tag_any)
        var destination = try OneDNN.descriptor([1, outChannels, height, width], dnnl_format_tag_any)
        var operation = dnnl_convolution_desc_t()
        try OneDNN.check(
            dnnl_convolution_forward_desc_init(
                &operation, dnnl_forward_inference, dnnl_convolution_winograd, &source, &weightsAny, nil, &destination, [1, 1],
                [1, 1], [1, 1]), "convolution_forward_desc_init")
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine.handle, nil),
            "primitive_desc_create(winograd convolution)")
        guard let descriptor else { throw OneDNNError(call: "primitive_desc_create", status: "no descriptor") }
        defer { dnnl_primitive_desc_destroy(descriptor) }

        var info: UnsafePointer<CChar>?
        _ = dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &info)
        implementation = info.map { String(cString: $0) } ?? "?"
        guard let src = dnnl_primitive_desc_query_md(descriptor, dnnl_query_src_md, 0),
            let wei = dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0),
            let dst = dnnl_primitive_desc_query_md(descriptor, dnnl_query_dst_md, 0)
        else { throw OneDNNError(call: "primitive_desc_query_md", status: "missing descriptor") }
        blockedSource = src.pointee
        blockedDestination = dst.pointee
        plainSource = try OneDNN.descriptor([1, inChannels, height, width], dnnl_nchw)
        plainDestination = try OneDNN.descriptor([1, outChannels, height, width], dnnl_nchw)
        convolution = try OneDNN.primitive(descriptor, "winograd convolution")

        let (toBlocked, toScratch) = try OneDNN.reorder(
            from: plainSource, to: blockedSource, engine: engine.handle, attributes: attributes)
        let (fromBlocked, fromScratch) = try OneDNN.reorder(
            from: blockedDestination, to: plainDestination, engine: engine.handle, attributes: attributes)
        self.toBlocked = toBlocked
        self.fromBlocked = fromBlocked
        scratchpadSize = max(OneDNN.scratchpadSize(descriptor), toScratch, fromScratch)
        var blockedSource = blockedSource
        var blockedDestination = blockedDestination
        sourceItem = dnnl_memory_desc_get_size(&blockedSource)
        destinationItem = dnnl_memory_desc_get_size(&blockedDestination)

        var wanted = wei.pointee
        if let shared = cache.first(where: { cached in
            withUnsafePointer(to: cached.descriptor) { dnnl_memory_desc_equal($0, &wanted) != 0 }
        }) {
            weights = shared
        } else {
            let reordered = WinogradWeights(
                descriptor: wanted,
                buffer: try OneDNN.reordered(
                    plainWeights, dims: [outChannels, inChannels, 3, 3], tag: dnnl_oihw, to: wanted, engine: engine.handle,
                    attributes: attributes))
            cache.append(reordered)
            weights = reordered
        }
    }

    /// Convolves `batch` NCHW items at `input` into NCHW `output`, one item at a time, on the
    /// calling thread's OpenMP thread count.
    func run(
        input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
        workspace: WinogradWorkspaces.Workspace
    ) throws(OneDNNError) {
        workspace.reserve(source: sourceItem, destination: destinationItem, scratchpad: scratchpadSize)
        let engine = engine.handle
        var stream: dnnl_stream_t?
        try OneDNN.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream_create")
        defer { dnnl_stream_destroy(stream) }
        var plainSource = plainSource
        var blockedSource = blockedSource
        var blockedDestination = blockedDestination
        var plainDestination = plainDestination
        var weightsDescriptor = weights.descriptor
        let source = try Memory(&plainSource, engine, nil)
        let blockedIn = try Memory(&blockedSource, engine, workspace.source.pointer)
        let weightsMemory = try Memory(&weightsDescriptor, engine, weights.buffer.pointer)
        let blockedOut = try Memory(&blockedDestination, engine, workspace.destination.pointer)
        let destination = try Memory(&plainDestination, engine, nil)
        let sourceStride = plainSource.dims.1 * plainSource.dims.2 * plainSource.dims.3
        let destinationStride = plainDestination.dims.1 * plainDestination.dims.2 * plainDestination.dims.3
        try Memory.withScratchpad(scratchpadSize, workspace.scratchpad.pointer, engine) { pad throws(OneDNNError) in
            for n in 0..<batch {
                try source.setHandle(input + n * Int(sourceStride))
                try destination.setHandle(output + n * Int(destinationStride))
                try Self.execute(toBlocked, stream, [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, blockedIn)], pad, "reorder(source)")
                try Self.execute(
                    convolution, stream,
                    [(DNNL_ARG_SRC, blockedIn), (DNNL_ARG_WEIGHTS, weightsMemory), (DNNL_ARG_DST, blockedOut)],
                    pad, "convolution")
                try Self.execute(
                    fromBlocked, stream, [(DNNL_ARG_FROM, blockedOut), (DNNL_ARG_TO, destination)], pad, "reorder(destination)")
            }
        }
        try OneDNN.check(dnnl_stream_wait(stream), "stream_wait")
    }

    static func execute(
        _ primitive: OneDNN.Primitive, _ stream: dnnl_stream_t?, _ arguments: [(Int32, Memory)], _ scratchpad: Memory?,
        _ what: String
    ) throws(OneDNNError) {
        var args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        if let scratchpad { args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad.handle)) }
        try OneDNN.check(dnnl_primitive_execute(primitive.handle, stream, Int32(args.count), args), "primitive_execute(\(what))")
    }

    /// A `dnnl_memory_t` over memory we own, destroyed with this object.
    final class Memory {
        let handle: dnnl_memory_t

        init(_ descriptor: inout dnnl_memory_desc_t, _ engine: dnnl_engine_t, _ data: UnsafeMutableRawPointer?)
            throws(OneDNNError)
        {
            var memory: dnnl_memory_t?
            try OneDNN.check(dnnl_memory_create(&memory, &descriptor, engine, data), "memory_create")
            guard let memory else { throw OneDNNError(call: "memory_create", status: "no memory") }
            handle = memory
        }

        func setHandle(_ data: UnsafeMutableRawPointer) throws(OneDNNError) {
            try OneDNN.check(dnnl_memory_set_data_handle(handle, data), "memory_set_data_handle")
        }

        deinit { dnnl_memory_destroy(handle) }

        /// Calls `body` with a scratchpad memory of `size` bytes at `data`, or nil when none is needed.
        static func withScratchpad(
            _ size: Int, _ data: UnsafeMutableRawPointer, _ engine: dnnl_engine_t, _ body: (Memory?) throws(OneDNNError) -> Void
        ) throws(OneDNNError) {
            guard size > 0 else { return try body(nil) }
            var descriptor = dnnl_memory_desc_t()
            try OneDNN.check(
                dnnl_memory_desc_init_by_tag(&descriptor, 1, [Int64(size)], dnnl_u8, dnnl_x), "memory_desc_init(scratchpad)")
            try body(try Memory(&descriptor, engine, data))
        }
    }
}
