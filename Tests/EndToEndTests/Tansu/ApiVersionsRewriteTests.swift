import Testing

/// The shim's rewrite, on bytes: Tansu 0.6.0's real ApiVersions v3 answer, captured from the wire.
struct ApiVersionsRewriteTests {
    /// Size 283, correlation id 7, error 0, 36 api keys, throttle 0, then four tagged fields:
    /// SupportedFeatures (tag 0, empty array), FinalizedFeaturesEpoch (tag 1, -1),
    /// FinalizedFeatures (tag 2, empty array), ZkMigrationReady (tag 3, false).
    static let tansuReply = bytes(
        "0000011b" + "00000007" + "0000" + "25"
            + "00320000000000001c000000040000160000000500002a000000020000200000000400000f00000005000010000000050000020000000900000d0000000500000800000009000045000000000000150000000200004b0000000000003c000000010000470000000000001d0000000300002c00000001000014000000060000030000000c00000a0000000600000b0000000900002400000002000011000000010000090000000900001e000000030000180000000500001a0000000400002e0000000000001900000004000001000000110000120000000400000e0000000500000c00000004000013000000070000000000000b0000330000000000"
            + "00000000" + "04" + "000101" + "0108ffffffffffffffff" + "020101" + "030100"
    )
    static let tagged = 1 + 3 + 10 + 3 + 3

    @Test func tansusReply_losesItsTaggedFieldsAndNothingElse() throws {
        #expect(Self.tansuReply.count == 4 + 283)
        let rewritten = try #require(ApiVersionsRewrite.emptyingTaggedFields(ofResponse: Self.tansuReply))
        #expect(rewritten.count == Self.tansuReply.count - Self.tagged + 1)
        #expect(ApiVersionsRewrite.int32(rewritten, at: 0) == Int32(rewritten.count - 4))
        #expect(rewritten[4...].dropLast() == Self.tansuReply[4..<(Self.tansuReply.count - Self.tagged)])
        #expect(rewritten.last == 0)
    }

    @Test func aReplyWithoutTaggedFields_staysAsItWas() throws {
        let once = try #require(ApiVersionsRewrite.emptyingTaggedFields(ofResponse: Self.tansuReply))
        #expect(ApiVersionsRewrite.emptyingTaggedFields(ofResponse: once) == once)
    }

    @Test func perKeyTaggedFields_areSkippedAndKept() throws {
        // One api key whose entry carries a tagged field (tag 5, two bytes), then a top-level one.
        let body = "0000" + "02" + "0012" + "0000" + "0003" + "01050201ff" + "00000064" + "01000100"
        let frame = Self.frame(correlation: "0000002a", body: body)
        let rewritten = try #require(ApiVersionsRewrite.emptyingTaggedFields(ofResponse: frame))
        #expect(
            rewritten
                == Self.frame(
                    correlation: "0000002a",
                    body: "0000" + "02" + "0012" + "0000" + "0003" + "01050201ff" + "00000064" + "00"
                )
        )
    }

    @Test func truncatedOrForeignFrames_areNotRewritten() {
        #expect(ApiVersionsRewrite.emptyingTaggedFields(ofResponse: Array(Self.tansuReply.prefix(100))) == nil)
        // An error answer (UNSUPPORTED_VERSION, no keys) cut before the throttle time.
        #expect(
            ApiVersionsRewrite.emptyingTaggedFields(
                ofResponse: Self.frame(correlation: "00000001", body: "0023" + "01")
            ) == nil
        )
    }

    @Test func onlyApiVersionsV3AndLaterRequests_areNoted() {
        let v3 = Self.frame(correlation: "0012" + "0003", body: "0000002a" + "ffff00" + "0000")  // key 18 v3, id 42
        let v2 = Self.frame(correlation: "0012" + "0002", body: "0000002b" + "ffff")
        let metadata = Self.frame(correlation: "0003" + "0009", body: "0000002c" + "ffff00")
        #expect(ApiVersionsRewrite.flexibleApiVersionsRequest(v3) == 42)
        #expect(ApiVersionsRewrite.flexibleApiVersionsRequest(v2) == nil)
        #expect(ApiVersionsRewrite.flexibleApiVersionsRequest(metadata) == nil)
        #expect(ApiVersionsRewrite.correlationID(ofResponse: Self.tansuReply) == 7)
    }

    @Test func frameBuffer_cutsAStreamAtFrameBoundaries_howeverItArrives() throws {
        let first = Self.frame(correlation: "00000001", body: "aabb")
        let second = Self.frame(correlation: "00000002", body: "")
        let stream = first + second + Array(Self.tansuReply.prefix(10))
        var buffer = KafkaFrameBuffer()
        var frames: [[UInt8]] = []
        for byte in stream {
            buffer.append(CollectionOfOne(byte))
            while let frame = try buffer.nextFrame() { frames.append(frame) }
        }
        #expect(frames == [first, second])
        var hostile = KafkaFrameBuffer()
        hostile.append(Self.bytes("7fffffff"))
        #expect(throws: KafkaFrameBuffer.Failure.self) { try hostile.nextFrame() }
    }

    /// A frame: its size, then the hex given (correlation id or request header start, then the rest).
    static func frame(correlation: String, body: String) -> [UInt8] {
        let message = bytes(correlation + body)
        return bytes(String(format: "%08x", message.count)) + message
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }
}
