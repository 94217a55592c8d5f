package io.parvirt.hmc;

import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PoolRef;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.system.ManagedSystem;

/** Resolves {@code -m}, the partition selectors ({@code -n}/{@code -p}/{@code --id}) and pool selectors. */
final class Systems {
    private Systems() {
    }

    /** {@code -m} takes the system's name or its {@code tttt-mmm*ssssssss}. */
    static void check(ManagedSystem sys, String m) {
        if (!m.equals(sys.definition().settings().name()) && !m.equals(SystemView.mtms(sys.host()))) {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "The managed system " + Values.quote(m)
                    .replace("\"", "") + " was not found.  Use lssyscfg -r sys -F name to list managed systems.");
        }
    }

    /** The partition a command names; one that does not exist is HSCL8012. */
    static Partition partition(ManagedSystem sys, PartitionRef ref) {
        return switch (ref) {
            case PartitionRef.ByName n -> sys.partition(n.name());
            case PartitionRef.ById i -> sys.partition(i.id());
        };
    }

    /** The pool a command names; one that does not exist is HSCL8014. */
    static SharedProcessorPool pool(ManagedSystem sys, PoolRef ref) {
        SystemDefinition def = sys.definition();
        return switch (ref) {
            case PoolRef.ByName n -> def.pool(n.name()).orElseThrow(() -> ModelException.of(
                    ModelException.Kind.POOL_NOT_FOUND, "The shared processor pool named " + Values.quote(n.name())
                    + " was not found."));
            case PoolRef.ById i -> def.pool(i.id()).orElseThrow(() -> ModelException.of(
                    ModelException.Kind.POOL_NOT_FOUND, "The shared processor pool with ID " + i.id()
                    + " was not found."));
        };
    }
}
