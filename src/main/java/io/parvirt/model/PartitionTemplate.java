package io.parvirt.model;

import java.util.List;
import java.util.Objects;

/**
 * parvirt's partition template (issue 19): a partition's definition saved under a name, to deploy
 * partitions like it. {@code partition} and {@code profiles} are the source's records as they were
 * (its id and UUID are replaced at deployment, and fixed MAC addresses dropped).
 */
public record PartitionTemplate(String name, String source, Partition partition, List<Profile> profiles) {
    public PartitionTemplate {
        Names.profileName("name", name);
        Objects.requireNonNull(source);
        Objects.requireNonNull(partition);
        profiles = List.copyOf(profiles);
        if (profiles.stream().noneMatch(p -> p.name().equals(partition.defaultProfile()))) {
            throw new IllegalArgumentException("a template holds its partition's default profile");
        }
    }
}
