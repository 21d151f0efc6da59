import Foundation
import Testing
@testable import Verification

/// A bad trace is a clear error naming where, never a crash.
@Suite struct TraceReaderTests {
    static let good = """
        {"format": "difftrace", "version": 1, "dtype": "float32", "scheduler": "ddpm",
         "config": {"num_train_timesteps": 4, "beta_schedule": "linear", "_class_name": "X", "foo": 1},
         "records": [{"quantity": "betas", "values": [0.1, 0.2, 0.3, "nan"]},
                     {"quantity": "step", "timestep": 3, "model_output": [1, 2], "sample": [1, 2], "prev_sample": [1, 2], "noise": null, "shape": [1, 2]}]}
        """

    @Test func readsAGoodTrace() throws {
        let trace = try TraceReader.read(Data(Self.good.utf8))
        #expect(trace.precision == .float32 && trace.scheduler == .ddpm && trace.config.trainSteps == 4)
        #expect(trace.records.count == 2)
        #expect(trace.ignoredConfigKeys == ["config.foo"])
        guard case .betas(let betas) = trace.records[0] else { Issue.record("not betas"); return }
        #expect(betas[3].isNaN)
    }

    @Test(arguments: [
        ("{", ""),
        ("[]", ""),
        (#"{"format": "other", "version": 1}"#, "format"),
        (#"{"format": "difftrace", "version": 2, "dtype": "float32", "records": []}"#, "version"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float8", "records": []}"#, "dtype"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "records": []}"#, "records"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "records": [{"quantity": "magic"}]}"#, "records[0].quantity"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "dtype": "float64", "records": [{"quantity": "magic"}]}"#, ""),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"num_train_timesteps": 4}, "records": [{"quantity": "betas", "values": [0.1, 0.1, 0.1, 0.1]}, {"quantity": "betas", "values": [0.1, 0.1, 0.1, 0.1], "\u0076alues": [0.2, 0.2, 0.2, 0.2]}]}"#, "records[1]"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "records": [{"quantity": "q_sample", "timestep": 1, "x0": [1], "noise": ["nan"], "value": [1]}]}"#, "records[0].noise[0]"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"num_train_timesteps": 4}, "records": [{"quantity": "betas", "values": [1, 2]}]}"#, "records[0].values"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"num_train_timesteps": 4}, "records": [{"quantity": "betas", "values": [0.1, true, 0.1, 0.1]}]}"#, "records[0].values[1]"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"beta_start": "nan"}, "records": [{"quantity": "timesteps"}]}"#, "config.beta_start"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"num_train_timesteps": 1e300}, "records": []}"#, "config.num_train_timesteps"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "records": [{"quantity": "step", "timestep": 3, "model_output": [1], "sample": [1], "prev_sample": [1]}]}"#, "scheduler"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "scheduler": "ddpm", "records": [{"quantity": "step", "timestep": 3, "model_output": [1, 2], "sample": [1], "prev_sample": [1, 2]}]}"#, "records[0].sample"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "scheduler": "ddpm", "records": [{"quantity": "step", "timestep": 5000, "model_output": [1], "sample": [1], "prev_sample": [1]}]}"#, "records[0].timestep"),
        (#"{"format": "difftrace", "version": 1, "dtype": "float32", "scheduler": "ddpm", "records": [{"quantity": "step", "timestep": 3, "model_output": [1, 2], "sample": [1, 2], "prev_sample": [1, 2], "shape": [3, 1]}]}"#, "records[0].shape"),
    ])
    func rejectsWithAPath(json: String, path: String) throws {
        let error = try #require(throws: TraceError.self) { try TraceReader.read(Data(json.utf8)) }
        #expect(error.path == path, "\(error)")
        #expect(!error.message.isEmpty)
    }

    @Test func aHugeArrayIsRefusedByItsLength() throws {
        let values = Array(repeating: "0.5", count: 200_000).joined(separator: ",")
        let json = #"{"format": "difftrace", "version": 1, "dtype": "float32", "config": {"num_train_timesteps": 1000}, "records": [{"quantity": "betas", "values": [\#(values)]}]}"#
        let error = try #require(throws: TraceError.self) { try TraceReader.read(Data(json.utf8)) }
        #expect(error.path == "records[0].values" && error.message.contains("200000"))
    }
}
