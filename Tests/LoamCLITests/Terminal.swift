import Foundation

/// Runs `loam` on a pseudo-terminal (through Python's `pty`), typing `lines` each time the
/// program asks for a passphrase, and returns everything the terminal showed.
enum Terminal {
  struct Result: CustomStringConvertible {
    var status: Int32
    /// Everything written to the terminal: prompts, echoes (if any), output and errors.
    var screen: String
    var description: String { "exit \(status)\nscreen: \(screen)" }
  }

  private static let driver = """
    import os, pty, sys, json, select
    binary, cwd, lines = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    arguments = sys.argv[4:]
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execv(binary, [binary] + arguments)
    screen, pending = b"", b""
    while True:
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
        pending += chunk
        if b"assphrase" in pending and pending.rstrip().endswith(b":") and lines:
            pending = b""
            os.write(fd, lines.pop(0).encode() + b"\\n")
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({"status": os.waitstatus_to_exitcode(status), "screen": screen.decode(errors="replace")}))
    """

  static func run(_ arguments: [String], typing lines: [String], in directory: URL) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let typed = String(decoding: try JSONSerialization.data(withJSONObject: lines), as: UTF8.self)
    process.arguments = ["python3", "-c", driver, LoamBinary.path, directory.path, typed] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return Result(status: Int32(json["status"] as? Int ?? -1), screen: json["screen"] as? String ?? "")
  }
}
