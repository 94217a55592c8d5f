package io.parvirt.store;

/**
 * An HMC user for remote API access; the password is kept only as a salted PBKDF2 hash.
 * {@code resourceRole} null is every resource (the HMC's {@code ALL:}).
 */
public record HmcUser(String name, String role, byte[] salt, byte[] hash, int iterations, String resourceRole) {
    public HmcUser(String name, String role, byte[] salt, byte[] hash, int iterations) {
        this(name, role, salt, hash, iterations, null);
    }

    public HmcUser withResourceRole(String r) {
        return new HmcUser(name, role, salt, hash, iterations, r);
    }
}
