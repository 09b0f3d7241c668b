import ArgumentParser
import LoamCore
import LoamCrypto
import LoamStore

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `loam`, mapping every failure to one sentence on stderr and DESIGN.md's exit codes:
/// 0 success, 1 verification found problems, 2 usage error or unusable input.
@main
enum LoamMain {
  /// Words that ask swift-argument-parser for something other than a run.
  static let libraryWords: Set<String> = [
    "-h", "--help", "help", "--version", "--generate-completion-script", "--experimental-dump-help",
  ]

  /// Parses a run of a leaf command with only that command's arguments. Parsing from the root
  /// reflects on every command of the tree, which was most of a short command's time (6 of an
  /// append's 33 ms). Nil when the words are not a plain run of a leaf (help, version, a group
  /// without its subcommand) or do not parse: the root then parses them, with its messages.
  static func directParse(_ arguments: [String]) -> (any ParsableCommand)? {
    var command: any ParsableCommand.Type = Loam.self
    var rest = arguments[...]
    while let name = rest.first, let next = command.configuration.subcommands.first(where: { $0._commandName == name }) {
      command = next
      rest = rest.dropFirst()
    }
    guard command != Loam.self, command.configuration.subcommands.isEmpty, !rest.contains(where: libraryWords.contains)
    else { return nil }
    return try? command.parseAsRoot(Array(rest))
  }

  static func main() {
    // Threads that sign or free keys may still be at work when `loam` exits (after an error).
    OpenSSLExit.keepStateUntilExit()
    // Past a file-size limit (`ulimit -f`) a write should fail with EFBIG, which the ledger
    // rolls back and reports, rather than kill the process with SIGXFSZ mid-append.
    signal(SIGXFSZ, SIG_IGN)
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try Self.directParse(arguments) ?? Loam.parseAsRoot(arguments)
      try command.run()
    } catch let error as CLIError {
      if !error.message.isEmpty { Output.error(error.message) }
      exit(error.status.rawValue)
    } catch let error as CryptoError {
      Output.error(error.description)
      exit(ExitStatus.unusable.rawValue)
    } catch let error as NoteError {
      Output.error(error.description)
      exit(ExitStatus.unusable.rawValue)
    } catch let error as StoreError {
      Output.error(error.description)
      exit(error.code == .refused ? ExitStatus.findings.rawValue : ExitStatus.unusable.rawValue)
    } catch let error as StatementError {
      Output.error(error.description)
      exit(ExitStatus.unusable.rawValue)
    } catch let error as MerkleProof.Failure {
      Output.error(error.description)
      exit(ExitStatus.unusable.rawValue)
    } catch let error as JSONError {
      Output.error(error.description)
      exit(ExitStatus.unusable.rawValue)
    } catch {
      // swift-argument-parser: help and version succeed; everything else is a usage error (2,
      // where the library's default would be 64).
      if Loam.exitCode(for: error) == .success {
        print(Loam.fullMessage(for: error))
        exit(0)
      }
      if let code = error as? ExitCode {
        exit(code.rawValue)
      }
      Output.standardError(Loam.fullMessage(for: error) + "\n")
      exit(ExitStatus.unusable.rawValue)
    }
  }
}
