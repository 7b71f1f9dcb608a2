/// The model's outputs for the all-zero input, computed once per `explain` run and shared by
/// its lanes: every excerpt's empty mask reads it (the silent input is the same for all of them
/// once cut or looped to the model's input length). A lane that asks while another computes it
/// waits for that result instead of running the model again.
actor ZeroPrediction {
    private var known: [Float]?
    private var running: Task<[Float], any Error>?

    init(known: [Float]?) { self.known = known }

    func value(_ compute: @escaping @Sendable () async throws -> [Float]) async throws -> [Float] {
        if let known { return known }
        if let running { return try await running.value }
        let task = Task { try await compute() }
        running = task
        do {
            let values = try await task.value
            known = values
            return values
        } catch {
            // A failure is not kept: the next excerpt tries again (and fails with its own name).
            running = nil
            throw error
        }
    }
}
