package io.parvirt.store;

import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemSettings;
import java.util.ArrayList;
import java.util.List;

/** Everything one command changes; a store applies it all or nothing. */
public final class Changes {
    SystemSettings settings;
    final List<Partition> putPartitions = new ArrayList<>();
    final List<Integer> removePartitions = new ArrayList<>();
    final List<Profile> putProfiles = new ArrayList<>();
    final List<Profile> removeProfiles = new ArrayList<>();
    final List<SharedProcessorPool> putPools = new ArrayList<>();
    final List<ConsoleEvent> events = new ArrayList<>();
    final List<io.parvirt.model.SystemProfile> putSysprofs = new ArrayList<>();
    final List<String> removeSysprofs = new ArrayList<>();
    final List<io.parvirt.model.PartitionTemplate> putTemplates = new ArrayList<>();
    final List<String> removeTemplates = new ArrayList<>();
    final List<HmcUser> putUsers = new ArrayList<>();
    final List<String> removeUsers = new ArrayList<>();
    final List<String[]> authorizeKeys = new ArrayList<>();
    final List<String[]> revokeKeys = new ArrayList<>();
    final List<ResourceRole> putResourceRoles = new ArrayList<>();
    final List<String> removeResourceRoles = new ArrayList<>();

    public Changes settings(SystemSettings s) {
        settings = s;
        return this;
    }

    public Changes put(Partition p) {
        putPartitions.add(p);
        return this;
    }

    public Changes removePartition(int id) {
        removePartitions.add(id);
        return this;
    }

    public Changes put(Profile p) {
        putProfiles.add(p);
        return this;
    }

    public Changes remove(Profile p) {
        removeProfiles.add(p);
        return this;
    }

    public Changes put(SharedProcessorPool p) {
        putPools.add(p);
        return this;
    }

    public Changes put(io.parvirt.model.SystemProfile p) {
        putSysprofs.add(p);
        return this;
    }

    public Changes removeSystemProfile(String name) {
        removeSysprofs.add(name);
        return this;
    }

    public Changes put(io.parvirt.model.PartitionTemplate t) {
        putTemplates.add(t);
        return this;
    }

    public Changes removeTemplate(String name) {
        removeTemplates.add(name);
        return this;
    }

    public Changes event(ConsoleEvent e) {
        events.add(e);
        return this;
    }

    public Changes put(HmcUser u) {
        putUsers.add(u);
        return this;
    }

    public Changes removeUser(String name) {
        removeUsers.add(name);
        return this;
    }

    /** {@code user} may log in over SSH with the public key {@code keyLine} (OpenSSH format). */
    public Changes authorizeKey(String user, String keyLine) {
        authorizeKeys.add(new String[] {user, keyLine});
        return this;
    }

    public Changes revokeKey(String user, String keyLine) {
        revokeKeys.add(new String[] {user, keyLine});
        return this;
    }

    /** Makes or replaces a managed-resource role with its resources. */
    public Changes put(ResourceRole r) {
        putResourceRoles.add(r);
        return this;
    }

    /** Removes a managed-resource role (the caller has checked that no user holds it). */
    public Changes removeResourceRole(String name) {
        removeResourceRoles.add(name);
        return this;
    }

    public SystemSettings settings() {
        return settings;
    }

    public List<Partition> putPartitions() {
        return putPartitions;
    }

    public List<Integer> removePartitions() {
        return removePartitions;
    }

    public List<Profile> putProfiles() {
        return putProfiles;
    }

    public List<Profile> removeProfiles() {
        return removeProfiles;
    }

    public List<SharedProcessorPool> putPools() {
        return putPools;
    }
}
