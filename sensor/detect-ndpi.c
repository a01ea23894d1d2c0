/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: what the rules read from nDPI about a flow: the server name (DNS
 * query, TLS SNI, HTTP Host), the risk bits with stable snake_case names for
 * `risk NAME`, and the TLS certificate fingerprint. */
/* specification: nDPI 4.2 ndpi_typedefs.h (ndpi_risk_enum, struct ndpi_flow_struct) */
#include <ndpi/ndpi_api.h>
#include <string.h>

#include "detect-rules.h"
#include "flow.h"

/* Index = the nDPI risk bit; the names are nDPI's enum names without NDPI_,
 * in lower case, so they stay stable when nDPI rewords its descriptions. */
static const char *risk_names[64] = {
    [NDPI_URL_POSSIBLE_XSS] = "url_possible_xss",
    [NDPI_URL_POSSIBLE_SQL_INJECTION] = "url_possible_sql_injection",
    [NDPI_URL_POSSIBLE_RCE_INJECTION] = "url_possible_rce_injection",
    [NDPI_BINARY_APPLICATION_TRANSFER] = "binary_application_transfer",
    [NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT] = "known_protocol_on_non_standard_port",
    [NDPI_TLS_SELFSIGNED_CERTIFICATE] = "tls_selfsigned_certificate",
    [NDPI_TLS_OBSOLETE_VERSION] = "tls_obsolete_version",
    [NDPI_TLS_WEAK_CIPHER] = "tls_weak_cipher",
    [NDPI_TLS_CERTIFICATE_EXPIRED] = "tls_certificate_expired",
    [NDPI_TLS_CERTIFICATE_MISMATCH] = "tls_certificate_mismatch",
    [NDPI_HTTP_SUSPICIOUS_USER_AGENT] = "http_suspicious_user_agent",
    [NDPI_HTTP_NUMERIC_IP_HOST] = "http_numeric_ip_host",
    [NDPI_HTTP_SUSPICIOUS_URL] = "http_suspicious_url",
    [NDPI_HTTP_SUSPICIOUS_HEADER] = "http_suspicious_header",
    [NDPI_TLS_NOT_CARRYING_HTTPS] = "tls_not_carrying_https",
    [NDPI_SUSPICIOUS_DGA_DOMAIN] = "suspicious_dga_domain",
    [NDPI_MALFORMED_PACKET] = "malformed_packet",
    [NDPI_SSH_OBSOLETE_CLIENT_VERSION_OR_CIPHER] = "ssh_obsolete_client_version_or_cipher",
    [NDPI_SSH_OBSOLETE_SERVER_VERSION_OR_CIPHER] = "ssh_obsolete_server_version_or_cipher",
    [NDPI_SMB_INSECURE_VERSION] = "smb_insecure_version",
    [NDPI_TLS_SUSPICIOUS_ESNI_USAGE] = "tls_suspicious_esni_usage",
    [NDPI_UNSAFE_PROTOCOL] = "unsafe_protocol",
    [NDPI_DNS_SUSPICIOUS_TRAFFIC] = "dns_suspicious_traffic",
    [NDPI_TLS_MISSING_SNI] = "tls_missing_sni",
    [NDPI_HTTP_SUSPICIOUS_CONTENT] = "http_suspicious_content",
    [NDPI_RISKY_ASN] = "risky_asn",
    [NDPI_RISKY_DOMAIN] = "risky_domain",
    [NDPI_MALICIOUS_JA3] = "malicious_ja3",
    [NDPI_MALICIOUS_SHA1_CERTIFICATE] = "malicious_sha1_certificate",
    [NDPI_DESKTOP_OR_FILE_SHARING_SESSION] = "desktop_or_file_sharing_session",
    [NDPI_TLS_UNCOMMON_ALPN] = "tls_uncommon_alpn",
    [NDPI_TLS_CERT_VALIDITY_TOO_LONG] = "tls_cert_validity_too_long",
    [NDPI_TLS_SUSPICIOUS_EXTENSION] = "tls_suspicious_extension",
    [NDPI_TLS_FATAL_ALERT] = "tls_fatal_alert",
    [NDPI_SUSPICIOUS_ENTROPY] = "suspicious_entropy",
    [NDPI_CLEAR_TEXT_CREDENTIALS] = "clear_text_credentials",
    [NDPI_DNS_LARGE_PACKET] = "dns_large_packet",
    [NDPI_DNS_FRAGMENTED] = "dns_fragmented",
    [NDPI_INVALID_CHARACTERS] = "invalid_characters",
    [NDPI_POSSIBLE_EXPLOIT] = "possible_exploit",
    [NDPI_TLS_CERTIFICATE_ABOUT_TO_EXPIRE] = "tls_certificate_about_to_expire",
};

static const struct rules_names names = {risk_names, NDPI_MAX_RISK < 64 ? NDPI_MAX_RISK : 64};

const struct rules_names *rules_ndpi_names(void)
{
    return &names;
}

const char *rules_ndpi_server_name(const struct flow *f)
{
    if (!f->ndpi || !f->ndpi->host_server_name[0])
        return NULL;
    return f->ndpi->host_server_name;
}

uint64_t rules_ndpi_risks(const struct flow *f)
{
    return f->ndpi ? (uint64_t)f->ndpi->risk : 0;
}

bool rules_ndpi_cert_sha1(const struct flow *f, uint8_t out[20])
{
    if (!f->ndpi)
        return false;
    uint16_t p = f->ndpi->detected_protocol_stack[0];
    uint16_t m = f->ndpi->detected_protocol_stack[1];
    /* the fingerprint lives in a union shared by other protocols */
    bool tls = p == NDPI_PROTOCOL_TLS || m == NDPI_PROTOCOL_TLS || p == NDPI_PROTOCOL_DTLS ||
               m == NDPI_PROTOCOL_DTLS;
    if (!tls)
        return false;
    static const uint8_t zero[20];
    if (memcmp(f->ndpi->protos.tls_quic.sha1_certificate_fingerprint, zero, 20) == 0)
        return false;
    memcpy(out, f->ndpi->protos.tls_quic.sha1_certificate_fingerprint, 20);
    return true;
}
