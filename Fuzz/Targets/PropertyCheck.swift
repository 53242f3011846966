#if canImport(Glibc)
import Glibc
#endif

/// One libFuzzer input judged by a target's properties: a broken property aborts, so libFuzzer
/// saves the input as a crash (compiled into every target by scripts/fuzz.sh).
func checkProperties(
    _ data: UnsafePointer<UInt8>?,
    _ size: Int,
    of subject: String,
    _ violation: ([UInt8]) -> String?
) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let broken = violation(bytes) {
        fputs("\(subject) property broken: \(broken)\n", stderr)
        abort()
    }
    return 0
}
