import Dispatch
import Foundation
import LoamCrypto
import Testing

@Suite struct SHA256Tests {
  @Test func knownAnswers() {
    #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hash(long).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func leafHashOfEmptyInputIsTheRFC6962Value() {
    // SHA-256(0x00): the RFC 6962 hash of an empty leaf.
    #expect(SHA256.hash(prefix: 0x00, [UInt8]()).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
  }

  @Test func prefixAndNodeFormsEqualHashingTheConcatenation() throws {
    let data = Array("L123456".utf8)
    #expect(SHA256.hash(prefix: 0x00, data) == SHA256.hash([0x00] + data))
    let left = SHA256.hash(Array("left".utf8))
    let right = SHA256.hash(Array("right".utf8))
    #expect(SHA256.hash(prefix: 0x01, left, right) == SHA256.hash([0x01] + left.bytes + right.bytes))
  }

  @Test func streamingEqualsOneShotAndRestartsAfterFinalize() {
    let message = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
    let hasher = SHA256Hasher()
    for chunk in stride(from: 0, to: message.count, by: 777) {
      hasher.update(message[chunk..<min(chunk + 777, message.count)])
    }
    #expect(hasher.finalize() == SHA256.hash(message))
    hasher.update(Array("abc".utf8))
    #expect(hasher.finalize() == SHA256.hash(Array("abc".utf8)))
  }

  @Test func threadsHashIndependently() {
    let inputs = (0..<64).map { i in (0..<(i * 13)).map { UInt8(truncatingIfNeeded: $0 ^ i) } }
    let expected = inputs.map { SHA256.hash($0) }
    let results = UnsafeMutableBufferPointer<SHA256Digest>.allocate(capacity: inputs.count)
    results.initialize(repeating: .zero)
    defer { results.deallocate() }
    nonisolated(unsafe) let shared = results
    DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
      for _ in 0..<50 { shared[index] = SHA256.hash(inputs[index]) }
    }
    #expect(Array(results) == expected)
  }

  @Test func digestParsesHexAndComparesByValue() throws {
    let digest = SHA256.hash(Array("abc".utf8))
    #expect(SHA256Digest(hex: digest.hex) == digest)
    #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
    #expect(SHA256Digest(hex: "abc") == nil)
    #expect(SHA256Digest(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    #expect(SHA256Digest.zero.hex == String(repeating: "0", count: 64))
    #expect(digest != SHA256Digest.zero)
  }
}
