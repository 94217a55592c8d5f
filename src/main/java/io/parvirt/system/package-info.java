/**
 * The managed system: the local host's facts and capacity, and the one owner of the system
 * definition. Every change goes through {@link io.parvirt.system.ManagedSystem}, which validates it
 * against a new snapshot, commits it to the store in one transaction, and only then publishes it.
 * The same owner keeps the system profiles ({@code SystemProfileEdit}; a partition or profile
 * removed leaves them in the same transaction), the profile data files of {@code bkprofdata} and
 * {@code rstprofdata} ({@code ProfileData}: length and SHA-256 checked before anything is read;
 * {@code ProfileRestore}: the HMC's four restore types as a pure function) and parvirt's partition
 * templates ({@code Templates}: deployed by the rules of {@code mksyscfg}, all or none).
 */
package io.parvirt.system;
