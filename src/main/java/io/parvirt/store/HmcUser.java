package io.parvirt.store;

/** An HMC user for remote API access; the password is kept only as a salted PBKDF2 hash. */
public record HmcUser(String name, String role, byte[] salt, byte[] hash, int iterations) {
}
