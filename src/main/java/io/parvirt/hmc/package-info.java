/**
 * HMC semantics over the services: the HMC command grammar ({@code -m}, {@code -r}, {@code -i},
 * {@code -F}, {@code --filter}, ...), the attributes each listing shows and their order, and the
 * HMC's way of failing (an HSCL code and one sentence on standard output, exit 1). The API and
 * the CLI reach the services only through this package.
 */
package io.parvirt.hmc;
