/**
 * The {@code parvirt} command. HMC commands go to the home's daemon as they were typed (started in
 * the background if none runs); {@code serve} and {@code daemon status|stop} are parvirt's own.
 * The HMC path loads as few classes as it can, because it runs once per command.
 */
package io.parvirt.cli;
