import ArgumentParser
import Foundation
import Synchronization

/// Set by SIGINT; the training loop checks it between steps (an atomic, so the load is
/// never hoisted out of the loop).
private let interruptRequested = Atomic<Int>(0)

/// The loop every training run shares: a step, progress, a checkpoint every
/// `checkpointEvery` steps and at the end, a stop with the last good checkpoint kept when the
/// loss is NaN (exit 5), and on Ctrl-C a checkpoint at the current step, the command that
/// resumes, and exit 130.
struct TrainingLoop {
    let out: String
    let resumed: Bool
    let checkpointEvery: Int
    let resumeCommand: String

    func run(step: () -> Int, total: Int, trainStep: () -> Float, progress: TrainingProgress, save: () throws -> Void) throws {
        interruptRequested.store(0, ordering: .relaxed)
        signal(SIGINT) { _ in interruptRequested.store(1, ordering: .relaxed) }
        // A parent may start us with SIGINT blocked (Foundation's Process does); unblock it.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        defer { signal(SIGINT, SIG_DFL) }

        var lastGoodStep = resumed ? step() : -1
        while step() < total {
            let loss = trainStep()
            guard loss.isFinite else {
                progress.finish()
                let kept = lastGoodStep >= 0 ? "the last good checkpoint (step \(lastGoodStep)) is kept in \(out)" : "no checkpoint was written"
                Terminal.printError("the loss became \(loss) at step \(step()): training diverged; \(kept)")
                throw ExitCode(5)
            }
            progress.update(step: step(), loss: loss)
            let interrupted = interruptRequested.load(ordering: .relaxed) != 0
            if step() % checkpointEvery == 0 || step() == total || interrupted {
                do {
                    try save()
                } catch {
                    progress.finish()
                    Terminal.printError("cannot write the checkpoint: \(error)")
                    throw ExitCode(4)
                }
                lastGoodStep = step()
            }
            if interrupted {
                progress.finish()
                Terminal.printError("interrupted at step \(step()) of \(total); \(out) holds that step. Resume with: \(resumeCommand)")
                throw ExitCode(130)
            }
        }
        progress.finish()
    }
}
