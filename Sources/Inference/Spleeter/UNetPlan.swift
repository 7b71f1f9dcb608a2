import CDNNL
import Foundation

/// One instrument's U-Net (spleeter's `apply_unet`, model/functions/unet.py) as a fixed sequence
/// of steps for one segment shape, built once per model and run for every segment. Activations
/// are channels-last (NHWC: frames × bins × channels), the layout oneDNN's brgemm convolutions
/// run fastest on; the input and the mask are 1 × frames × bins × 2, as in TensorFlow.
///
/// The graph, as the reference builds it (Keras layers, inference mode):
/// - encoder k = 1…6: `conv_k` = Conv2D 5×5 stride 2 'same' (+bias); the next layer's input is
///   LeakyReLU₀.₂(BN(conv_k)). The raw `conv_k` is kept for the skip connection.
/// - decoder k = 1…6: `up_k` = BN(ReLU(Conv2DTranspose 5×5 stride 2 'same'(x))); x = conv6 for
///   k = 1, else concat(conv_{7−k}, up_{k−1}) on channels (skip first).
/// - mask = sigmoid(Conv2D 4×4 dilation 2 'same'(up_6)); for `unet.softmax_unet` (5stems) the
///   conv's logits, normalised across instruments by `SpleeterModel`.
/// LeakyReLU and ReLU are the 2-stem model's activations; 4stems and 5stems use ELU for both.
/// TensorFlow's 'same' pads the extra row/column at the end: stride-2 layers pad 1 before and 2
/// after; the transposed ones crop the full (2n + 3)-long result by 1 at the start, 2 at the end;
/// the dilated conv pads 3 and 3.
///
/// How it runs: the convolutions are oneDNN primitives. A transposed convolution is computed as
/// its four output phases (even/odd row × even/odd column), each an ordinary stride-1 convolution
/// of the input with 2×2, 2×3, 3×2 or 3×3 taps (`TransposedAsPhases`): oneDNN's direct transposed
/// convolution was several times slower on these shapes. A Swift epilogue then interleaves the
/// phases, adds the bias, applies ReLU and the batch norm, and writes the result straight into
/// the concatenation buffer beside the copied skip. The last transposed convolution (one output
/// channel) is a GEMM instead, and the mask layer (one input channel, dilated) a convolution of
/// the space-to-depth input (`MaskAsPhases`). The encoder's batch norm and activation are a
/// Swift epilogue too: one pass that reads the raw conv output, which the skip keeps anyway.
final class UNetPlan: @unchecked Sendable {
    private struct Slot {
        var descriptor: dnnl_memory_desc_t
        let storage: AlignedBuffer
        let memory: WinogradPlan.Memory
        var floats: UnsafeMutablePointer<Float> { storage.pointer.assumingMemoryBound(to: Float.self) }
    }

    private enum Step {
        case primitive(OneDNN.Primitive, [dnnl_exec_arg_t], String)
        case swift(@Sendable (Int) -> Void)
    }

    /// Transposed convolutions with at least this many outputs run as four phase convolutions
    /// in oneDNN; narrower ones (the last, 32 → 1) as a GEMM and col2im (`TransposedByGEMM`):
    /// oneDNN's convolutions with one or four outputs ran at a tenth of their speed.
    static let phaseConvolutionsFrom = 16
    private let engine: OneDNN.Engine
    private let attributes: dnnl_primitive_attr_t
    private var slots: [Slot] = []
    private var steps: [Step] = []
    private var pending: [(OneDNN.Primitive, [(Int32, Int)], String)?] = []
    private var epilogues: [@Sendable (Int) -> Void] = []
    private var scratchpadSize = 0
    private var scratchpad: (AlignedBuffer, WinogradPlan.Memory)?
    private var input = 0
    private var output = 0
    let frames: Int
    let bins: Int

    /// Builds the plan; the weights are reordered into the layouts the primitives chose.
    init(weights: UNetWeights, architecture: SpleeterArchitecture, frames: Int, bins: Int) throws(OneDNNError) {
        engine = try OneDNN.engine.get()
        var attributes: dnnl_primitive_attr_t?
        try OneDNN.check(dnnl_primitive_attr_create(&attributes), "primitive_attr_create")
        guard let attributes else { throw OneDNNError(call: "primitive_attr_create", status: "no attributes") }
        self.attributes = attributes
        self.frames = frames
        self.bins = bins
        try build(weights, architecture)
    }

    deinit { dnnl_primitive_attr_destroy(attributes) }

    private func build(_ weights: UNetWeights, _ architecture: SpleeterArchitecture) throws(OneDNNError) {
        try OneDNN.check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "primitive_attr_set_scratchpad_mode")
        let channels = SpleeterParameters.channels
        input = try slot(channels: channels, height: frames, width: bins)
        var x = input
        var (h, w) = (frames, bins)
        var raw: [Int] = []
        for (k, (conv, norm)) in weights.encoder.enumerated() {
            let out = try convolution(
                x, weights: conv.weights, layout: dnnl_hwio, bias: conv.bias, outChannels: conv.outChannels,
                inChannels: conv.inChannels, kernel: (conv.kernel, conv.kernel), height: h, width: w, stride: 2, dilation: 0,
                padBefore: (1, 1),
                padAfter: (2, 2))
            (h, w) = (h / 2, w / 2)
            raw.append(out)
            if k < weights.encoder.count - 1 {
                x = try slot(channels: conv.outChannels, height: h, width: w)
                addEpilogue(
                    EncoderEpilogue(
                        source: slots[out].floats, destination: slots[x].floats, pixels: h * w, norm: norm,
                        activation: architecture.encoderActivation))
            }
        }
        var y = raw[raw.count - 1]
        for (k, (deconv, norm)) in weights.decoder.enumerated() {
            let skip = k < weights.decoder.count - 1 ? raw[raw.count - 2 - k] : nil
            let skipChannels = skip.map { _ in weights.encoder[weights.encoder.count - 2 - k].conv.outChannels } ?? 0
            let out: Int
            if deconv.outChannels >= Self.phaseConvolutionsFrom {
                out = try slot(channels: skipChannels + deconv.outChannels, height: 2 * h, width: 2 * w)
                var phaseMaps: [UnsafeMutablePointer<Float>] = []
                for phase in TransposedAsPhases.separate(deconv) {
                    let z = try convolution(
                        y, weights: phase.weights, layout: dnnl_hwio, bias: nil, outChannels: deconv.outChannels,
                        inChannels: deconv.inChannels,
                        kernel: phase.kernel, height: h, width: w, stride: 1, dilation: 0, padBefore: (1, 1),
                        padAfter: phase.padAfter)
                    phaseMaps.append(slots[z].floats)
                }
                addEpilogue(
                    DecoderEpilogue(
                        phases: phaseMaps, pixelStride: deconv.outChannels, skip: skip.map { slots[$0].floats },
                        destination: slots[out].floats, height: h, width: w, outChannels: deconv.outChannels,
                        skipChannels: skipChannels, bias: deconv.bias, norm: norm, activation: architecture.decoderActivation))
            } else {
                // Only the last transposed convolution (32 → 1) is this narrow: no skip, one output
                // channel, written space-to-depth for the mask layer (`MaskAsPhases`).
                guard skip == nil, deconv.outChannels == 1 else {
                    throw OneDNNError(call: "UNetPlan", status: "a narrow transposed convolution that is not the last")
                }
                out = try slot(channels: 4, height: h, width: w)
                addEpilogue(
                    TransposedByGEMM(
                        source: slots[y].floats, destination: slots[out].floats, height: h, width: w, layer: deconv, norm: norm,
                        activation: architecture.decoderActivation))
            }
            (h, w) = (h * 2, w * 2)
            y = out
        }
        output = try convolution(
            y, weights: MaskAsPhases.weights(weights.mask), layout: dnnl_oihw, bias: MaskAsPhases.bias(weights.mask),
            outChannels: 4 * channels,
            inChannels: 4, kernel: (5, 5), height: h / 2, width: w / 2, stride: 1, dilation: 0, padBefore: (2, 2),
            padAfter: (2, 2), sigmoid: !architecture.softmaxMasks)
        let pad = AlignedBuffer(byteCount: scratchpadSize, hugePages: true)
        var padDescriptor = dnnl_memory_desc_t()
        try OneDNN.check(
            dnnl_memory_desc_init_by_tag(&padDescriptor, 1, [Int64(max(scratchpadSize, 1))], dnnl_u8, dnnl_x),
            "memory_desc_init(scratchpad)")
        let padMemory = try WinogradPlan.Memory(&padDescriptor, engine.handle, pad.pointer)
        scratchpad = (pad, padMemory)
        var epilogueIndex = 0
        steps = pending.map { entry in
            guard let (primitive, arguments, what) = entry else {
                defer { epilogueIndex += 1 }
                return .swift(epilogues[epilogueIndex])
            }
            var args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: slots[$0.1].memory.handle) }
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: padMemory.handle))
            return .primitive(primitive, args, what)
        }
        pending = []
        epilogues = []
    }

    /// Runs the U-Net on one segment's magnitudes (`input`: frames × bins × 2, channels last) and
    /// writes the sigmoid mask (same shape) to `output`, on `threads` threads (the calling thread's
    /// OpenMP team for oneDNN).
    func run(input values: UnsafeBufferPointer<Float>, output result: UnsafeMutableBufferPointer<Float>, threads: Int)
        throws(OneDNNError)
    {
        let count = SpleeterParameters.channels * frames * bins
        guard values.count == count, result.count == count, let source = values.baseAddress, let destination = result.baseAddress
        else { throw OneDNNError(call: "UNetPlan.run", status: "buffer sizes differ from the plan's shape") }
        slots[input].storage.pointer.copyMemory(from: source, byteCount: count * 4)
        var stream: dnnl_stream_t?
        try OneDNN.check(dnnl_stream_create(&stream, engine.handle, dnnl_stream_default_flags.rawValue), "stream_create")
        defer { dnnl_stream_destroy(stream) }
        for step in steps {
            switch step {
            case let .primitive(primitive, arguments, what):
                try OneDNN.check(
                    dnnl_primitive_execute(primitive.handle, stream, Int32(arguments.count), arguments),
                    "primitive_execute(\(what))")
                try OneDNN.check(dnnl_stream_wait(stream), "stream_wait")
            case let .swift(body):
                body(threads)
            }
        }
        MaskAsPhases.depthToSpace(slots[output].floats, into: destination, height: frames, width: bins, channels: 2)
    }

    // MARK: building blocks

    private func slot(channels: Int, height: Int, width: Int) throws(OneDNNError) -> Int {
        try slot(OneDNN.descriptor([1, channels, height, width], dnnl_nhwc))
    }

    private func addEpilogue(_ epilogue: some Epilogue) {
        epilogues.append { threads in epilogue.run(threads: threads) }
        pending.append(nil)
    }

    private func slot(_ descriptor: dnnl_memory_desc_t, storage given: AlignedBuffer? = nil) throws(OneDNNError) -> Int {
        var descriptor = descriptor
        let storage = given ?? AlignedBuffer(byteCount: dnnl_memory_desc_get_size(&descriptor), hugePages: true)
        let memory = try WinogradPlan.Memory(&descriptor, engine.handle, storage.pointer)
        slots.append(Slot(descriptor: descriptor, storage: storage, memory: memory))
        return slots.count - 1
    }

    private func add(_ descriptor: dnnl_primitive_desc_t, _ arguments: [(Int32, Int)], _ what: String) throws(OneDNNError) {
        scratchpadSize = max(scratchpadSize, OneDNN.scratchpadSize(descriptor))
        pending.append((try OneDNN.primitive(descriptor, what), arguments, what))
    }

    private static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a
        var b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    /// `slot` in layout `wanted`: itself, or a new slot filled by a reorder step.
    private func ensure(_ slot: Int, _ wanted: dnnl_memory_desc_t) throws(OneDNNError) -> Int {
        if Self.equal(slots[slot].descriptor, wanted) { return slot }
        let target = try self.slot(wanted)
        let (reorder, scratch) = try OneDNN.reorder(
            from: slots[slot].descriptor, to: wanted, engine: engine.handle, attributes: attributes)
        scratchpadSize = max(scratchpadSize, scratch)
        pending.append((reorder, [(DNNL_ARG_FROM, slot), (DNNL_ARG_TO, target)], "reorder"))
        return target
    }

    /// A constant (weights, bias, statistics) from plain `values` in layout `wanted`, reordered now.
    private func constant(_ values: some FloatValues, dims: [Int], tag: dnnl_format_tag_t, wanted: dnnl_memory_desc_t?)
        throws(OneDNNError)
        -> Int
    {
        let plainDescriptor = try OneDNN.descriptor(dims, tag)
        if let wanted, !Self.equal(plainDescriptor, wanted) {
            let storage = try OneDNN.reordered(
                values, dims: dims, tag: tag, to: wanted, engine: engine.handle, attributes: attributes, hugePages: true)
            return try slot(wanted, storage: storage)
        }
        let plain = try slot(plainDescriptor)
        values.withFloats { floats in
            if let base = floats.baseAddress {
                slots[plain].storage.pointer.copyMemory(from: base, byteCount: floats.count * MemoryLayout<Float>.stride)
            }
        }
        return plain
    }

    /// Attributes with the user scratchpad and, optionally, one eltwise post-op.
    private func withAttributes<T>(
        _ postOp: (dnnl_alg_kind_t, Float)?, _ body: (dnnl_primitive_attr_t) throws(OneDNNError) -> T
    ) throws(OneDNNError) -> T {
        guard let postOp else { return try body(attributes) }
        var copy: dnnl_primitive_attr_t?
        try OneDNN.check(dnnl_primitive_attr_clone(&copy, attributes), "primitive_attr_clone")
        guard let copy else { throw OneDNNError(call: "primitive_attr_clone", status: "no attributes") }
        defer { dnnl_primitive_attr_destroy(copy) }
        var ops: dnnl_post_ops_t?
        try OneDNN.check(dnnl_post_ops_create(&ops), "post_ops_create")
        defer { dnnl_post_ops_destroy(ops) }
        try OneDNN.check(dnnl_post_ops_append_eltwise(ops, 1, postOp.0, postOp.1, 0), "post_ops_append_eltwise")
        try OneDNN.check(dnnl_primitive_attr_set_post_ops(copy, ops), "primitive_attr_set_post_ops")
        return try body(copy)
    }

    private func descriptor(_ operation: UnsafeRawPointer, _ attributes: dnnl_primitive_attr_t, _ what: String)
        throws(OneDNNError)
        -> dnnl_primitive_desc_t
    {
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, operation, attributes, engine.handle, nil), "primitive_desc_create(\(what))")
        guard let descriptor else { throw OneDNNError(call: "primitive_desc_create(\(what))", status: "no descriptor") }
        return descriptor
    }

    private static func query(_ descriptor: dnnl_primitive_desc_t, _ what: dnnl_query_t) throws(OneDNNError) -> dnnl_memory_desc_t
    {
        guard let md = dnnl_primitive_desc_query_md(descriptor, what, 0) else {
            throw OneDNNError(call: "primitive_desc_query_md", status: "missing descriptor")
        }
        return md.pointee
    }

    /// Conv2D, channels last, with the given asymmetric padding; `dilation` in oneDNN's convention
    /// (d − 1); bias optional; a sigmoid post-op for the mask. `weights` are in `layout` (a tag of
    /// dims O × I × H × W: `dnnl_hwio` for TensorFlow's kernels).
    private func convolution(
        _ x: Int, weights: some FloatValues, layout: dnnl_format_tag_t, bias: [Float]?, outChannels: Int, inChannels: Int,
        kernel: (Int, Int), height: Int,
        width: Int, stride: Int, dilation: Int, padBefore: (Int, Int), padAfter: (Int, Int), sigmoid: Bool = false
    ) throws(OneDNNError) -> Int {
        let (oh, ow) = (height / stride, width / stride)
        let (kh, kw) = kernel
        var source = try OneDNN.descriptor([1, inChannels, height, width], dnnl_nhwc)
        var weightsAny = try OneDNN.descriptor([outChannels, inChannels, kh, kw], dnnl_format_tag_any)
        var biasDescriptor = try OneDNN.descriptor([outChannels], dnnl_x)
        var destination = try OneDNN.descriptor([1, outChannels, oh, ow], dnnl_nhwc)
        var operation = dnnl_convolution_desc_t()
        let s = Int64(stride)
        let d = Int64(dilation)
        let before = [Int64(padBefore.0), Int64(padBefore.1)]
        let after = [Int64(padAfter.0), Int64(padAfter.1)]
        let status = withUnsafeMutablePointer(to: &biasDescriptor) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_inference, dnnl_convolution_direct, &source, &weightsAny,
                bias == nil ? nil : biasPointer,
                &destination, [s, s], [d, d], before, after)
        }
        try OneDNN.check(status, "convolution_forward_desc_init")
        let pd = try withAttributes(sigmoid ? (dnnl_eltwise_logistic, 0) : nil) { attributes throws(OneDNNError) in
            try descriptor(&operation, attributes, "convolution")
        }
        defer { dnnl_primitive_desc_destroy(pd) }
        let input = try ensure(x, Self.query(pd, dnnl_query_src_md))
        let weightSlot = try constant(
            weights, dims: [outChannels, inChannels, kh, kw], tag: layout,
            wanted: Self.query(pd, dnnl_query_weights_md))
        let out = try slot(Self.query(pd, dnnl_query_dst_md))
        var arguments = [(DNNL_ARG_SRC, input), (DNNL_ARG_WEIGHTS, weightSlot), (DNNL_ARG_DST, out)]
        if let bias { arguments.append((DNNL_ARG_BIAS, try constant(bias, dims: [outChannels], tag: dnnl_x, wanted: nil))) }
        try add(pd, arguments, "convolution")
        return out
    }
}
