import Core
import Foundation
import Testing

@testable import Store

/// `Partition`: parsing `k/N`, its errors, and the split of tracks by their partition key.
@Suite struct PartitionTests {
    @Test(arguments: [("0/1", 0, 1), ("2/8", 2, 8), ("7/8", 7, 8), ("0/3", 0, 3), ("999/1000", 999, 1000)])
    func goodTextParsesAndPrintsBack(text: String, index: Int, count: Int) throws {
        let p = try Partition(parsing: text)
        #expect(p.index == index && p.count == count)
        #expect(p.description == text)
        #expect(try Partition(index: index, count: count) == p)
    }

    @Test func badTextIsRejectedWithTheReason() {
        #expect(throws: PartitionError.malformed(text: "")) { try Partition(parsing: "") }
        #expect(throws: PartitionError.malformed(text: "3")) { try Partition(parsing: "3") }
        #expect(throws: PartitionError.malformed(text: "1/2/3")) { try Partition(parsing: "1/2/3") }
        #expect(throws: PartitionError.notAnInteger(text: "a/3", part: "a")) { try Partition(parsing: "a/3") }
        #expect(throws: PartitionError.notAnInteger(text: "1/", part: "")) { try Partition(parsing: "1/") }
        #expect(throws: PartitionError.notAnInteger(text: "1.5/3", part: "1.5")) { try Partition(parsing: "1.5/3") }
        #expect(throws: PartitionError.notAnInteger(text: " 1/3", part: " 1")) { try Partition(parsing: " 1/3") }
        #expect(throws: PartitionError.countTooSmall(text: "0/0", count: 0)) { try Partition(parsing: "0/0") }
        #expect(throws: PartitionError.countTooSmall(text: "0/-2", count: -2)) { try Partition(parsing: "0/-2") }
        #expect(throws: PartitionError.indexOutOfRange(text: "3/3", index: 3, count: 3)) { try Partition(parsing: "3/3") }
        #expect(throws: PartitionError.indexOutOfRange(text: "-1/3", index: -1, count: 3)) { try Partition(parsing: "-1/3") }
        #expect(throws: PartitionError.indexOutOfRange(text: "4/2", index: 4, count: 2)) { try Partition(index: 4, count: 2) }
    }

    @Test func errorMessagesQuoteTheTextAndTheRule() {
        let out = "\(PartitionError.indexOutOfRange(text: "3/3", index: 3, count: 3))"
        #expect(out.contains("'3/3'") && out.contains("0 ≤ k < 3"))
        #expect("\(PartitionError.notAnInteger(text: "a/3", part: "a"))".contains("'a' is not an integer"))
        #expect("\(PartitionError.malformed(text: "x"))".contains("k/N"))
    }

    @Test func everyTrackIsInExactlyOnePartitionTheOneItsKeySelects() throws {
        let ids = (0..<300).map { ContentHash.of("track \($0)") }
        for n in [1, 2, 3, 8] {
            let partitions = try (0..<n).map { try Partition(index: $0, count: n) }
            var sizes = [Int](repeating: 0, count: n)
            for id in ids {
                let holders = partitions.filter { $0.contains(trackId: id) }
                #expect(holders.count == 1, "\(id) in \(holders) of \(n)")
                #expect(holders.first?.index == Int(TrackRecord.partitionKey(forTrack: id) % Int64(n)))
                if let k = holders.first?.index { sizes[k] += 1 }
            }
            // A hash spreads 300 ids over every share (none is empty, none holds nearly all).
            #expect(sizes.allSatisfy { $0 > 0 && $0 <= ids.count * 2 / n }, "\(sizes)")
        }
    }

    @Test func encodesAsItsTextAndDecodingValidates() throws {
        let p = try Partition(parsing: "2/8")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(["partition": p])
        #expect(String(decoding: data, as: UTF8.self) == #"{"partition":"2/8"}"#)
        #expect(try JSONDecoder().decode([String: Partition].self, from: data)["partition"] == p)
        #expect(throws: PartitionError.self) {
            try JSONDecoder().decode([String: Partition].self, from: Data(#"{"partition":"8/8"}"#.utf8))
        }
    }
}
