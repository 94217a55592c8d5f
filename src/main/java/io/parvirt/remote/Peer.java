package io.parvirt.remote;

import java.util.Objects;

/**
 * One connected system as stored: where its daemon listens, the HMC user and password this console
 * logs in with there, the pinned certificate fingerprint (null: the peer is on loopback and speaks
 * plain HTTP), and the system's name and {@code type_model*serial_num} as last seen.
 */
public record Peer(SystemAddress address, String user, String password, String fingerprint, String name,
        String mtms) {
    public Peer {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (fingerprint == null && !address.loopback()) {
            throw new IllegalArgumentException("a peer that is not on loopback is reached over TLS only");
        }
        name = name == null ? "" : name;
        mtms = mtms == null ? "" : mtms;
    }

    /** The same peer as last seen under another name or machine type, model and serial number. */
    public Peer seenAs(String newName, String newMtms) {
        return new Peer(address, user, password, fingerprint, newName, newMtms);
    }

    /** {@code https} when a certificate is pinned, else {@code http} (loopback only). */
    public String scheme() {
        return fingerprint == null ? "http" : "https";
    }

    @Override
    public String toString() {
        return "Peer[" + address + ", user " + user + ", system " + name + "]"; // never the password
    }
}
