import Foundation
import Testing

@testable import GatewayKit

@Suite struct CompactTransactionIDTests {
    @Test(arguments: [
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        "12345678-1234-1234-1234-123456789012", "3f2504e0-4F89-11d3-9a0c-0305e82c3301",
        "3f2504e04f8911d39a0c0305e82c3301", "tx-42", "", "3f2504e0-4f89-11d3-9a0c-0305e82c330g",
    ])
    func text_restoresTheExactId(id: String) {
        #expect(CompactTransactionID(id).text == id)
    }

    @Test func canonicalUUIDs_areStoredWithoutAString() {
        guard case .uuid = CompactTransactionID(UUID().uuidString) else {
            Issue.record("not compacted")
            return
        }
        guard case .uuid = CompactTransactionID(UUID().uuidString.lowercased()) else {
            Issue.record("not compacted")
            return
        }
        guard case .text = CompactTransactionID("3f2504e0-4F89-11d3-9a0c-0305e82c3301") else {
            Issue.record("mixed case must stay text to keep its spelling")
            return
        }
    }
}
