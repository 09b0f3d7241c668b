internal import COpenSSL

/// OpenSSL's state for a process that may exit while other threads still sign, or free what holds
/// OpenSSL objects: by default OpenSSL frees its state when the process exits (an `atexit`
/// handler), under the feet of such a thread, which then crashed (`loam import epcis` exiting on
/// a refusal while its signing thread was on a chunk). Kept to the exit instead, the state goes
/// with the process. Call it first, before anything else uses OpenSSL.
public enum OpenSSLExit {
  public static func keepStateUntilExit() {
    _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
  }
}
