/* Password hashes and API tokens, with libsodium.
 *
 * Passwords: Argon2id through crypto_pwhash_str, whose string carries the algorithm, its
 * parameters and a random salt, so a hash made with other limits still verifies. Tokens:
 * "kam_" + 43 characters of base64url (32 random bytes from randombytes_buf); only their BLAKE2b
 * hash (crypto_generichash, 32 bytes) is stored, so a database copy gives away no token.
 * This lives in io, not core: it draws randomness and reads one environment variable. */
#ifndef KAM_IO_AUTH_H
#define KAM_IO_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

#define KAM_TOKEN_PREFIX "kam_"
/* "kam_" + base64url of 32 bytes without padding (43) + NUL. */
#define KAM_TOKEN_SIZE 48

/* Hashes password[0..len) with Argon2id into out (KAM_PASSWORD_HASH_MAX bytes, NUL-terminated).
 * Costs libsodium's interactive limits (about 0.1 s and 64 MB); only when the environment has
 * KAM_TEST_FAST_HASH=1 the minimum limits (for test suites; never set it in production).
 * KAM_ERR_STORE when libsodium cannot start or runs out of memory. */
KAM_MUST_CHECK enum kam_rc kam_auth_password_hash(const char *password, size_t len,
                                                  char out[KAM_PASSWORD_HASH_MAX],
                                                  struct kam_err *err);
/* Whether password[0..len) matches hash (a crypto_pwhash_str string). False for a malformed
 * hash. */
bool kam_auth_password_verify(const char *hash, const char *password, size_t len);

/* A new random token into token (KAM_TOKEN_SIZE bytes, NUL-terminated) and its hash into hash.
 * KAM_ERR_STORE when libsodium cannot start. */
KAM_MUST_CHECK enum kam_rc kam_auth_token_new(char token[KAM_TOKEN_SIZE],
                                              unsigned char hash[KAM_TOKEN_HASH_BYTES],
                                              struct kam_err *err);
/* The hash under which the token text is stored. KAM_ERR_INVALID when token does not have the
 * shape of a kam token (prefix and length), so that nothing else is ever looked up. */
KAM_MUST_CHECK enum kam_rc kam_auth_token_hash(const char *token,
                                               unsigned char hash[KAM_TOKEN_HASH_BYTES],
                                               struct kam_err *err);

#endif
