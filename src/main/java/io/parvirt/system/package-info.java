/**
 * The managed system: the local host's facts and capacity, and the one owner of the system
 * definition. Every change goes through {@link io.parvirt.system.ManagedSystem}, which validates it
 * against a new snapshot, commits it to the store in one transaction, and only then publishes it.
 */
package io.parvirt.system;
