package io.parvirt.store;

import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
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

    Optional<HmcUser> user(String name);

    List<HmcUser> users();

    @Override
    void close();
}
