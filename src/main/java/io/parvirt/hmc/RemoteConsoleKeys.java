package io.parvirt.hmc;

/**
 * A console user's own SSH key pair and its use with another console (a remote HMC) over SSH, for
 * {@code mkauthkeys --ip} (the HMC sets this up before remote mobility). The SSH client lives in
 * the {@code ssh} package, above this one; the daemon hands it in. Failures are
 * {@link io.parvirt.model.ModelException}s: an unreachable console or a changed host key
 * {@code CONNECTION_FAILED}, a refused key {@code REMOTE_KEY_LOGIN}, a refused password
 * {@code NOT_AUTHENTICATED}.
 */
public interface RemoteConsoleKeys {
    /** {@code localUser}'s public key authorised for {@code remoteUser} on {@code host}, logging in with the password. */
    void add(String localUser, String host, String remoteUser, String password);

    /** {@code localUser}'s public key removed from {@code remoteUser}'s on {@code host} (logging in with the key, or the password if given). */
    void remove(String localUser, String host, String remoteUser, String password);

    /** A key login of {@code localUser}'s as {@code remoteUser} on {@code host}, which must succeed. */
    void test(String localUser, String host, String remoteUser);
}
