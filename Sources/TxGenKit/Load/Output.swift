/// Where the command writes: the process's standard streams, or memory in tests.
package protocol Output: AnyObject {
    func standardOutput(_ bytes: [UInt8])
    func standardError(_ text: String)
}

extension Output {
    func line(_ text: String) { standardOutput(Array((text + "\n").utf8)) }
    func errorLine(_ text: String) { standardError(text + "\n") }
}
