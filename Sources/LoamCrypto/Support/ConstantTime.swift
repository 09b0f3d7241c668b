internal import COpenSSL

/// Compares two byte strings without a data-dependent early exit (lengths are not secret).
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
  guard lhs.count == rhs.count else { return false }
  if lhs.isEmpty { return true }
  let left = Array(lhs)
  let right = Array(rhs)
  return left.withUnsafeBytes { l in
    right.withUnsafeBytes { r in CRYPTO_memcmp(l.baseAddress, r.baseAddress, l.count) == 0 }
  }
}
