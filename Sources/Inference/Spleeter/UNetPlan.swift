import CDNNL

/// One instrument's U-Net (spleeter's `apply_unet`, model/functions/unet.py) as a fixed sequence
/// of oneDNN primitives for one segment shape, 1 × 2 × T × F (NCHW: channels, frames, bins),
/// built once per model and run for every segment. Each primitive works in the memory layout it
/// prefers (oneDNN's `format_tag_any`); reorders are inserted only where two layouts differ.
///
/// The graph, as the reference builds it (Keras layers, inference mode):
/// - encoder k = 1…6: `conv_k` = Conv2D 5×5 stride 2 'same' (+bias); the next layer's input is
///   LeakyReLU₀.₂(BN(conv_k)). The raw `conv_k` is kept for the skip connection.
/// - decoder k = 1…6: `up_k` = BN(ReLU(Conv2DTranspose 5×5 stride 2 'same'(x))); x = conv6 for
///   k = 1, else concat(conv_{7−k}, up_{k−1}) on channels (skip first).
/// - mask = sigmoid(Conv2D 4×4 dilation 2 'same'(up_6)).
/// TensorFlow's 'same' pads the extra row/column at the end: stride-2 layers pad 1 before and 2
/// after; the transposed ones crop the full result the same way; the dilated conv pads 3 and 3.
final class UNetPlan: @unchecked Sendable {
    private struct Slot {
        var descriptor: dnnl_memory_desc_t
        let storage: AlignedBuffer
        let memory: WinogradPlan.Memory
    }

    private struct Step {
        let primitive: OneDNN.Primitive
        let arguments: [dnnl_exec_arg_t]
        let what: String
    }

    private let engine: OneDNN.Engine
    private let attributes: dnnl_primitive_attr_t
    private var slots: [Slot] = []
    private var steps: [Step] = []
    private var pendingArguments: [(OneDNN.Primitive, [(Int32, Int)], String)] = []
    private var scratchpadSize = 0
    private var scratchpad: (AlignedBuffer, WinogradPlan.Memory)?
    private var input = 0
    private var output = 0
    let frames: Int
    let bins: Int

    /// Builds the plan; the weights are reordered into the layouts the primitives chose.
    init(weights: UNetWeights, frames: Int, bins: Int) throws(OneDNNError) {
        engine = try OneDNN.engine.get()
        var attributes: dnnl_primitive_attr_t?
        try OneDNN.check(dnnl_primitive_attr_create(&attributes), "primitive_attr_create")
        guard let attributes else { throw OneDNNError(call: "primitive_attr_create", status: "no attributes") }
        self.attributes = attributes
        self.frames = frames
        self.bins = bins
        try build(weights)
    }

    deinit { dnnl_primitive_attr_destroy(attributes) }

    private func build(_ weights: UNetWeights) throws(OneDNNError) {
        try OneDNN.check(
            dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "primitive_attr_set_scratchpad_mode")
        let channels = SpleeterParameters.channels
        input = try slot(OneDNN.descriptor([1, channels, frames, bins], dnnl_nchw))
        var x = input
        var (h, w) = (frames, bins)
        var raw: [Int] = []
        for (k, (conv, norm)) in weights.encoder.enumerated() {
            let out = try convolution(x, conv, height: h, width: w, stride: 2, dilation: 0, padBefore: 1, padAfter: 2)
            (h, w) = (h / 2, w / 2)
            raw.append(out)
            if k < weights.encoder.count - 1 {
                x = try batchNorm(out, norm, into: nil, leaky: 0.2)
            }
        }
        var y = raw[raw.count - 1]
        for (k, (deconv, norm)) in weights.decoder.enumerated() {
            let up = try transposed(y, deconv, height: h, width: w)
            (h, w) = (h * 2, w * 2)
            _ = try batchNorm(up, norm, into: up, leaky: nil)
            y = k < weights.decoder.count - 1 ? try concat(raw[raw.count - 2 - k], up) : up
        }
        let mask = try convolution(y, weights.mask, height: h, width: w, stride: 1, dilation: 1, padBefore: 3, padAfter: 3, sigmoid: true)
        output = try ensure(mask, OneDNN.descriptor([1, channels, frames, bins], dnnl_nchw))
        let pad = AlignedBuffer(byteCount: scratchpadSize)
        var padDescriptor = dnnl_memory_desc_t()
        try OneDNN.check(
            dnnl_memory_desc_init_by_tag(&padDescriptor, 1, [Int64(max(scratchpadSize, 1))], dnnl_u8, dnnl_x), "memory_desc_init(scratchpad)")
        let padMemory = try WinogradPlan.Memory(&padDescriptor, engine.handle, pad.pointer)
        scratchpad = (pad, padMemory)
        steps = pendingArguments.map { primitive, arguments, what in
            var args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: slots[$0.1].memory.handle) }
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: padMemory.handle))
            return Step(primitive: primitive, arguments: args, what: what)
        }
        pendingArguments = []
    }

    /// Runs the U-Net on one segment's magnitudes (`input`: 2 × frames × bins) and writes the
    /// sigmoid mask (same shape) to `output`, on the calling thread's OpenMP thread count.
    func run(input values: UnsafeBufferPointer<Float>, output result: UnsafeMutableBufferPointer<Float>) throws(OneDNNError) {
        let count = SpleeterParameters.channels * frames * bins
        guard values.count == count, result.count == count, let source = values.baseAddress, let destination = result.baseAddress
        else { throw OneDNNError(call: "UNetPlan.run", status: "buffer sizes differ from the plan's shape") }
        slots[input].storage.pointer.copyMemory(from: source, byteCount: count * 4)
        var stream: dnnl_stream_t?
        try OneDNN.check(dnnl_stream_create(&stream, engine.handle, dnnl_stream_default_flags.rawValue), "stream_create")
        defer { dnnl_stream_destroy(stream) }
        for step in steps {
            try OneDNN.check(
                dnnl_primitive_execute(step.primitive.handle, stream, Int32(step.arguments.count), step.arguments),
                "primitive_execute(\(step.what))")
        }
        try OneDNN.check(dnnl_stream_wait(stream), "stream_wait")
        UnsafeMutableRawPointer(destination).copyMemory(from: slots[output].storage.pointer, byteCount: count * 4)
    }

    // MARK: building blocks

    private func slot(_ descriptor: dnnl_memory_desc_t) throws(OneDNNError) -> Int {
        var descriptor = descriptor
        let storage = AlignedBuffer(byteCount: dnnl_memory_desc_get_size(&descriptor))
        let memory = try WinogradPlan.Memory(&descriptor, engine.handle, storage.pointer)
        slots.append(Slot(descriptor: descriptor, storage: storage, memory: memory))
        return slots.count - 1
    }

    private func add(_ descriptor: dnnl_primitive_desc_t, _ arguments: [(Int32, Int)], _ what: String) throws(OneDNNError) {
        scratchpadSize = max(scratchpadSize, OneDNN.scratchpadSize(descriptor))
        pendingArguments.append((try OneDNN.primitive(descriptor, what), arguments, what))
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
        pendingArguments.append((reorder, [(DNNL_ARG_FROM, slot), (DNNL_ARG_TO, target)], "reorder"))
        return target
    }

    /// A constant (weights, bias, statistics) from plain `values` in layout `wanted`, reordered now.
    private func constant(_ values: [Float], dims: [Int], tag: dnnl_format_tag_t, wanted: dnnl_memory_desc_t?) throws(OneDNNError)
        -> Int
    {
        let plain = try slot(OneDNN.descriptor(dims, tag))
        values.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { slots[plain].storage.pointer.copyMemory(from: base, byteCount: bytes.count) }
        }
        guard let wanted, !Self.equal(slots[plain].descriptor, wanted) else { return plain }
        let target = try slot(wanted)
        let (reorder, scratch) = try OneDNN.reorder(
            from: slots[plain].descriptor, to: wanted, engine: engine.handle, attributes: attributes)
        let pad = AlignedBuffer(byteCount: scratch)
        var stream: dnnl_stream_t?
        try OneDNN.check(dnnl_stream_create(&stream, engine.handle, dnnl_stream_default_flags.rawValue), "stream_create")
        defer { dnnl_stream_destroy(stream) }
        var args = [
            dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: slots[plain].memory.handle),
            dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: slots[target].memory.handle),
        ]
        var padDescriptor = dnnl_memory_desc_t()
        try OneDNN.check(dnnl_memory_desc_init_by_tag(&padDescriptor, 1, [Int64(max(scratch, 1))], dnnl_u8, dnnl_x), "memory_desc_init")
        let padMemory = try WinogradPlan.Memory(&padDescriptor, engine.handle, pad.pointer)
        args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: padMemory.handle))
        try OneDNN.check(dnnl_primitive_execute(reorder.handle, stream, Int32(args.count), args), "primitive_execute(reorder weights)")
        try OneDNN.check(dnnl_stream_wait(stream), "stream_wait")
        return target
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

    private func descriptor(_ operation: UnsafeRawPointer, _ attributes: dnnl_primitive_attr_t, _ what: String) throws(OneDNNError)
        -> dnnl_primitive_desc_t
    {
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, operation, attributes, engine.handle, nil), "primitive_desc_create(\(what))")
        guard let descriptor else { throw OneDNNError(call: "primitive_desc_create(\(what))", status: "no descriptor") }
        return descriptor
    }

    private static func query(_ descriptor: dnnl_primitive_desc_t, _ what: dnnl_query_t) throws(OneDNNError) -> dnnl_memory_desc_t {
        guard let md = dnnl_primitive_desc_query_md(descriptor, what, 0) else {
            throw OneDNNError(call: "primitive_desc_query_md", status: "missing descriptor")
        }
        return md.pointee
    }

    /// Conv2D (+bias), 'same' with the given padding; `dilation` in oneDNN's convention (d − 1).
    private func convolution(
        _ x: Int, _ layer: UNetWeights.Layer, height: Int, width: Int, stride: Int, dilation: Int, padBefore: Int, padAfter: Int,
        sigmoid: Bool = false
    ) throws(OneDNNError) -> Int {
        let (oh, ow) = (height / stride, width / stride)
        var source = try OneDNN.descriptor([1, layer.inChannels, height, width], dnnl_format_tag_any)
        var weightsAny = try OneDNN.descriptor([layer.outChannels, layer.inChannels, layer.kernel, layer.kernel], dnnl_format_tag_any)
        var bias = try OneDNN.descriptor([layer.outChannels], dnnl_x)
        var destination = try OneDNN.descriptor([1, layer.outChannels, oh, ow], dnnl_format_tag_any)
        var operation = dnnl_convolution_desc_t()
        let s = Int64(stride)
        let d = Int64(dilation)
        let (b, a) = (Int64(padBefore), Int64(padAfter))
        try OneDNN.check(
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_inference, dnnl_convolution_direct, &source, &weightsAny, &bias, &destination, [s, s], [d, d],
                [b, b], [a, a]), "convolution_forward_desc_init")
        let pd = try withAttributes(sigmoid ? (dnnl_eltwise_logistic, 0) : nil) { attributes throws(OneDNNError) in
            try descriptor(&operation, attributes, "convolution")
        }
        defer { dnnl_primitive_desc_destroy(pd) }
        return try finishWeighted(pd, x, layer, what: "convolution")
    }

    /// Conv2DTranspose 5×5 stride 2 'same' (+bias), then ReLU (a post-op).
    private func transposed(_ x: Int, _ layer: UNetWeights.Layer, height: Int, width: Int) throws(OneDNNError) -> Int {
        var source = try OneDNN.descriptor([1, layer.inChannels, height, width], dnnl_format_tag_any)
        var weightsAny = try OneDNN.descriptor([layer.outChannels, layer.inChannels, 5, 5], dnnl_format_tag_any)
        var bias = try OneDNN.descriptor([layer.outChannels], dnnl_x)
        var destination = try OneDNN.descriptor([1, layer.outChannels, height * 2, width * 2], dnnl_format_tag_any)
        var operation = dnnl_deconvolution_desc_t()
        try OneDNN.check(
            dnnl_deconvolution_forward_desc_init(
                &operation, dnnl_forward_inference, dnnl_deconvolution_direct, &source, &weightsAny, &bias, &destination, [2, 2],
                [1, 1], [2, 2]), "deconvolution_forward_desc_init")
        let pd = try withAttributes((dnnl_eltwise_relu, 0)) { attributes throws(OneDNNError) in
            try descriptor(&operation, attributes, "transposed convolution")
        }
        defer { dnnl_primitive_desc_destroy(pd) }
        return try finishWeighted(pd, x, layer, what: "transposed convolution")
    }

    private func finishWeighted(_ pd: dnnl_primitive_desc_t, _ x: Int, _ layer: UNetWeights.Layer, what: String) throws(OneDNNError)
        -> Int
    {
        let source = try ensure(x, Self.query(pd, dnnl_query_src_md))
        let weights = try constant(
            layer.weights, dims: [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel], tag: dnnl_oihw,
            wanted: Self.query(pd, dnnl_query_weights_md))
        let bias = try constant(layer.bias, dims: [layer.outChannels], tag: dnnl_x, wanted: nil)
        let out = try slot(Self.query(pd, dnnl_query_dst_md))
        try add(pd, [(DNNL_ARG_SRC, source), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_BIAS, bias), (DNNL_ARG_DST, out)], what)
        return out
    }

    /// Batch normalization with the moving statistics (Keras ε = 1e-3), optionally followed by
    /// LeakyReLU(`leaky`); in place when `into` is `x`.
    private func batchNorm(_ x: Int, _ norm: UNetWeights.Norm, into: Int?, leaky: Float?) throws(OneDNNError) -> Int {
        var data = slots[x].descriptor
        var operation = dnnl_batch_normalization_desc_t()
        let flags = dnnl_use_global_stats.rawValue | dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        try OneDNN.check(
            dnnl_batch_normalization_forward_desc_init(
                &operation, dnnl_forward_inference, &data, SpleeterParameters.batchNormEpsilon, UInt32(flags)),
            "batch_normalization_forward_desc_init")
        let pd = try withAttributes(leaky.map { (dnnl_eltwise_relu, $0) }) { attributes throws(OneDNNError) in
            try descriptor(&operation, attributes, "batch normalization")
        }
        defer { dnnl_primitive_desc_destroy(pd) }
        let c = norm.gamma.count
        let out: Int
        if let into { out = into } else { out = try slot(slots[x].descriptor) }
        let arguments: [(Int32, Int)] = [
            (DNNL_ARG_SRC, x), (DNNL_ARG_DST, out),
            (DNNL_ARG_MEAN, try constant(norm.mean, dims: [c], tag: dnnl_x, wanted: nil)),
            (DNNL_ARG_VARIANCE, try constant(norm.variance, dims: [c], tag: dnnl_x, wanted: nil)),
            (DNNL_ARG_SCALE, try constant(norm.gamma, dims: [c], tag: dnnl_x, wanted: nil)),
            (DNNL_ARG_SHIFT, try constant(norm.beta, dims: [c], tag: dnnl_x, wanted: nil)),
        ]
        try add(pd, arguments, "batch normalization")
        return out
    }

    /// Channel concatenation [skip, up] (Keras `Concatenate(axis=-1)([conv, batch])`).
    private func concat(_ skip: Int, _ up: Int) throws(OneDNNError) -> Int {
        var sources = [slots[skip].descriptor, slots[up].descriptor]
        var pd: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_concat_primitive_desc_create(&pd, nil, 2, 1, &sources, attributes, engine.handle), "concat_primitive_desc_create")
        guard let pd else { throw OneDNNError(call: "concat_primitive_desc_create", status: "no descriptor") }
        defer { dnnl_primitive_desc_destroy(pd) }
        let out = try slot(Self.query(pd, dnnl_query_dst_md))
        try add(pd, [(DNNL_ARG_MULTIPLE_SRC, skip), (DNNL_ARG_MULTIPLE_SRC + 1, up), (DNNL_ARG_DST, out)], "concat")
        return out
    }
}
