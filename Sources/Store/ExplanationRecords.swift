/// One explanation setting (migration 0004): model, stems, composition and sampling; its id is the
/// content hash of `config`, the canonical JSON of every setting.
public struct ExplanationConfigRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "explanation_configs"
    public var id: String
    public var modelId: String
    public var separatorId: String
    public var composition: String
    public var segments: Int
    public var sampling: String
    public var samples: Int
    public var seed: Int64
    public var config: String
    public var createdAt: String

    public init(
        id: String, modelId: String, separatorId: String, composition: String, segments: Int, sampling: String,
        samples: Int, seed: Int64, config: String, createdAt: String
    ) {
        self.id = id
        self.modelId = modelId
        self.separatorId = separatorId
        self.composition = composition
        self.segments = segments
        self.sampling = sampling
        self.samples = samples
        self.seed = seed
        self.config = config
        self.createdAt = createdAt
    }
}

/// One explained target of one excerpt: the local linear model's intercept, fidelity (weighted
/// R²), complexity and prediction, with the stored masks' predictions.
public struct ExplanationRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "explanations"
    public var id: Int64?
    public var configId: String
    public var excerptId: Int64
    public var trackId: String
    public var target: String
    public var targetKind: String
    public var prediction: Double
    public var intercept: Double
    public var fidelity: Double
    public var complexity: Double?
    public var localPrediction: Double
    public var topComponent: Int?
    public var componentCount: Int
    public var maskCount: Int
    public var predictionsArray: Int64?
    public var runId: Int64?
    public var createdAt: String

    public init(
        id: Int64? = nil, configId: String, excerptId: Int64, trackId: String, target: String, targetKind: String,
        prediction: Double, intercept: Double, fidelity: Double, complexity: Double?, localPrediction: Double,
        topComponent: Int?, componentCount: Int, maskCount: Int, predictionsArray: Int64?, runId: Int64?, createdAt: String
    ) {
        self.id = id
        self.configId = configId
        self.excerptId = excerptId
        self.trackId = trackId
        self.target = target
        self.targetKind = targetKind
        self.prediction = prediction
        self.intercept = intercept
        self.fidelity = fidelity
        self.complexity = complexity
        self.localPrediction = localPrediction
        self.topComponent = topComponent
        self.componentCount = componentCount
        self.maskCount = maskCount
        self.predictionsArray = predictionsArray
        self.runId = runId
        self.createdAt = createdAt
    }
}

/// The weight of one component in one explanation and its rank in audioLIME's `local_exp` order.
public struct ExplanationWeightRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "explanation_weights"
    public var explanationId: Int64
    public var component: Int
    public var name: String
    public var source: String
    public var segment: Int
    public var weight: Double
    public var rank: Int

    public init(explanationId: Int64, component: Int, name: String, source: String, segment: Int, weight: Double, rank: Int) {
        self.explanationId = explanationId
        self.component = component
        self.name = name
        self.source = source
        self.segment = segment
        self.weight = weight
        self.rank = rank
    }
}

/// The random-attribution complexity baseline for one component count.
public struct ComplexityBaselineRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "complexity_baselines"
    public var componentCount: Int
    public var draws: Int
    public var seed: Int64
    public var mean: Double
    public var std: Double

    public init(componentCount: Int, draws: Int, seed: Int64, mean: Double, std: Double) {
        self.componentCount = componentCount
        self.draws = draws
        self.seed = seed
        self.mean = mean
        self.std = std
    }
}

/// The paper's two-level chain for one emotion output of one explained excerpt: the concept with
/// the largest |effect| on it.
public struct ExplanationChainRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "explanation_chains"
    public var configId: String
    public var excerptId: Int64
    public var trackId: String
    public var output: String
    public var concept: String
    public var effect: Double
    public var relativeEffect: Double

    public init(
        configId: String, excerptId: Int64, trackId: String, output: String, concept: String, effect: Double,
        relativeEffect: Double
    ) {
        self.configId = configId
        self.excerptId = excerptId
        self.trackId = trackId
        self.output = output
        self.concept = concept
        self.effect = effect
        self.relativeEffect = relativeEffect
    }
}

/// A ground-truth label of a track (migration 0005), rescaled to [-1, 1].
public struct LabelRecord: CatalogRecord, Equatable {
    public static let databaseTableName = "labels"
    public var trackId: String
    public var name: String
    public var value: Double
    public var rawValue: Double
    public var scaleMin: Double
    public var scaleMax: Double
    public var source: String
    public var createdAt: String

    public init(
        trackId: String, name: String, value: Double, rawValue: Double, scaleMin: Double, scaleMax: Double, source: String,
        createdAt: String
    ) {
        self.trackId = trackId
        self.name = name
        self.value = value
        self.rawValue = rawValue
        self.scaleMin = scaleMin
        self.scaleMax = scaleMax
        self.source = source
        self.createdAt = createdAt
    }
}
