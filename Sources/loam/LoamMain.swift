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
  static func main() {
    // Past a file-size limit (`ulimit -f`) a write should fail with EFBIG, which the ledger
    // rolls back and reports, rather than kill the process with SIGXFSZ mid-append.
    signal(SIGXFSZ, SIG_IGN)
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try Loam.parseAsRoot(arguments)
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
