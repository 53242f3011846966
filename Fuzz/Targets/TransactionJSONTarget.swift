/// libFuzzer entry for `TransactionJSONReader` against Foundation's `JSONDecoder` (built by
/// scripts/fuzz.sh with -sanitize=fuzzer,address, together with Tests/GatewayKitTests/Fuzzing).
@_cdecl("LLVMFuzzerTestOneInput")
public func transactionJSONFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkProperties(data, size, of: "TransactionJSONReader", TransactionJSONProperties.violation)
}
