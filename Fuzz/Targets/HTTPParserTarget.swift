/// libFuzzer entry for `HTTPParser` (built by scripts/fuzz.sh with -sanitize=fuzzer,address,
/// together with Tests/HTTPCoreTests/Fuzzing, which holds the properties).
@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkProperties(data, size, of: "HTTPParser", HTTPParserProperties.violation)
}
