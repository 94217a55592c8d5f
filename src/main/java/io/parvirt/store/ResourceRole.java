package io.parvirt.store;

import java.util.List;
import java.util.Objects;

/**
 * A managed-resource role: the managed system ({@code cec}), every partition ({@code lpar:*}) or
 * single partitions ({@code lpar:<uuid>}) a user holding it may see and act on.
 */
public record ResourceRole(String name, List<String> resources) {
    public ResourceRole {
        Objects.requireNonNull(name);
        resources = List.copyOf(resources);
    }
}
