package io.parvirt.system;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import java.util.List;
import java.util.Optional;

/** Finds the partition an attribute record is about, by name, by id, or both when they agree. */
final class Selectors {
    private Selectors() {
    }

    /**
     * The value of a selecting attribute; {@code name+=x} or {@code name-=x} selects nothing (it is
     * no list) and is refused, rather than read as {@code name=x} (issue 12).
     */
    static Optional<String> value(List<Assignment> attrs, String name) {
        Optional<Assignment> a = attrs.stream().filter(x -> x.name().equals(name)).findFirst();
        if (a.isPresent() && a.get().op() != io.parvirt.model.AttributeInput.Op.SET) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, name, "The attribute " + name
                    + " is not a list: use " + name + "=value.");
        }
        return a.map(Assignment::value);
    }

    static Partition partition(SystemDefinition def, List<Assignment> attrs, String nameAttr, String idAttr) {
        Optional<String> name = value(attrs, nameAttr);
        Optional<String> id = value(attrs, idAttr);
        if (name.isEmpty() && id.isEmpty()) {
            throw ManagedSystem.missing(nameAttr, "give " + nameAttr + " or " + idAttr + " to select the partition");
        }
        Partition byName = name.map(n -> def.partition(n).orElseThrow(() -> ManagedSystem.notFound(n))).orElse(null);
        Partition byId = id.map(v -> {
            int i = Values.parseInt(idAttr, v, 1, Limits.MAX_LPARS);
            return def.partition(i).orElseThrow(() -> ModelException.of(ModelException.Kind.PARTITION_NOT_FOUND,
                    "The partition with ID " + i + " was not found."));
        }).orElse(null);
        if (byName != null && byId != null && byName.id() != byId.id()) {
            throw new ModelException(ModelException.Kind.INVALID_REFERENCE, idAttr, "The " + nameAttr + " "
                    + byName.name() + " and " + idAttr + " " + byId.id() + " name different partitions.");
        }
        return byName != null ? byName : byId;
    }
}
