/**
 * Reaching another host's parvirt daemon over its REST API: the mechanism under the HMC's
 * {@code mksysconn} and {@code -m} routing, and under mobility. {@link io.parvirt.remote.PeerClient}
 * speaks HTTPS to one peer whose certificate was pinned by fingerprint when the connection was made
 * ({@link io.parvirt.remote.PinnedTrust}), with the stored credential and bounded timeouts; every
 * failure is a {@link io.parvirt.remote.RemoteException} of a small kind, never a hang.
 * {@link io.parvirt.remote.SystemConnections} owns the connections (stored 0600 in the home) and
 * their state, kept current by one background check with backoff.
 */
package io.parvirt.remote;
