import LoamCrypto

#if canImport(Glibc)
  import Glibc
#endif

/// Passphrases come from an environment variable named on the command line, or from a prompt on
/// the terminal with echo off — never from an argument (which `ps` would show), never printed.
enum Passphrase {
  /// The longest passphrase a prompt accepts.
  static let maximumLength = 1024

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

  /// Reads a private key. Without `--passphrase-env`, an encrypted key's passphrase is asked for
  /// on the controlling terminal (echo off); with no terminal the error says to use the variable.
  static func readPrivateKey(_ path: String, environment variable: String?) throws -> PrivateKey {
    try withPrompt(path, variable) { try KeyFile.readPrivateKey(path, passphrase: $0) }
  }

  /// Reads a public key or a private key, prompting for an encrypted private key's passphrase.
  static func readAnyKey(_ path: String, environment variable: String?) throws -> AnyKey {
    try withPrompt(path, variable) { try KeyFile.readAnyKey(path, passphrase: $0) }
  }

  private static func withPrompt<T>(_ path: String, _ variable: String?, _ load: (SecureBytes?) throws -> T) throws -> T {
    let fromEnvironment = try fromEnvironment(variable)
    do {
      return try load(fromEnvironment)
    } catch let error as CryptoError where error.code == .passphraseRequired && variable == nil {
      guard let typed = try prompt("Passphrase for \(path): ") else {
        throw CLIError(
          "\(path) is encrypted and there is no terminal to ask on: name an environment variable holding its passphrase with --passphrase-env (--log-key-passphrase-env for the log key)"
        )
      }
      return try load(typed)
    }
  }

  /// A new passphrase, typed twice on the terminal; refused when the two differ.
  static func promptNew() throws -> SecureBytes {
    let noTerminal = CLIError("--ask-passphrase needs a terminal; use --passphrase-env VAR when scripting")
    guard let first = try prompt("New passphrase: "), let second = try prompt("Repeat passphrase: ") else {
      throw noTerminal
    }
    guard first.count == second.count, first.withUnsafeBytes({ a in second.withUnsafeBytes { b in a.elementsEqual(b) } })
    else { throw CLIError("the two passphrases differ; nothing was written") }
    return first
  }

  /// Asks on `/dev/tty` with echo off and restores the terminal afterwards. Returns nil when
  /// there is no controlling terminal.
  static func prompt(_ message: String) throws -> SecureBytes? {
    let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard tty >= 0 else { return nil }
    defer { close(tty) }
    var original = termios()
    guard tcgetattr(tty, &original) == 0 else { return nil }
    var silent = original
    silent.c_lflag &= ~tcflag_t(ECHO)
    silent.c_lflag |= tcflag_t(ICANON)
    guard tcsetattr(tty, TCSAFLUSH, &silent) == 0 else { return nil }
    // Interrupted at the prompt (Ctrl-C, kill), the terminal gets its echo back before exiting.
    promptTerminal = tty
    promptSettings = original
    let previousInterrupt = signal(SIGINT, restoreTerminalAndExit)
    let previousTerminate = signal(SIGTERM, restoreTerminalAndExit)
    defer {
      _ = tcsetattr(tty, TCSAFLUSH, &original)
      signal(SIGINT, previousInterrupt)
      signal(SIGTERM, previousTerminate)
      promptTerminal = -1
      _ = write(tty, "\n", 1)
    }
    _ = message.withCString { write(tty, $0, strlen($0)) }
    var overlong = false
    let typed = try SecureBytes(capacity: maximumLength) { buffer in
      var count = 0
      var byte: UInt8 = 0
      while true {
        let got = read(tty, &byte, 1)
        if got < 0 {
          if errno == EINTR { continue }
          throw CLIError("reading the passphrase failed: \(String(cString: strerror(errno)))")
        }
        if got == 0 || byte == UInt8(ascii: "\n") { break }
        if count == buffer.count {
          overlong = true
          continue
        }
        buffer[count] = byte
        count += 1
      }
      byte = 0
      return count
    }
    if overlong { throw CLIError("the passphrase is longer than \(maximumLength) bytes") }
    if typed.count == 0 { throw CLIError("no passphrase was typed") }
    return typed
  }
}

/// The terminal a prompt has silenced, and its settings before, for the signal handler.
nonisolated(unsafe) private var promptTerminal: Int32 = -1
nonisolated(unsafe) private var promptSettings = termios()

/// Restores echo and exits as the signal would have (only async-signal-safe calls).
private func restoreTerminalAndExit(_ signal: Int32) {
  if promptTerminal >= 0 {
    _ = tcsetattr(promptTerminal, TCSANOW, &promptSettings)
    _ = write(promptTerminal, "\n", 1)
  }
  _exit(128 + signal)
}
