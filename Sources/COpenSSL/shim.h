// The OpenSSL surface Loam uses, plus static inline wrappers for what Swift cannot import
// (function-like macros). Nothing but LoamCrypto imports this module.
#ifndef LOAM_COPENSSL_SHIM_H
#define LOAM_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static inline void loam_openssl_free(void *ptr) { OPENSSL_free(ptr); }

static inline long loam_bio_get_mem_data(BIO *bio, char **out) {
  return BIO_get_mem_data(bio, out);
}

/// A P-256 public key from its 65-byte uncompressed point (0x04 || x || y); NULL when OpenSSL
/// refuses it (a point off the curve). Without the generic DER decoder, which costs ~150 µs a key.
static inline EVP_PKEY *loam_p256_public_key(const unsigned char *point, size_t length) {
  EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (context == NULL) return NULL;
  EVP_PKEY *key = NULL;
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, length);
  params[2] = OSSL_PARAM_construct_end();
  if (EVP_PKEY_fromdata_init(context) != 1 || EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    key = NULL;
  }
  EVP_PKEY_CTX_free(context);
  return key;
}

#endif
