import Foundation
import Testing

/// `loam` allocates with jemalloc (Package.swift): every library it loads (OpenSSL, SQLite, the
/// Swift runtime) binds `malloc` to it, not to glibc's.
@Suite struct AllocatorTests {
  @Test func theBinaryAllocatesWithJemalloc() throws {
    // jemalloc prints its statistics at exit when asked; glibc's malloc ignores the variable.
    let result = try LoamBinary.run(["--version"], environment: ["MALLOC_CONF": "stats_print:true"])
    #expect(result.status == 0, "\(result)")
    #expect(result.stderr.contains("Begin jemalloc statistics"), "\(result)")
    let plain = try LoamBinary.run(["--version"])
    #expect(!plain.stderr.contains("jemalloc"), "\(plain)")
  }
}
