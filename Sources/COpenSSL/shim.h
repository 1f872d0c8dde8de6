#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

// OpenSSL is loaded with dlopen on the first https request, not linked: a process that talks plain http
// (or nothing) never maps libssl and libcrypto nor runs their relocations.
//
// Invariant: ringlog calls OpenSSL only through a `copenssl_functions` table that `copenssl_load` filled
// completely (it returns 0 otherwise, and the table is then not used); this module links nothing, and
// Package.swift gives it no pkg-config name, so that the link never adds `-lssl -lcrypto`. The prototypes
// come from OpenSSL's headers, so every entry has the library's exact type, and the soname is the one of
// the headers' major version (libssl.so.3 for OpenSSL 3).

#define COPENSSL_FUNCTION(name) __typeof__(name) *_Nonnull name;

/// The OpenSSL functions ringlog calls, each looked up by name with dlsym.
typedef struct copenssl_functions {
    COPENSSL_FUNCTION(OPENSSL_init_ssl)
    COPENSSL_FUNCTION(TLS_client_method)
    COPENSSL_FUNCTION(SSL_CTX_new)
    COPENSSL_FUNCTION(SSL_CTX_free)
    COPENSSL_FUNCTION(SSL_CTX_ctrl)
    COPENSSL_FUNCTION(SSL_CTX_set_verify)
    COPENSSL_FUNCTION(SSL_CTX_load_verify_locations)
    COPENSSL_FUNCTION(SSL_CTX_set_default_verify_paths)
    COPENSSL_FUNCTION(SSL_CTX_get_cert_store)
    COPENSSL_FUNCTION(X509_STORE_add_lookup)
    COPENSSL_FUNCTION(X509_LOOKUP_hash_dir)
    COPENSSL_FUNCTION(X509_LOOKUP_ctrl)
    COPENSSL_FUNCTION(X509_get_default_cert_dir)
    COPENSSL_FUNCTION(X509_get_default_cert_dir_env)
    COPENSSL_FUNCTION(X509_get_default_cert_file_env)
    COPENSSL_FUNCTION(ERR_get_error)
    COPENSSL_FUNCTION(ERR_error_string_n)
    COPENSSL_FUNCTION(ERR_clear_error)
    COPENSSL_FUNCTION(SSL_new)
    COPENSSL_FUNCTION(SSL_free)
    COPENSSL_FUNCTION(SSL_set_fd)
    COPENSSL_FUNCTION(SSL_ctrl)
    COPENSSL_FUNCTION(SSL_get0_param)
    COPENSSL_FUNCTION(X509_VERIFY_PARAM_set1_ip_asc)
    COPENSSL_FUNCTION(SSL_set_hostflags)
    COPENSSL_FUNCTION(SSL_set1_host)
    COPENSSL_FUNCTION(SSL_connect)
    COPENSSL_FUNCTION(SSL_get_error)
    COPENSSL_FUNCTION(SSL_get_verify_result)
    COPENSSL_FUNCTION(X509_verify_cert_error_string)
    COPENSSL_FUNCTION(SSL_pending)
    COPENSSL_FUNCTION(SSL_write)
    COPENSSL_FUNCTION(SSL_read)
    COPENSSL_FUNCTION(SSL_shutdown)
} copenssl_functions;

#undef COPENSSL_FUNCTION

#define COPENSSL_STRINGIFY_(value) #value
#define COPENSSL_STRINGIFY(value) COPENSSL_STRINGIFY_(value)

/// Loads libssl (and with it libcrypto) and fills `table`. Returns 1, or 0 with a message in `error` (`size`
/// bytes) when the library or one of its functions is missing. Never unloads it.
static inline int copenssl_load(copenssl_functions *_Nonnull table, char *_Nonnull error, size_t size) {
    const char *name = "libssl.so." COPENSSL_STRINGIFY(OPENSSL_SHLIB_VERSION);
    void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : name);
        return 0;
    }
#define COPENSSL_LOAD(name)                                                                                        \
    if ((*(void **)&table->name = dlsym(library, #name)) == NULL) {                                               \
        snprintf(error, size, "OpenSSL has no function %s", #name);                                               \
        return 0;                                                                                                 \
    }
    COPENSSL_LOAD(OPENSSL_init_ssl)
    COPENSSL_LOAD(TLS_client_method)
    COPENSSL_LOAD(SSL_CTX_new)
    COPENSSL_LOAD(SSL_CTX_free)
    COPENSSL_LOAD(SSL_CTX_ctrl)
    COPENSSL_LOAD(SSL_CTX_set_verify)
    COPENSSL_LOAD(SSL_CTX_load_verify_locations)
    COPENSSL_LOAD(SSL_CTX_set_default_verify_paths)
    COPENSSL_LOAD(SSL_CTX_get_cert_store)
    COPENSSL_LOAD(X509_STORE_add_lookup)
    COPENSSL_LOAD(X509_LOOKUP_hash_dir)
    COPENSSL_LOAD(X509_LOOKUP_ctrl)
    COPENSSL_LOAD(X509_get_default_cert_dir)
    COPENSSL_LOAD(X509_get_default_cert_dir_env)
    COPENSSL_LOAD(X509_get_default_cert_file_env)
    COPENSSL_LOAD(ERR_get_error)
    COPENSSL_LOAD(ERR_error_string_n)
    COPENSSL_LOAD(ERR_clear_error)
    COPENSSL_LOAD(SSL_new)
    COPENSSL_LOAD(SSL_free)
    COPENSSL_LOAD(SSL_set_fd)
    COPENSSL_LOAD(SSL_ctrl)
    COPENSSL_LOAD(SSL_get0_param)
    COPENSSL_LOAD(X509_VERIFY_PARAM_set1_ip_asc)
    COPENSSL_LOAD(SSL_set_hostflags)
    COPENSSL_LOAD(SSL_set1_host)
    COPENSSL_LOAD(SSL_connect)
    COPENSSL_LOAD(SSL_get_error)
    COPENSSL_LOAD(SSL_get_verify_result)
    COPENSSL_LOAD(X509_verify_cert_error_string)
    COPENSSL_LOAD(SSL_pending)
    COPENSSL_LOAD(SSL_write)
    COPENSSL_LOAD(SSL_read)
    COPENSSL_LOAD(SSL_shutdown)
#undef COPENSSL_LOAD
    return 1;
}

// Function-like macros Swift cannot import: SNI, the protocol floor, idle buffers, the library's initialisation,
// and the hashed-directory lookup of trusted certificates.
static inline int copenssl_set_server_name(const copenssl_functions *_Nonnull table, SSL *_Nonnull ssl,
                                           const char *_Nonnull name) {
    return (int)table->SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}
static inline int copenssl_set_minimum_tls12(const copenssl_functions *_Nonnull table, SSL_CTX *_Nonnull context) {
    return (int)table->SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
}
static inline long copenssl_release_idle_buffers(const copenssl_functions *_Nonnull table, SSL_CTX *_Nonnull context) {
    return table->SSL_CTX_ctrl(context, SSL_CTRL_MODE, SSL_MODE_RELEASE_BUFFERS, NULL);
}
static inline int copenssl_initialise(const copenssl_functions *_Nonnull table) {
    return table->OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}

/// Makes `context` look trusted certificates up in hashed directories (`directories`, separated by ':'), one
/// file per subject hash, when a chain is verified; nothing is read before. Returns 1 on success.
static inline int copenssl_use_hashed_directories(const copenssl_functions *_Nonnull table, SSL_CTX *_Nonnull context,
                                                  const char *_Nonnull directories) {
    X509_LOOKUP *lookup =
        table->X509_STORE_add_lookup(table->SSL_CTX_get_cert_store(context), table->X509_LOOKUP_hash_dir());
    if (lookup == NULL) {
        return 0;
    }
    return table->X509_LOOKUP_ctrl(lookup, X509_L_ADD_DIR, directories, X509_FILETYPE_PEM, NULL);
}
