package io.parvirt.api;

import java.nio.file.Path;

/**
 * The certificate and key the TCP listener speaks TLS with: a PKCS#12 keystore and its password,
 * and the certificate's SHA-256 fingerprint (what a client pins for a self-signed certificate).
 */
public record TlsIdentity(Path keystore, String password, String fingerprint) {
}
