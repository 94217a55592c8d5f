/**
 * The host daemon: one per state home. Takes the home's lock, opens the store, builds the services
 * and the HMC over them, and serves the API until stopped.
 */
package io.parvirt.daemon;
