import Charts
import Foundation
import ForwardProcess
import Gaussian
import ScoreODE
import Stochastic
import ToyDiffusion

/// The named figures of `lessons plot` and of lesson plot cells.
enum FigureLibrary {
    /// Figure groups for `lessons plot GROUP`.
    enum Group: String, CaseIterable {
        case schedules, forward, swissroll, samplers
    }

    static let groups: [Group: [String]] = [
        .schedules: ["schedules-beta", "schedules-alphabar", "schedules-sqrt", "schedules-logsnr"],
        .forward: ["forward-swissroll"],
        .swissroll: ["swissroll-reverse", "swissroll-samples", "swissroll-loss"],
        .samplers: ["samplers-order"],
    ]

    static var names: [String] { Group.allCases.flatMap { groups[$0] ?? [] } }

    /// Builds a figure by name; `seed` fixes any random data in it.
    static func figure(_ name: String, seed: UInt64) throws -> Figure {
        switch name {
        case "schedules-beta":
            return try scheduleChart("βₜ of each schedule (T = 1000)", y: "beta_t", logarithmic: true) { $0.beta }
        case "schedules-alphabar":
            return try scheduleChart("ᾱₜ of each schedule (T = 1000)", y: "alphabar_t") { $0.alphaBar }
        case "schedules-sqrt":
            return try sqrtChart()
        case "schedules-logsnr":
            return try scheduleChart("log SNRₜ = log(ᾱₜ/(1−ᾱₜ)) of each schedule", y: "log SNR_t") { schedule in
                (1...schedule.steps).map(schedule.logSNR)
            }
        case "forward-swissroll":
            return try swissRollFigure(seed: seed)
        case "swissroll-reverse":
            return try swissRollReverse(seed: seed)
        case "swissroll-samples":
            return try swissRollSamples(seed: seed)
        case "swissroll-loss":
            return try swissRollLoss()
        case "samplers-order":
            return try samplersOrder()
        default:
            throw CLIError.usage("unknown figure '\(name)' (accepted: \(names.joined(separator: ", ")))")
        }
    }

    /// A figure drawn as text for the terminal: 24 lines for one chart, 22 per row of panels.
    static func textDrawing(_ figure: Figure, width: Int) throws -> String {
        try figure.ascii(width: min(width, 100), height: figure.panels.count > 1 ? 22 * figure.rows : 24)
    }

    static func textDrawing(_ name: String, seed: UInt64, width: Int) throws -> String {
        try textDrawing(figure(name, seed: seed), width: width)
    }

    static func schedules() throws -> [NoiseSchedule] {
        try ScheduleKind.allCases.map { try NoiseSchedule.make($0) }
    }

    static func scheduleChart(_ title: String, y: String, logarithmic: Bool = false, _ values: (NoiseSchedule) -> [Double]) throws -> Figure {
        let series = try zip(ScheduleKind.allCases, schedules()).map { kind, schedule in
            Series(name: kind.rawValue, y: values(schedule))
        }
        return Figure(Chart(title: title, xLabel: "t", yLabel: y, series: series, logarithmicY: logarithmic))
    }

    static func sqrtChart() throws -> Figure {
        var series: [Series] = []
        for (kind, schedule) in try zip(ScheduleKind.allCases, schedules()) {
            series.append(Series(name: "√ᾱ \(kind.rawValue)", y: (1...schedule.steps).map(schedule.sqrtAlphaBar)))
            series.append(Series(name: "√(1−ᾱ) \(kind.rawValue)", y: (1...schedule.steps).map(schedule.sqrtOneMinusAlphaBar)))
        }
        return Figure(Chart(title: "Signal √ᾱₜ and noise √(1−ᾱₜ) scales", xLabel: "t", yLabel: "scale", series: series))
    }

    /// The swiss roll diffused by the linear schedule: xₜ = √ᾱₜ x₀ + √(1−ᾱₜ) ε.
    static func swissRollFigure(seed: UInt64) throws -> Figure {
        var stream = RandomStream(seed: seed, stream: 0x5715)
        let roll = SwissRoll.sample(1000, stream: &stream)
        let schedule = try NoiseSchedule.linear()
        let panels = [0, 10, 50, 100, 250, 500, 1000].map { t -> Chart in
            let (signal, noise) = (schedule.sqrtAlphaBar(t), schedule.sqrtOneMinusAlphaBar(t))
            let points = roll.map { p in Point2(signal * p.x + noise * stream.normal(), signal * p.y + noise * stream.normal()) }
            return Chart(title: "t = \(t)", series: [Series(name: "", x: points.map(\.x), y: points.map(\.y), style: .points(size: 0.3))],
                         xRange: -3.5...3.5, yRange: -3.5...3.5)
        }
        return Figure(title: "The swiss roll under q(xₜ|x₀), linear schedule", columns: 4, panels: panels)
    }

    /// Each ODE solver's global error against its number of steps on Gaussian data (the
    /// `samplers.order` check's defaults), on log–log axes: the slope is the order.
    static func samplersOrder() throws -> Figure {
        let study = ConvergenceStudy(flow: GaussianDataFlow(data: Gaussian(mean: 0.3, variance: 0.25)))
        let counts = (2...9).map { 1 << $0 }
        let series = try ODESolver.allCases.map { solver in
            Series(name: solver.rawValue, x: counts.map { Foundation.log2(Double($0)) },
                   y: try counts.map { try study.error(solver, steps: $0) }, style: .lines)
        }
        return Figure(Chart(title: "Global error at σ_min against steps K (Gaussian data, log-uniform σ)",
                            xLabel: "log2 K", yLabel: "|x_K - exact|", series: series, logarithmicY: true))
    }
}
