package io.parvirt.hmc;

import io.parvirt.store.Changes;
import io.parvirt.store.ConsoleEvent;
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
 * An unknown name costs the same hash as a wrong password, so timing does not tell which users
 * exist; failed logins are throttled per user and per client address ({@link LoginThrottle}) and
 * recorded in the console events.
 */
public final class HmcUsers {
    public static final List<String> ROLES = TaskRoles.ROLES;
    private static final int ITERATIONS = 120_000;
    private final Store store;
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final LoginThrottle throttle;
    /** Hashed for names that do not exist, so that they cost what a wrong password costs. */
    private final byte[] dummySalt = new byte[16];
    private final java.util.concurrent.atomic.AtomicLong hashes = new java.util.concurrent.atomic.AtomicLong();

    public HmcUsers(Store store) {
        this(store, java.time.Clock.systemUTC());
    }

    HmcUsers(Store store, java.time.Clock clock) {
        this.store = store;
        this.throttle = new LoginThrottle(clock);
        random.nextBytes(dummySalt);
    }

    /** The store the users live in, which also holds the resource roles they name ({@link ResourceRoles}). */
    Store store() {
        return store;
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

    /** The SSH public keys (OpenSSH lines) {@code name} may log in with. */
    public List<String> authorizedKeys(String name) {
        return store.authorizedKeys(name);
    }

    void authorizeKey(String name, String keyLine) {
        store.commit(new Changes().authorizeKey(name, keyLine));
    }

    void revokeKey(String name, String keyLine) {
        store.commit(new Changes().revokeKey(name, keyLine));
    }

    /** The user's role when the password is right (a local caller, no client address). */
    public Optional<String> authenticate(String name, String password) {
        return authenticate(name, password, "local");
    }

    /**
     * The user's role when the password is right and neither the name nor {@code address} is
     * being throttled; a refusal does not say which of these it was.
     */
    public Optional<String> authenticate(String name, String password, String address) {
        byte[] digest = digest(name, password);
        byte[] known = verified.get(name);
        Optional<HmcUser> u = store.user(name);
        if (known != null && u.isPresent() && MessageDigest.isEqual(known, digest)) {
            return Optional.of(u.get().role());
        }
        if (!throttle.wait(name, address).isZero()) {
            return Optional.empty();
        }
        boolean right;
        if (u.isPresent()) {
            right = MessageDigest.isEqual(u.get().hash(), counted(password, u.get().salt(), u.get().iterations()));
        } else {
            counted(password, dummySalt, ITERATIONS); // the cost of a wrong password, for a name that does not exist
            right = false;
        }
        if (!right) {
            int n = throttle.failed(name, address);
            store.commit(new Changes().event(new ConsoleEvent(java.time.Instant.now(), name, "parvirt", "login",
                    n >= LoginThrottle.FREE_FAILURES ? "warning" : "info", "Failed login for user " + name + " from "
                    + address + " (" + n + " in a row" + (n >= LoginThrottle.FREE_FAILURES ? "; further attempts "
                    + "are held back " + LoginThrottle.backoff(n).toSeconds() + " s" : "") + ").")));
            return Optional.empty();
        }
        throttle.succeeded(name, address);
        verified.put(name, digest);
        // A login is a password checked by its hash; later requests with the same one are not new logins.
        store.commit(new Changes().event(new ConsoleEvent(java.time.Instant.now(), name, "parvirt", "login", "info",
                "Login of user " + name + " from " + address + ".")));
        return Optional.of(u.get().role());
    }

    /** How many password hashes were computed (tests check that unknown names cost one too). */
    long hashesComputed() {
        return hashes.get();
    }

    private byte[] counted(String password, byte[] salt, int iterations) {
        hashes.incrementAndGet();
        return hash(password, salt, iterations);
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
