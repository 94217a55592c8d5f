package io.parvirt.partition;

import io.parvirt.model.ModelException;
import java.util.List;

/** {@code migrlpar} refused: every check that failed, each its own line with its code. Nothing was changed. */
public final class MobilityRefusal extends RuntimeException {
    private final List<ModelException> failures;

    public MobilityRefusal(List<ModelException> failures) {
        super(failures.isEmpty() ? "refused" : failures.getFirst().getMessage());
        this.failures = List.copyOf(failures);
    }

    public List<ModelException> failures() {
        return failures;
    }
}
