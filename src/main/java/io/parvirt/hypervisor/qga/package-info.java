/**
 * The QEMU guest agent protocol, spoken over the partition's agent chardev socket. Each exchange
 * starts with {@code guest-sync-delimited} so a reply left over from an earlier, abandoned
 * exchange is never taken for the answer to this one.
 */
package io.parvirt.hypervisor.qga;
