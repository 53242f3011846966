import Benchmark
import Foundation
import GatewayKit

/// The request hot path of `POST /transactions` (decode, validate, encode), each part next to the
/// Foundation code it replaced: machines and moments differ, so only ratios from one run mean much.
///
///     swift package -c release benchmark --target TransactionJSONBenchmark
let benchmarks: @Sendable () -> Void = {
    // A thousand calls per sample: one call is too short for the clock; times shown are per call.
    // Wall clock only: CPU time comes from getrusage in 10 ms steps, far coarser than a sample.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    decodeBenchmarks()
    encodeBenchmarks()
    dateBenchmarks()
    requestPathBenchmarks()
    recordBenchmarks()
}

/// The example body of the README: one transaction, 230 bytes.
let body = Array(
    #"{"id":"tx-0001","account_id":"acc-42","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}"#
        .utf8
)
let receivedAt = Date(timeIntervalSince1970: 1_795_710_000.123)

func decodeBenchmarks() {
    measure("decode JSONDecoder") { try? JSONDecoder().decode(TransactionPayload.self, from: Data(body)) }
    measure("decode TransactionJSONReader") { try? TransactionJSONReader.payload(from: body) }
    let payload = try? TransactionJSONReader.payload(from: body)
    measure("validate TransactionValidator") {
        payload.map { TransactionValidator().validate($0, receivedAt: receivedAt) }
    }
}

func encodeBenchmarks() {
    let transaction = try? sampleTransaction()
    measure("encode JSONEncoder") { transaction.flatMap { try? Transaction.makeEncoder().encode($0) } }
    measure("encode TransactionJSONWriter") { transaction.map(TransactionJSONWriter.bytes(of:)) }
}

func dateBenchmarks() {
    measure("RFC3339.format Foundation") { RFC3339.foundationFormat(receivedAt) }
    measure("RFC3339.format digits") { RFC3339.format(receivedAt) }
    measure("RFC3339.parse") { RFC3339.parse("2026-11-25T16:20:00Z") }
}

/// The whole path of one record, as the route runs it, against the Foundation path it replaced.
func requestPathBenchmarks() {
    measure("request path Foundation (decode, validate, encode)") {
        (try? JSONDecoder().decode(TransactionPayload.self, from: Data(body)))
            .flatMap { try? TransactionValidator().validate($0, receivedAt: receivedAt).get() }
            .flatMap { try? Transaction.makeEncoder().encode($0) }
    }
    measure("request path (read, validate, write)") {
        (try? TransactionJSONReader.payload(from: body))
            .flatMap { try? TransactionValidator().validate($0, receivedAt: receivedAt).get() }
            .map(TransactionJSONWriter.bytes(of:))
    }
}

/// The consumer side: one record value (what the producer wrote for `body`) back to a Transaction.
func recordBenchmarks() {
    let record = (try? sampleTransaction()).map(TransactionJSONWriter.bytes(of:)) ?? []
    measure("record JSONDecoder") { try? Transaction.makeDecoder().decode(Transaction.self, from: Data(record)) }
    measure("record TransactionRecordReader") { TransactionRecordReader.transaction(from: record) }
}

/// Registers a benchmark that calls `work` `scaledIterations` times per sample. Its result goes
/// to `blackHole` so the optimizer cannot drop the work. Before measuring, checks that both
/// paths still agree: a benchmark of code that gives the wrong answer fails instead of printing.
func measure<T>(_ name: String, _ work: @escaping @Sendable () -> T) {
    Benchmark(name, configuration: .init(setup: checkPathsAgree)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work()) }
    }
}

struct Disagreement: Error, CustomStringConvertible {
    let description: String
}

/// The sample body read by the byte-level reader and validated.
func sampleTransaction() throws -> Transaction {
    try TransactionValidator().validate(try TransactionJSONReader.payload(from: body), receivedAt: receivedAt).get()
}

/// The byte-level path must give what Foundation gives: same transaction, same bytes, same date.
func checkPathsAgree() throws {
    let foundationPayload = try JSONDecoder().decode(TransactionPayload.self, from: Data(body))
    let transaction = try sampleTransaction()
    guard try TransactionValidator().validate(foundationPayload, receivedAt: receivedAt).get() == transaction else {
        throw Disagreement(description: "TransactionJSONReader and JSONDecoder read different transactions")
    }
    guard TransactionJSONWriter.bytes(of: transaction) == Array(try Transaction.makeEncoder().encode(transaction))
    else {
        throw Disagreement(description: "TransactionJSONWriter and JSONEncoder wrote different bytes")
    }
    let record = TransactionJSONWriter.bytes(of: transaction)
    guard
        TransactionRecordReader.transaction(from: record)
            == (try Transaction.makeDecoder().decode(Transaction.self, from: Data(record)))
    else {
        throw Disagreement(description: "TransactionRecordReader and JSONDecoder read different records")
    }
    guard RFC3339.format(receivedAt) == RFC3339.foundationFormat(receivedAt) else {
        throw Disagreement(description: "RFC3339.format and Foundation's format differ")
    }
}
