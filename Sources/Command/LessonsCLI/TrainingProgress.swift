import Dispatch

/// Progress of a training run on stderr: redrawn in place on a terminal, one line per
/// tenth of the run otherwise.
final class TrainingProgress {
    let total: Int, start: Int
    let terminal = Terminal.current
    let began = DispatchTime.now().uptimeNanoseconds
    var lastDraw: UInt64 = 0
    var nextLine: Int

    /// For epoch-based training: steps per epoch and examples per step (shown as epoch and images/s).
    let stepsPerEpoch: Int?, examplesPerStep: Int?

    init(total: Int, start: Int, stepsPerEpoch: Int? = nil, examplesPerStep: Int? = nil) {
        self.total = total
        self.start = start
        self.stepsPerEpoch = stepsPerEpoch
        self.examplesPerStep = examplesPerStep
        nextLine = start + max((total - start) / 10, 1)
    }

    func update(step: Int, loss: Float) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - began) / 1e9
        let rate = Double(step - start) / max(elapsed, 1e-9)
        let eta = Double(total - step) / max(rate, 1e-9)
        var text = String(format: "step %d/%d  loss %.4f  %.0f steps/s  ETA %.0f s", step, total, loss, rate, eta)
        if let stepsPerEpoch, let examplesPerStep {
            text = String(format: "epoch %d/%d  step %d/%d  loss %.4f  %.0f images/s  ETA %.0f s",
                          (step - 1) / stepsPerEpoch + 1, total / stepsPerEpoch, step, total, loss, rate * Double(examplesPerStep), eta)
        }
        if terminal.progressVisible {
            guard now - lastDraw > 200_000_000 || step == total else { return }
            lastDraw = now
            terminal.progress(text)
        } else if step >= nextLine || step == total {
            nextLine = step + max((total - start) / 10, 1)
            Terminal.note(text)
        }
    }

    func finish() { terminal.clearProgress() }
}
