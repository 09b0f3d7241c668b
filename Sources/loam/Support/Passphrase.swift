import LoamCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Passphrases come from an environment variable named on the command line, never from an
/// argument (which `ps` would show).
enum Passphrase {
  static func fromEnvironment(_ variable: String?) throws -> SecureBytes? {
    guard let variable else { return nil }
    guard let value = getenv(variable) else {
      throw CLIError("environment variable \(variable) (named by --passphrase-env) is not set")
    }
    let length = strlen(value)
    guard length > 0 else {
      throw CLIError("environment variable \(variable) (named by --passphrase-env) is empty; set it to the passphrase")
    }
    return SecureBytes(capacity: length) { buffer in
      buffer.copyMemory(from: UnsafeRawBufferPointer(start: value, count: length))
      return length
    }
  }
}
