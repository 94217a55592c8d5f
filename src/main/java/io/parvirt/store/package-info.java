/**
 * Persistence of the system definition. {@link io.parvirt.store.Store} is the interface (so a
 * shared PostgreSQL store can serve several hosts later); {@link io.parvirt.store.SqliteStore} is
 * the embedded default, migrated by Flyway. Every command commits as one transaction.
 */
package io.parvirt.store;
