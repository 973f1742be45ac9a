/* Password hashing and API tokens on libsodium (auth.h).
 *
 * It deliberately knows nothing of users or the store's tables: users.c decides what to hash and
 * keep. Argon2id's interactive limits (crypto_pwhash_OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE)
 * are libsodium's advice for logins; the minimum limits exist only for test suites, which hash
 * dozens of passwords and would otherwise spend seconds (minutes under ASan) doing it. */
#include "io/auth.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

_Static_assert(KAM_PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "password hash size");
_Static_assert(KAM_TOKEN_HASH_BYTES == crypto_generichash_BYTES, "token hash size");

enum { TOKEN_BYTES = 32 };

static enum kam_rc start(struct kam_err *err)
{
    if (sodium_init() < 0)
        return kam_err_set(err, KAM_ERR_STORE, "cannot start libsodium");
    return KAM_OK;
}

/* KAM_TEST_FAST_HASH=1: the test suites' explicit opt-in to the cheapest Argon2id. */
static bool fast_hash(void)
{
    const char *v = getenv("KAM_TEST_FAST_HASH");
    return v != NULL && strcmp(v, "1") == 0;
}

enum kam_rc kam_auth_password_hash(const char *password, size_t len,
                                   char out[KAM_PASSWORD_HASH_MAX], struct kam_err *err)
{
    bool fast = fast_hash();
    enum kam_rc rc = start(err);
    if (rc != KAM_OK)
        return rc;
    if (crypto_pwhash_str(out, password, len,
                          fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) !=
        0)
        return kam_err_set(err, KAM_ERR_STORE, "cannot hash the password: out of memory");
    return KAM_OK;
}

bool kam_auth_password_verify(const char *hash, const char *password, size_t len)
{
    if (sodium_init() < 0 || hash == NULL || memchr(hash, '\0', KAM_PASSWORD_HASH_MAX) == NULL)
        return false;
    return crypto_pwhash_str_verify(hash, password, len) == 0;
}

enum kam_rc kam_auth_token_new(char token[KAM_TOKEN_SIZE], unsigned char hash[KAM_TOKEN_HASH_BYTES],
                               struct kam_err *err)
{
    unsigned char raw[TOKEN_BYTES];
    size_t prefix = strlen(KAM_TOKEN_PREFIX);
    enum kam_rc rc = start(err);
    if (rc != KAM_OK)
        return rc;
    randombytes_buf(raw, sizeof(raw));
    memcpy(token, KAM_TOKEN_PREFIX, prefix);
    sodium_bin2base64(token + prefix, KAM_TOKEN_SIZE - prefix, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    return kam_auth_token_hash(token, hash, err);
}

enum kam_rc kam_auth_token_hash(const char *token, unsigned char hash[KAM_TOKEN_HASH_BYTES],
                                struct kam_err *err)
{
    size_t prefix = strlen(KAM_TOKEN_PREFIX), len = token ? strlen(token) : 0;
    enum kam_rc rc = start(err);
    if (rc != KAM_OK)
        return rc;
    if (len != KAM_TOKEN_SIZE - 1 || strncmp(token, KAM_TOKEN_PREFIX, prefix) != 0)
        return kam_err_set(err, KAM_ERR_INVALID, "not a kam API token");
    crypto_generichash(hash, KAM_TOKEN_HASH_BYTES, (const unsigned char *)token, len, NULL, 0);
    return KAM_OK;
}
