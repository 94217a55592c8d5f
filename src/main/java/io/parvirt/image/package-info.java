/**
 * Partition images: what a partition boots. An image is a directory under {@code PARVIRT_HOME/images}
 * holding a kernel and initramfs (or a bootable disk) and an {@code image.properties}; only a
 * complete directory counts, so a half-written or damaged one is never booted.
 *
 * <p>The default image is built here from Debian packages fetched with {@code apt-get download} and
 * unpacked with {@code dpkg-deb -x} into the image cache (never installed on the host): the cloud
 * kernel, {@code busybox-static} and {@code qemu-guest-agent}. parvirt writes the initramfs itself
 * (cpio newc) so that its init, the contract in {@link io.parvirt.image.GuestBoot}, is ours to keep:
 * host name and network from the kernel command line, the agent started, one ready line on the
 * console. Other images are that recipe plus the programs and libraries of extra Debian packages
 * ({@code image build NAME --with PKG}, {@link io.parvirt.image.ImageStore#build(String, java.util.List,
 * java.util.function.Consumer)}).
 *
 * <p>This package uses no other parvirt package; the hypervisor and the daemon use it.
 */
package io.parvirt.image;
