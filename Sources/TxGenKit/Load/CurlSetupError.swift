/// A libcurl failure while setting up (not a per-request transport error, which is counted).
struct CurlSetupError: Error, CustomStringConvertible {
    let description: String
}
