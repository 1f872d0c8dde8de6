#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <pcap/pcap.h>

// libpcap is loaded with dlopen when a capture file or a live interface is first opened, not linked: a daemon
// that only listens for HEP then never maps libpcap and what it links (libdbus, libsystemd, libgcrypt, ...).
//
// Invariant: ringlog calls libpcap only through a `copcap_functions` table that `copcap_load` filled
// completely (it returns 0 and fills nothing usable otherwise); this module links nothing, and Package.swift
// gives it no pkg-config name, so that the link never adds `-lpcap`. The prototypes come from <pcap/pcap.h>,
// so every entry has libpcap's exact type.

#define COPCAP_FUNCTION(name) __typeof__(name) *_Nonnull name;

/// The libpcap functions ringlog calls, each looked up by name with dlsym.
typedef struct copcap_functions {
    COPCAP_FUNCTION(pcap_open_offline_with_tstamp_precision)
    COPCAP_FUNCTION(pcap_fopen_offline_with_tstamp_precision)
    COPCAP_FUNCTION(pcap_create)
    COPCAP_FUNCTION(pcap_set_snaplen)
    COPCAP_FUNCTION(pcap_set_promisc)
    COPCAP_FUNCTION(pcap_set_timeout)
    COPCAP_FUNCTION(pcap_set_immediate_mode)
    COPCAP_FUNCTION(pcap_set_buffer_size)
    COPCAP_FUNCTION(pcap_set_tstamp_precision)
    COPCAP_FUNCTION(pcap_get_tstamp_precision)
    COPCAP_FUNCTION(pcap_activate)
    COPCAP_FUNCTION(pcap_compile)
    COPCAP_FUNCTION(pcap_freecode)
    COPCAP_FUNCTION(pcap_setfilter)
    COPCAP_FUNCTION(pcap_setnonblock)
    COPCAP_FUNCTION(pcap_get_selectable_fd)
    COPCAP_FUNCTION(pcap_next_ex)
    COPCAP_FUNCTION(pcap_datalink)
    COPCAP_FUNCTION(pcap_datalink_val_to_name)
    COPCAP_FUNCTION(pcap_geterr)
    COPCAP_FUNCTION(pcap_close)
} copcap_functions;

#undef COPCAP_FUNCTION

/// Loads libpcap (the Debian soname first, then upstream's) and fills `table`. Returns 1, or 0 with a
/// message in `error` (`size` bytes) when the library or one of its functions is missing. Never unloads it.
static inline int copcap_load(copcap_functions *_Nonnull table, char *_Nonnull error, size_t size) {
    static const char *const names[] = {"libpcap.so.0.8", "libpcap.so.1"};
    void *library = NULL;
    for (size_t index = 0; index < sizeof names / sizeof names[0] && library == NULL; index++) {
        library = dlopen(names[index], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : "libpcap.so.0.8 not found");
        return 0;
    }
#define COPCAP_LOAD(name)                                                                                          \
    if ((*(void **)&table->name = dlsym(library, #name)) == NULL) {                                                 \
        snprintf(error, size, "libpcap has no function %s", #name);                                                 \
        return 0;                                                                                                   \
    }
    COPCAP_LOAD(pcap_open_offline_with_tstamp_precision)
    COPCAP_LOAD(pcap_fopen_offline_with_tstamp_precision)
    COPCAP_LOAD(pcap_create)
    COPCAP_LOAD(pcap_set_snaplen)
    COPCAP_LOAD(pcap_set_promisc)
    COPCAP_LOAD(pcap_set_timeout)
    COPCAP_LOAD(pcap_set_immediate_mode)
    COPCAP_LOAD(pcap_set_buffer_size)
    COPCAP_LOAD(pcap_set_tstamp_precision)
    COPCAP_LOAD(pcap_get_tstamp_precision)
    COPCAP_LOAD(pcap_activate)
    COPCAP_LOAD(pcap_compile)
    COPCAP_LOAD(pcap_freecode)
    COPCAP_LOAD(pcap_setfilter)
    COPCAP_LOAD(pcap_setnonblock)
    COPCAP_LOAD(pcap_get_selectable_fd)
    COPCAP_LOAD(pcap_next_ex)
    COPCAP_LOAD(pcap_datalink)
    COPCAP_LOAD(pcap_datalink_val_to_name)
    COPCAP_LOAD(pcap_geterr)
    COPCAP_LOAD(pcap_close)
#undef COPCAP_LOAD
    return 1;
}
