/**
 * The QEMU Machine Protocol: one method per command, no policy. Line-delimited JSON over the
 * partition's QMP Unix socket; replies are matched to requests by {@code id}, events go to a
 * listener.
 */
package io.parvirt.hypervisor.qmp;
