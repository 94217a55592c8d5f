/**
 * Pure records and validation of the PowerVM partition model: partitions, profiles, processor
 * pools, virtual adapters, and the HMC attribute grammar they are written in. Knows nothing of
 * QEMU, HTTP, files or the store; every record validates itself where it can, and rules that need
 * the rest of the system take it as an explicit {@link io.parvirt.model.SystemContext}.
 */
package io.parvirt.model;
