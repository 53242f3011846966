#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer entry for `HTTPParser` (built by scripts/fuzz.sh with -sanitize=fuzzer,address,
/// compiled together with Tests/HTTPCoreTests/Fuzzing). A broken property aborts, so libFuzzer
/// saves the input as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let violation = HTTPParserProperties.violation(in: bytes) {
        fputs("HTTPParser property broken: \(violation)\n", stderr)
        abort()
    }
    return 0
}
