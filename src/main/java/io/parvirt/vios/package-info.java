/**
 * The Virtual I/O Server: storage pools, backing devices and their mappings to client partitions.
 * Its data path, the NBD server, is {@link io.parvirt.vios.nbd}.
 */
package io.parvirt.vios;
