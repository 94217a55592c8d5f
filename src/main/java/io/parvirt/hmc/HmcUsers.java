package io.parvirt.hmc;

import io.parvirt.store.Changes;
import io.parvirt.store.HmcUser;
import io.parvirt.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * HMC users for remote API access. Passwords are kept as salted PBKDF2-SHA256; a successful check
 * is remembered (as a digest, never the password) so that each API call does not pay the hash.
 */
public final class HmcUsers {
    public static final List<String> ROLES = List.of("hmcsuperadmin", "hmcoperator", "hmcviewer");
    private static final int ITERATIONS = 120_000;
    private final Store store;
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public HmcUsers(Store store) {
        this.store = store;
    }

    public HmcUser create(String name, String role, String password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new HmcUser(name, role, salt, hash(password, salt, ITERATIONS), ITERATIONS);
    }

    public void save(HmcUser u, String actor) {
        verified.remove(u.name());
        store.commit(new Changes().put(u));
    }

    public void remove(String name) {
        verified.remove(name);
        store.commit(new Changes().removeUser(name));
    }

    public Optional<HmcUser> find(String name) {
        return store.user(name);
    }

    public List<HmcUser> all() {
        return store.users();
    }

    /** The user's role when the password is right. */
    public Optional<String> authenticate(String name, String password) {
        Optional<HmcUser> u = store.user(name);
        if (u.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = digest(name, password);
        byte[] known = verified.get(name);
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return Optional.of(u.get().role());
        }
        if (!MessageDigest.isEqual(u.get().hash(), hash(password, u.get().salt(), u.get().iterations()))) {
            return Optional.empty();
        }
        verified.put(name, digest);
        return Optional.of(u.get().role());
    }

    private static byte[] hash(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2 is not available", e);
        }
    }

    private static byte[] digest(String name, String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((name + '\0' + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
