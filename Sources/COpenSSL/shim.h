// The OpenSSL surface Loam uses, plus static inline wrappers for what Swift cannot import
// (function-like macros). Nothing but LoamCrypto imports this module.
#ifndef LOAM_COPENSSL_SHIM_H
#define LOAM_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static inline void loam_openssl_free(void *ptr) { OPENSSL_free(ptr); }

static inline long loam_bio_get_mem_data(BIO *bio, char **out) {
  return BIO_get_mem_data(bio, out);
}

#endif
