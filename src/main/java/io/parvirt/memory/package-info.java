/**
 * LMB-granular memory accounting of the host: what the hypervisor reserves for itself and for each
 * defined partition ({@code sys_firmware_mem}), and what is left for partitions.
 */
package io.parvirt.memory;
