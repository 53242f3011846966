#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry for `TransactionJSONReader` against Foundation's `JSONDecoder` (built by
/// scripts/fuzz.sh with -sanitize=fuzzer,address, compiled together with
/// Tests/GatewayKitTests/Fuzzing). A broken property aborts, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func transactionJSONFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let violation = TransactionJSONProperties.violation(in: bytes) {
        fputs("TransactionJSONReader property broken: \(violation)\n", stderr)
        abort()
    }
    return 0
}
