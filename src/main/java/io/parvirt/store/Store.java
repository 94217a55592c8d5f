package io.parvirt.store;

import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.ViosStorage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The persistent definition of one managed system. Implementations apply a {@link Changes} atomically. */
public interface Store extends AutoCloseable {

    /** The stored definition, or empty for a new store; {@code seed} supplies settings not stored yet. */
    Optional<SystemDefinition> load(SystemSettings seed);

    /** Applies every change in one transaction, durable when this returns. */
    void commit(Changes changes);

    List<ConsoleEvent> events(Instant since);

    /**
     * Stores one round of utilization samples and applies retention, in one transaction: samples
     * taken before {@code dropOlderThan} (null: keep everything) are deleted, those of
     * {@code samples} included, so the table never holds more history than the retention allows.
     * Nothing is stored or deleted if any sample is rejected.
     */
    void recordUtilization(List<UtilizationSample> samples, Instant dropOlderThan);

    /**
     * The stored samples {@code q} selects, newest first; samples of one instant in the order
     * sys, pool, procpool, lpar, then by resource id. Each sample's attributes keep the order they
     * were recorded in.
     */
    List<UtilizationSample> utilization(UtilizationQuery q);

    /** The system profiles, by name. */
    List<io.parvirt.model.SystemProfile> systemProfiles();

    /** The partition templates, by name. */
    List<io.parvirt.model.PartitionTemplate> templates();

    /** Every Virtual I/O Server's stored storage configuration, by VIOS id. */
    List<ViosStorage> viosStorage();

    /** Replaces one VIOS's storage configuration and records {@code event}, in one transaction. */
    void commitVios(ViosStorage storage, ConsoleEvent event);

    Optional<HmcUser> user(String name);

    List<HmcUser> users();

    /** The managed-resource roles, by name. */
    List<ResourceRole> resourceRoles();

    /** The SSH public keys (OpenSSH lines) {@code user} may log in with, oldest first. */
    List<String> authorizedKeys(String user);

    @Override
    void close();
}
