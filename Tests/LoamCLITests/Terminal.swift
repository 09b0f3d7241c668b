import Foundation

/// Runs `loam` on a pseudo-terminal (through Python's `pty`), typing `lines` each time the
/// program asks for a passphrase ("\u{3}" types Ctrl-C), and returns everything the terminal showed.
enum Terminal {
  struct Result: CustomStringConvertible {
    var status: Int32
    /// Everything written to the terminal: prompts, echoes (if any), output and errors.
    var screen: String
    /// Whether the terminal echoes input after the program ended.
    var echo: Bool
    var description: String { "exit \(status), echo \(echo)\nscreen: \(screen)" }
  }

  private static let driver = """
    import os, pty, sys, json, select, signal, termios
    binary, cwd, lines = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    arguments = sys.argv[4:]
    pid, fd = pty.fork()
    if pid == 0:
        # As from a login shell: no signal blocked (the test runner's threads block some).
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
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
            line = lines.pop(0)
            os.write(fd, line.encode() if line == "\\x03" else line.encode() + b"\\n")
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        os.kill(pid, signal.SIGKILL)  # stuck: reported as killed, never a hung test
        _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({"status": os.waitstatus_to_exitcode(status), "screen": screen.decode(errors="replace"), "echo": echo}))
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
    return Result(
      status: Int32(json["status"] as? Int ?? -1), screen: json["screen"] as? String ?? "", echo: json["echo"] as? Bool ?? false)
  }
}
