import AudioIO
import Core
import DSP
import Explain
import Foundation
import Inference
import Models
import Store

/// `stemtrace explain`: audioLIME explanations of a model's predictions by sound sources, for
/// every stored excerpt, built from the stems stored at ingest (docs/EXPLAIN.md).
///
/// Per excerpt: the chosen separator's stems (× temporal segments) are the components; the
/// masks are exhaustive up to the limit, else sampled; every distinct audible mask is composed
/// from cached component spectra and run through the model once (one forward pass serves every
/// target; the all-zero input is run once per stage run); then LIME (`LimeRegression`) explains
/// each selected target. Results go to `explanations`, `explanation_weights` and
/// `explanation_chains`, the masks and their predictions to a shard array, under a config id
/// that hashes every setting. Excerpts already explained with the same config are skipped; a
/// failing excerpt is recorded in `run_failures` and the run goes on. With a partition, only the
/// excerpts of its tracks are explained, under the same config id as without one.
public struct ExplainStage: Sendable {
    /// Seconds spent per phase over the whole run.
    public struct Timing: Sendable, Equatable {
        public var io = 0.0
        public var composition = 0.0
        public var model = 0.0
        public var regression = 0.0

        mutating func add(_ other: Timing) {
            io += other.io
            composition += other.composition
            model += other.model
            regression += other.regression
        }
    }

    public struct Summary: Sendable {
        public var runId: Int64 = 0
        public var configId = ""
        public var separatorId = ""
        public var excerpts = 0
        public var explained = 0
        public var skipped = 0
        /// Excerpts left alone because their track is in another partition.
        public var outsidePartition = 0
        public var modelInputs = 0
        /// Excerpts that could not be explained, by track, with the reason.
        public var failures: [TrackFailures.Item] = []
        /// Seconds per phase, summed over the lanes (so above `seconds` when several ran at once).
        public var timing = Timing()
        public var seconds = 0.0
        /// Excerpts that ran at once, and the threads each model pass used.
        public var lanes = 1
        public var threadsPerLane = 1
    }

    public let store: URL
    public let model: any PerturbationModel
    public let settings: ExplainSettings
    /// Only excerpts of this partition's tracks are explained (nil: every excerpt).
    public let partition: Partition?

    public init(store: URL, model: any PerturbationModel, settings: ExplainSettings, partition: Partition? = nil) {
        self.store = store
        self.model = model
        self.settings = settings
        self.partition = partition
    }

    /// One excerpt to explain: its stems in the separator's order, and the targets still missing.
    struct Job: Sendable {
        let excerptId: Int64
        let trackId: String
        let source: String
        let stems: [ArrayRecord]
        let missing: [Int]
    }

    public func run(progressMode: ProgressReporter.Mode = .automatic) async throws -> Summary {
        try await run(model, progressMode: progressMode)
    }

    func run<M: PerturbationModel>(_ model: M, progressMode: ProgressReporter.Mode) async throws -> Summary {
        let start = Date()
        let opened = try Store.open(at: store)
        let selected = model.targets.indices.filter { settings.targets.includes(model.targets[$0]) }
        guard !selected.isEmpty else {
            throw PipelineError.invalidOption("the model has no \(settings.targets.rawValue) targets to explain")
        }
        // A partition job whose share of the corpus is empty (a cluster task with no tracks) has
        // nothing to explain: that is no error.
        if partition != nil, try opened.catalog.excerptCount() == 0 {
            return Summary(seconds: Date().timeIntervalSince(start))
        }
        let (separatorId, stemsByExcerpt) = try Self.stems(in: opened, separator: settings.separator)
        guard let firstStems = stemsByExcerpt.values.first else {
            throw PipelineError.invalidOption("\(store.path): no excerpt has stems from \(separatorId)")
        }
        guard let storedRate = try opened.catalog.excerptSampleRate() else {
            throw PipelineError.invalidOption("\(store.path): no stored excerpt")
        }
        let composition = settings.composition ?? model.frontEnd.defaultConditioning
        let config = settings.configuration(
            modelId: model.id, separatorId: separatorId, stems: firstStems.map(\.name), frontEnd: model.frontEnd.name,
            composition: composition)
        let configJSON = CanonicalJSON.string(config)
        let configId = ContentHash.of(configJSON)
        let record = ExplanationConfigRecord(
            id: configId, modelId: model.id, separatorId: separatorId, composition: composition.rawValue,
            segments: settings.segments, sampling: settings.sampling(componentCount: firstStems.count * settings.segments),
            samples: settings.samples, seed: Int64(bitPattern: settings.seed),
            config: configJSON, createdAt: Timestamp.now())
        let targetNames = selected.map { model.targets[$0].name }
        let done = try opened.catalog.explainedTargets(config: configId)
        // The partition applies after the config is settled: every partition records the same config
        // id, and an empty partition is no error.
        let (excerpts, outside) = PartitionSelection.select(
            stemsByExcerpt.sorted(by: { $0.key < $1.key }), in: partition
        ) { $0.value.first?.trackId ?? "" }
        let modelRecord = model.record
        // The run records every setting (the config) beside the targets, the batch size and the lanes.
        let parameters = config.merging([
            "targets": targetNames.joined(separator: ","), "batch": String(settings.batchSize),
            "lanes": settings.lanes.map(String.init) ?? "auto",
        ]) {
            a, _ in a
        }
        let run = try StageRun.begin(
            opened: opened, command: "explain", parameters: parameters, partition: partition, configHash: configId
        ) { writer in
            try writer.register(explanationConfig: record)
            if let modelRecord { try writer.register(model: modelRecord) }
        }
        var jobs: [Job] = []
        for (excerptId, stems) in excerpts {
            let missing = selected.filter { !(done[excerptId]?.contains(model.targets[$0].name) ?? false) }
            guard !missing.isEmpty, let trackId = stems.first?.trackId else { continue }
            jobs.append(
                Job(excerptId: excerptId, trackId: trackId, source: run.sourcePath(of: trackId), stems: stems, missing: missing))
        }
        var summary = Summary(
            runId: run.runId, configId: configId, separatorId: separatorId, excerpts: excerpts.count,
            skipped: excerpts.count - jobs.count, outsidePartition: outside)
        run.counts.skipped = summary.skipped
        let zero = ZeroPrediction(known: model.zeroOutput)
        let lanes = max(1, min(settings.lanes ?? (model.computesInProcess ? ProcessorCount.available : 1), jobs.count))
        let threads = max(1, ProcessorCount.available / lanes)
        summary.lanes = lanes
        summary.threadsPerLane = threads
        let reading = run.store
        var baselinesDone = Set<Int>()
        run.startProgress(label: "explain", total: jobs.count, mode: progressMode)
        // Excerpts run `lanes` at once; their results are written in job order, so the store
        // receives exactly what a one-lane run writes, in the same order.
        func conclude(_ job: Job, _ result: Result<(Outcome, Timing), any Error>) {
            do {
                let (outcome, timing) = try result.get()
                summary.timing.add(timing)
                let t0 = Date()
                try write(outcome, job: job, model: model, configId: configId, runId: run.runId, writer: run.writer)
                if baselinesDone.insert(outcome.components.count).inserted {
                    let b = ComplexityBaseline.compute(componentCount: outcome.components.count, draws: 1000, seed: 0)
                    try run.writer.register(
                        complexityBaseline: ComplexityBaselineRecord(
                            componentCount: b.componentCount, draws: b.draws, seed: 0, mean: b.mean, std: b.standardDeviation))
                }
                summary.timing.io += Date().timeIntervalSince(t0)
                summary.modelInputs += outcome.modelInputs
                summary.explained += 1
                run.succeeded()
            } catch {
                run.fail(trackId: job.trackId, error)
            }
        }
        try await withThrowingTaskGroup(of: (Int, Result<(Outcome, Timing), any Error>).self) { group in
            var started = 0
            var written = 0
            var finished: [Int: Result<(Outcome, Timing), any Error>] = [:]
            // Keep `lanes` excerpts running, with at most 2 × lanes started and not yet written
            // (a slow excerpt holds back the writes of those after it, not their start).
            func startMore() {
                while started < jobs.count, started - written - finished.count < lanes, started - written < 2 * lanes {
                    let index = started
                    let job = jobs[index]
                    started += 1
                    group.addTask {
                        do {
                            var timing = Timing()
                            let outcome = try await self.explain(
                                job, model: model, composition: composition, storedRate: storedRate, opened: reading,
                                zero: zero, threads: threads, timing: &timing)
                            return (index, .success((outcome, timing)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
            }
            startMore()
            while let (index, result) = try await group.next() {
                finished[index] = result
                while let next = finished.removeValue(forKey: written) {
                    conclude(jobs[written], next)
                    written += 1
                }
                startMore()
            }
        }
        try run.finish()
        summary.failures = run.failures.items
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// The chosen separator's id and its stems grouped by excerpt (in the separator's stem order).
    static func stems(in store: Store, separator: String?) throws -> (String, [Int64: [ArrayRecord]]) {
        let all = try store.catalog.arrays(kind: "stem")
        let producers = Array(Set(all.map(\.producer))).sorted()
        guard !producers.isEmpty else {
            throw PipelineError.invalidOption(
                "\(store.root.path): the store has no stems; ingest with a separator (stemtrace ingest --separator …)")
        }
        let matching = SeparatorSelector.matching(producers, separator)
        guard let chosen = matching.first else {
            throw PipelineError.invalidOption(
                "\(store.root.path): no stems from a separator matching '\(separator ?? "")' (stems exist from: \(producers.joined(separator: ", ")))"
            )
        }
        guard matching.count == 1 else {
            throw PipelineError.invalidOption(
                "\(store.root.path): stems exist from several separators (\(matching.joined(separator: ", "))); choose one with --separator"
            )
        }
        let rows = all.filter { $0.producer == chosen && $0.excerptId != nil }
        return (chosen, Dictionary(grouping: rows) { $0.excerptId ?? -1 })
    }

    /// What one excerpt's explanation produced, before it is written.
    struct Outcome: Sendable {
        let components: ExplanationComponents
        let masks: MaskSet
        /// rows × all model targets.
        let labels: [Float]
        /// LIME results for `job.missing`, in that order.
        let explanations: [LimeTargetExplanation]
        let modelInputs: Int
    }

    func explain<M: PerturbationModel>(
        _ job: Job, model: M, composition: SignalConditioning, storedRate: Int, opened: Store, zero: ZeroPrediction,
        threads: Int, timing: inout Timing
    ) async throws -> Outcome {
        var t0 = Date()
        let frontEnd = model.frontEnd
        var stems: [(name: String, samples: [Float])] = []
        for array in job.stems {
            var samples = try opened.read(array).floats()
            if frontEnd.sampleRate != storedRate {
                samples = try Resampler(quality: .high).resample(
                    samples, from: storedRate, to: frontEnd.sampleRate, path: "\(job.source) (\(array.name) stem)")
            }
            stems.append((array.name, samples))
        }
        timing.io += Date().timeIntervalSince(t0)

        let components = try ExplanationComponents(stems: stems, segments: settings.segments)
        let masks = MaskSet.forExplanation(
            componentCount: components.count, exhaustiveLimit: settings.exhaustiveLimit, samples: settings.samples,
            seed: settings.seed)
        let composer = try PerturbationComposer(
            frontEnd: frontEnd, components: components, conditioning: composition)
        let audible = composer.audibleComponents
        let effective = (0..<masks.rowCount).map { masks.bitPattern(ofRow: $0) & audible }
        let distinct = Array(Set(effective.filter { $0 != 0 }))
        let targetCount = model.targets.count
        var outputs: [UInt64: [Float]] = [:]
        if effective.contains(0) {
            t0 = Date()
            let sampleCount = components.sampleCount
            outputs[0] = try await zero.value {
                let values = try await model.predict([frontEnd.silence(sampleCount: sampleCount)], threads: threads)
                try Self.checkFinite(values, model: model, input: "the silent input")
                return values
            }
            timing.model += Date().timeIntervalSince(t0)
        }
        // Compose in slices of the composition order (bounded memory), run the model per batch.
        let order = composer.compositionOrder(distinct).map { distinct[$0] }
        let slice = max(settings.batchSize, 32)
        for sliceStart in stride(from: 0, to: order.count, by: slice) {
            let patterns = Array(order[sliceStart..<min(order.count, sliceStart + slice)])
            t0 = Date()
            var inputs = [M.FrontEnd.Features?](repeating: nil, count: patterns.count)
            composer.compose(patterns) { i, features in inputs[i] = features }
            timing.composition += Date().timeIntervalSince(t0)
            t0 = Date()
            let ready = inputs.compactMap { $0 }
            for batchStart in stride(from: 0, to: ready.count, by: settings.batchSize) {
                let batch = Array(ready[batchStart..<min(ready.count, batchStart + settings.batchSize)])
                let values = try await model.predict(batch, threads: threads)
                guard values.count == batch.count * targetCount else {
                    throw PipelineError.invalidOption(
                        "the model returned \(values.count) values for \(batch.count) inputs × \(targetCount) targets")
                }
                try Self.checkFinite(values, model: model, input: "a perturbation of excerpt \(job.excerptId)")
                for n in 0..<batch.count {
                    outputs[patterns[batchStart + n]] = Array(values[(n * targetCount)..<((n + 1) * targetCount)])
                }
            }
            timing.model += Date().timeIntervalSince(t0)
        }

        t0 = Date()
        var labels = [Float]()
        labels.reserveCapacity(masks.rowCount * targetCount)
        for pattern in effective {
            guard let row = outputs[pattern] else { throw PipelineError.invalidOption("no model output for mask \(pattern)") }
            labels += row
        }
        let chosen = job.missing
        var selectedLabels = [Float]()
        selectedLabels.reserveCapacity(masks.rowCount * chosen.count)
        for r in 0..<masks.rowCount { for t in chosen { selectedLabels.append(labels[r * targetCount + t]) } }
        let lime = try LimeRegression.explain(masks: masks, labels: selectedLabels, targetCount: chosen.count)
        timing.regression += Date().timeIntervalSince(t0)
        return Outcome(
            components: components, masks: masks, labels: labels, explanations: lime.targets,
            modelInputs: distinct.count)
    }

    /// Refuses NaN or ±Inf model outputs (finite but huge weights overflow): an explanation fitted
    /// on them would be meaningless, so the excerpt fails naming the model and the target.
    static func checkFinite<M: PerturbationModel>(_ values: [Float], model: M, input: String) throws {
        let targets = model.targets
        try ModelError.requireFinite(values, model: model.id, input: input) {
            targets.isEmpty ? "\($0)" : targets[$0 % targets.count].name
        }
    }

    /// Stores one excerpt's explanations: the masks-and-predictions array, one explanation row per
    /// target with its weights, and the two-level chains when the model has concepts and outputs.
    func write(
        _ outcome: Outcome, job: Job, model: any PerturbationModel, configId: String, runId: Int64, writer: StoreWriter
    ) throws {
        let k = outcome.components.count
        let targetCount = model.targets.count
        let rows = outcome.masks.rowCount
        // rows × (k + targets): the mask's 0/1 values, then the model's value for every target.
        var table = [Float](repeating: 0, count: rows * (k + targetCount))
        for r in 0..<rows {
            for c in 0..<k { table[r * (k + targetCount) + c] = outcome.masks[r, c] ? 1 : 0 }
            for t in 0..<targetCount { table[r * (k + targetCount) + k + t] = outcome.labels[r * targetCount + t] }
        }
        let array = AttachedArray(
            trackId: job.trackId, excerptId: job.excerptId,
            array: PendingArray(
                kind: "lime_predictions", name: configId, producer: model.id, configHash: configId,
                record: try ShardRecord.encode(Tensor(floats: table, shape: [rows, k + targetCount]))))
        let now = Timestamp.now()
        let targets = model.targets
        let components = outcome.components
        let explanations = outcome.explanations
        let missing = job.missing
        let labels = outcome.labels
        let chains = chainRecords(labels: Array(labels[0..<targetCount]), job: job, model: model, configId: configId)
        let explanationRows = missing.enumerated().map { i, t in
            let lime = explanations[i]
            return StoreWriter.ExplanationRows(
                explanation: ExplanationRecord(
                    configId: configId, excerptId: job.excerptId, trackId: job.trackId, target: targets[t].name,
                    targetKind: targets[t].kind.rawValue, prediction: Double(labels[t]), intercept: lime.intercept,
                    fidelity: lime.score, complexity: lime.complexity.isNaN ? nil : lime.complexity,
                    localPrediction: lime.localPrediction,
                    topComponent: lime.topPositiveComponent >= 0 ? lime.topPositiveComponent : nil,
                    componentCount: k, maskCount: rows, predictionsArray: nil, runId: runId, createdAt: now),
                weights: lime.explanationOrder.enumerated().map { rank, c in
                    ExplanationWeightRecord(
                        explanationId: 0, component: c, name: components.names[c], source: components.sources[c],
                        segment: components.segments[c], weight: lime.coefficients[c], rank: rank + 1)
                })
        }
        try writer.store(explanations: explanationRows, predictions: array, chains: chains, runId: runId)
    }

    /// For each output, the concept with the largest |effect| at the all-ones mask (the explained input).
    func chainRecords(labels: [Float], job: Job, model: any PerturbationModel, configId: String) -> [ExplanationChainRecord] {
        guard let weights = model.conceptToOutputWeights else { return [] }
        let concepts = model.targets.enumerated().filter { $0.element.kind == .concept }
        let outputs = model.targets.enumerated().filter { $0.element.kind == .output }
        guard weights.count == concepts.count * outputs.count, !concepts.isEmpty else { return [] }
        let values = concepts.map { labels[$0.offset] }
        return outputs.enumerated().compactMap { j, output in
            let effects = Effects.of(
                concepts: values, weights: Array(weights[(j * concepts.count)..<((j + 1) * concepts.count)]))
            guard let top = effects.effect.indices.max(by: { abs(effects.effect[$0]) < abs(effects.effect[$1]) }) else {
                return nil
            }
            return ExplanationChainRecord(
                configId: configId, excerptId: job.excerptId, trackId: job.trackId, output: output.element.name,
                concept: concepts[top].element.name, effect: effects.effect[top], relativeEffect: effects.relative[top])
        }
    }
}
